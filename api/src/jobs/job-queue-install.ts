// graphile-worker (the job queue behind webhook deliveries and housekeeping) owns its schema and
// migrations: the deploy's migrate step has graphile-worker install or upgrade them, as the owner
// role, right after our own migrations, so the API (tracker_app) never needs DDL rights. Then
// tracker_app gets what it uses there.
import { Logger, runMigrations } from 'graphile-worker';
import { Client } from 'pg';

// graphile-worker enables row-level security on its tables with no policy, so only their owner
// sees rows. The queue is shared infrastructure holding ids, not tenant data (a task re-reads
// its delivery under the tenant's RLS), so the app role gets an allow-all policy.
const GRANTS = `
GRANT USAGE ON SCHEMA graphile_worker TO tracker_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA graphile_worker TO tracker_app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA graphile_worker TO tracker_app;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA graphile_worker TO tracker_app;
DO $$
DECLARE t regclass;
BEGIN
  FOR t IN SELECT c.oid::regclass FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE n.nspname = 'graphile_worker' AND c.relkind = 'r' AND c.relrowsecurity
             AND NOT EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = c.oid AND p.polname = 'app_worker')
  LOOP
    EXECUTE format('CREATE POLICY app_worker ON %s TO tracker_app USING (true) WITH CHECK (true)', t);
  END LOOP;
END
$$;`;

/** Installs or upgrades graphile-worker's schema in the database at `connectionString` (owner role). */
export async function installJobQueue(connectionString: string): Promise<void> {
  await runMigrations({ connectionString, schema: 'graphile_worker', logger: new Logger(() => () => undefined) });
  const client = new Client({ connectionString });
  await client.connect();
  try {
    await client.query(GRANTS);
  } finally {
    await client.end();
  }
}
