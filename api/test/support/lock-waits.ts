// Tests that hold a lock and need to know the API is blocked on it watch pg_stat_activity
// rather than sleeping: the wait is the event.
import { Client } from 'pg';

/** A connected owner-role client; its errors are ignored because the test database is dropped WITH (FORCE). */
export async function ownerClient(url: string): Promise<Client> {
  const client = new Client({ connectionString: url });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

/** How many of the API's sessions (role tracker_app) wait on a lock right now. */
export async function appSessionsWaitingOnLocks(observer: Client): Promise<number> {
  const { rows } = await observer.query(
    `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND usename = 'tracker_app' AND wait_event_type = 'Lock'`,
  );
  return rows[0].n as number;
}

/** Resolves once at least `count` of the API's sessions wait on a lock. */
export async function untilAppWaitsOnLocks(observer: Client, count = 1): Promise<void> {
  while ((await appSessionsWaitingOnLocks(observer)) < count) await new Promise((resolve) => setTimeout(resolve, 20));
}
