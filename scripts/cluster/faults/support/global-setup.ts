// Once per fault-suite run: the production build the cluster runs, a fresh shared database, and
// an empty folder for what the clients were told.
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { Client } from 'pg';
import { PROJECT_ROOT } from '../../../../api/src/project-root';
import { FAULTS_ADMIN_URL, FAULTS_DB, STATE_DIR } from './faults-env';

export default async function globalSetup(): Promise<void> {
  // FAULTS_SKIP_BUILD=1 reuses dist/ when iterating on the tests themselves.
  if (process.env.FAULTS_SKIP_BUILD !== '1') {
    const build = spawnSync('npm', ['run', 'build'], { cwd: PROJECT_ROOT, encoding: 'utf8' });
    if (build.status !== 0) throw new Error(`npm run build failed:\n${build.stdout}\n${build.stderr}`);
  }
  const admin = new Client({ connectionString: FAULTS_ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${FAULTS_DB} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${FAULTS_DB}`);
  } finally {
    await admin.end();
  }
  rmSync(STATE_DIR, { recursive: true, force: true });
  mkdirSync(STATE_DIR, { recursive: true });
}
