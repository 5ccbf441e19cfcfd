// Where the test PostgreSQL is and how test databases are named. TEST_DATABASE_URL is an
// owner/admin URL (default: the local server as postgres).
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../../src/project-root';

export const ADMIN_URL = process.env.TEST_DATABASE_URL || 'postgresql://postgres@127.0.0.1:5432/postgres';
export const APP_ROLE = 'tracker_app';
/** A Redis for the rate-limit tests; keys carry a fresh prefix per test, so any database number will do. */
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL || 'redis://127.0.0.1:6379/0';
export const TEST_JWT_SECRET = 'test-secret-that-is-at-least-thirty-two-bytes-long';

/**
 * Templates of this checkout start with this prefix. Two checkouts (worktrees, a CI clone)
 * sharing one server keep their own templates, so one never drops the other's as stale.
 */
export const TEMPLATE_PREFIX = `tracker_tpl_${createHash('sha256').update(PROJECT_ROOT).digest('hex').slice(0, 8)}_`;

/** Named after the migrations it holds, so concurrent or repeated runs share it safely. */
function templateName(): string {
  const dir = path.join(PROJECT_ROOT, 'prisma/migrations');
  const hash = createHash('sha256');
  for (const entry of readdirSync(dir).sort()) {
    if (entry.endsWith('.toml')) continue;
    hash.update(entry).update(readFileSync(path.join(dir, entry, 'migration.sql')));
  }
  return `${TEMPLATE_PREFIX}${hash.digest('hex').slice(0, 16)}`;
}

export const TEMPLATE_DB = templateName();

export function urlFor(database: string, user?: string): string {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${database}`;
  if (user) {
    url.username = user;
    url.password = process.env.TEST_APP_PASSWORD ?? '';
  }
  return url.toString();
}
