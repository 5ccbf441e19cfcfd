// Once per jest run: a template database with every migration applied, so each test file
// can get its own fresh database in ~100 ms with CREATE DATABASE ... TEMPLATE. The template
// is built under another name and renamed when complete, under an advisory lock, so runs
// in parallel (or a run killed halfway) never see a half-migrated template.
import { Client } from 'pg';
import { applyMigrations } from '../../src/schema-setup/apply-migrations';
import { APP_ROLE, TEMPLATE_DB, TEMPLATE_PREFIX } from './test-env';
import { chooseTestPostgres, embeddedAppPassword } from './test-postgres';

const LOCK_KEY = 7_340_021;

export default async function globalSetup(): Promise<void> {
  // The choice may point TEST_DATABASE_URL at an embedded server: read it afterwards.
  const adminUrl = await chooseTestPostgres();
  const urlFor = (database: string) => Object.assign(new URL(adminUrl), { pathname: `/${database}` }).toString();
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query('SELECT pg_advisory_lock($1)', [LOCK_KEY]);
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [TEMPLATE_DB]);
    if (!exists.rowCount) await buildTemplate();
    // The embedded server asks every login for its password (the system one trusts loopback).
    const password = embeddedAppPassword();
    if (password) await admin.query(`ALTER ROLE ${APP_ROLE} WITH PASSWORD ${admin.escapeLiteral(password)}`);
  } finally {
    await admin.query('SELECT pg_advisory_unlock($1)', [LOCK_KEY]).catch(() => undefined);
    await admin.end();
  }

  async function buildTemplate(): Promise<void> {
    const building = `${TEMPLATE_DB}_building`;
    await admin.query(`DROP DATABASE IF EXISTS ${building} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${building}`);
    await applyMigrations(urlFor(building));
    await admin.query(`ALTER DATABASE ${building} RENAME TO ${TEMPLATE_DB}`);
    // This checkout's templates of older migration sets are no longer needed.
    const stale = await admin.query(`SELECT datname FROM pg_database WHERE starts_with(datname, $1) AND NOT starts_with(datname, $2)`, [TEMPLATE_PREFIX, TEMPLATE_DB]);
    for (const row of stale.rows as { datname: string }[]) await admin.query(`DROP DATABASE IF EXISTS ${row.datname} WITH (FORCE)`);
  }
}
