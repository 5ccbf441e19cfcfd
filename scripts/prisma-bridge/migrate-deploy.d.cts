/** Types for migrate-deploy.cjs (plain JavaScript so it runs without a TypeScript build). */
export interface MigrateDeployOptions {
  /** e.g. `postgres://postgres@127.0.0.1:PORT/postgres?sslmode=disable` */
  datasourceUrl: string;
  /** Schema file or folder; default: this repository's `prisma/schema.prisma`. */
  schemaPath?: string;
  /** Default: `migrations` next to the schema. */
  migrationsDir?: string;
  /** Pool size; default 1: migrations run one statement at a time. */
  maxConnections?: number;
  /** As `tables.external` / `enums.external` in prisma.config.ts. */
  filters?: { externalTables: string[]; externalEnums: string[] };
  /** Receives the engine's JSON log lines. */
  log?: (line: string) => void;
}

export interface MigrateDeployResult {
  /** Migrations applied by this call, oldest first; empty when already up to date. */
  appliedMigrationNames: string[];
}

/**
 * Applies pending migrations like `prisma migrate deploy`, in-process. Rejects with an
 * Error carrying the engine's `code` (e.g. `P3009`) when a migration fails; all
 * connections it opened are closed before it settles.
 */
export declare function migrateDeploy(options: MigrateDeployOptions): Promise<MigrateDeployResult>;
