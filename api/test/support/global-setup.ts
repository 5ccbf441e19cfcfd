// Once per jest run: a template database with every migration applied, so each test file
// can get its own fresh database in ~100 ms with CREATE DATABASE ... TEMPLATE.
import { Client } from 'pg';
import { applyMigrations } from '../../src/db/migrations';
import { ADMIN_URL, TEMPLATE_DB, urlFor } from './test-env';

export default async function globalSetup(): Promise<void> {
  const admin = new Client({ connectionString: ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${TEMPLATE_DB} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${TEMPLATE_DB}`);
  } finally {
    await admin.end();
  }
  await applyMigrations(urlFor(TEMPLATE_DB));
}
