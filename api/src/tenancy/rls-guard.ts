// Isolation does not rest on every migration remembering its policy: at start the server
// looks for tables with an org_id column whose row-level security is off or not forced (the
// owner would bypass it) and refuses to serve until a migration fixes them.
import type { Logger } from 'pino';
import type { PrismaClient } from '../generated/prisma/client';

export class UnprotectedTenantTablesError extends Error {
  constructor(readonly tables: readonly string[]) {
    super(
      `Refusing to start: ${tables.length === 1 ? 'a table has' : `${tables.length} tables have`} an org_id column without ` +
        `forced row-level security: ${tables.join(', ')} (ALTER TABLE … ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY, and a policy, in a migration)`,
    );
    this.name = 'UnprotectedTenantTablesError';
  }
}

/** Tables (on the search path) with an org_id column whose row-level security is not both enabled and forced. */
export async function unprotectedTenantTables(prisma: PrismaClient): Promise<string[]> {
  const rows = await prisma.$queryRaw<{ name: string }[]>`
    SELECT format('%I.%I', n.nspname, c.relname) AS name
    FROM pg_class c
    JOIN pg_namespace n ON n.oid = c.relnamespace
    JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'org_id' AND a.attnum > 0 AND NOT a.attisdropped
    WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
      AND n.nspname = ANY (current_schemas(false))
      AND NOT (c.relrowsecurity AND c.relforcerowsecurity)
    ORDER BY 1`;
  return rows.map((row) => row.name);
}

/** Throws (after one fatal log line naming them) when any tenant table lacks forced row-level security. */
export async function refuseUnprotectedTenantTables(prisma: PrismaClient, logger: Logger): Promise<void> {
  const tables = await unprotectedTenantTables(prisma);
  if (tables.length === 0) return;
  const error = new UnprotectedTenantTablesError(tables);
  logger.fatal({ tables }, error.message);
  throw error;
}
