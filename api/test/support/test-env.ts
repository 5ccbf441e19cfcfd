// Where the test PostgreSQL is and how test databases are named. TEST_DATABASE_URL is an
// owner/admin URL (default: the local server as postgres).
export const ADMIN_URL = process.env.TEST_DATABASE_URL || 'postgresql://postgres@127.0.0.1:5432/postgres';
export const TEMPLATE_DB = 'tracker_test_template';
export const APP_ROLE = 'tracker_app';
export const TEST_JWT_SECRET = 'test-secret-that-is-at-least-thirty-two-bytes-long';

export function urlFor(database: string, user?: string): string {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${database}`;
  if (user) {
    url.username = user;
    url.password = process.env.TEST_APP_PASSWORD ?? '';
  }
  return url.toString();
}
