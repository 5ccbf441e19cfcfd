// Where the fault suite keeps its state: one database shared by every scenario (so the F5 set
// check sees the history of F1-F4 together), and a folder for what clients were told.
import os from 'node:os';
import path from 'node:path';
import { PROJECT_ROOT } from '../../../../api/src/project-root';

export const FAULTS_ADMIN_URL = process.env.TEST_DATABASE_URL || 'postgresql://postgres@127.0.0.1:5432/postgres';
export const FAULTS_DB = 'tracker_faults';
export const STATE_DIR = path.join(os.tmpdir(), 'tracker-faults');
export const REPORT_JSON = path.join(PROJECT_ROOT, 'reports', 'faults.json');

/** Must match the cluster's instance defaults (scripts/cluster/cluster.ts). */
export const ACQUIRE_TIMEOUT_MS = 3000;
export const STATEMENT_TIMEOUT_MS = 5000;
/** The API's interactive transaction timeout: max(2 x statement timeout, 5 s) (app-services.ts). */
export const TRANSACTION_TIMEOUT_MS = Math.max(2 * STATEMENT_TIMEOUT_MS, 5000);
export const DRAIN_SECONDS = 5;
export const CHECK_INTERVAL_MS = 1000;
export const POOL_MAX_WAITING = 50;

export function faultsDatabaseUrls(): { owner: string; app: string } {
  const owner = new URL(FAULTS_ADMIN_URL);
  owner.pathname = `/${FAULTS_DB}`;
  const app = new URL(owner.toString());
  app.username = 'tracker_app';
  app.password = process.env.TEST_APP_PASSWORD ?? '';
  return { owner: owner.toString(), app: app.toString() };
}

/**
 * The steady load of every scenario: a rate the 2-core CI machine serves with headroom while it
 * also runs PostgreSQL, HAProxy and three instances, so a failure means the fault, not overload.
 */
export const STEADY_LOAD = { ratePerSecond: 10, writeRatio: 0.3, maxOperations: 5_000, operationDeadlineMs: 60_000 } as const;
