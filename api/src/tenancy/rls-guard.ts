// Isolation does not rest on every migration remembering its policy: at start the server
// looks for tables with an org_id column whose row-level security is off or not forced (the
// owner would bypass it) and refuses to serve until a migration fixes them. A database that
// cannot be reached at start does not stop the start (an outage must not): the check then
// runs once the database answers, and a refusal found that late stops the server.
import type { Logger } from 'pino';
import type { PrismaClient } from '../generated/prisma/client';
import { isDatabaseUnavailable } from '../errors/database-errors';

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

/** The database did not answer: an outage (the driver's "Server has closed the connection" included), not a bug. */
function isAway(error: unknown): boolean {
  return isDatabaseUnavailable(error) || (error instanceof Error && /closed the connection/i.test(error.message));
}

export interface TenantTableGuard {
  /** Stops a check still waiting for the database (shutdown). */
  stop(): void;
}

/**
 * Runs the check at start: throws when tables lack forced row-level security. When the
 * database cannot be reached, returns at once and checks again every `retryMs` until it gets
 * an answer; a refusal found then goes to `onLateRefusal` (after the same fatal log line).
 */
export async function guardTenantTables(
  prisma: PrismaClient,
  logger: Logger,
  onLateRefusal: (error: UnprotectedTenantTablesError) => void,
  retryMs = 1_000,
): Promise<TenantTableGuard> {
  try {
    await refuseUnprotectedTenantTables(prisma, logger);
    return { stop: () => undefined };
  } catch (error) {
    if (!isAway(error)) throw error;
  }
  logger.warn('database unreachable at start: the row-level security check runs once it answers');
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const again = () => {
    timer = setTimeout(() => {
      refuseUnprotectedTenantTables(prisma, logger).then(
        () => logger.info('row-level security check passed'),
        (error: unknown) => {
          if (stopped) return;
          if (error instanceof UnprotectedTenantTablesError) return onLateRefusal(error);
          if (!isAway(error)) logger.error({ err: error }, 'row-level security check failed; retrying');
          again();
        },
      );
    }, retryMs).unref();
  };
  again();
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
