// Bursts of changes written straight to PostgreSQL the way a mutation writes them (one
// transaction per change, tenant pinned, as the app role, issue row updated and its event
// recorded), from several connections at once: thousands per second, where the HTTP API on
// a shared 2-core machine manages tens. The database triggers under test see no difference.
import { openTestPool } from './test-pool';
import { decodeGlobalId } from '../../src/graphql/global-id';
import type { TestOrg } from './fixtures';

export interface ChangeTarget {
  readonly org: TestOrg;
  /** Issue row ids of one project, e.g. from createIssue's global ids. */
  readonly issueIds: readonly string[];
}

const rowIdOf = (globalId: string) => decodeGlobalId(globalId, 'id').rowId;

export interface ChangeOptions {
  readonly count: number;
  /** Writers at once, each on its own connection. */
  readonly connections: number;
  readonly onProgress?: (done: number) => void;
  /** The event's `to` value (default: the new title); large values make large messages. */
  readonly eventValue?: (n: number) => string;
}

/** Title changes spread over the issues, several writers at a time. */
export async function writeChanges(url: string, target: ChangeTarget, options: ChangeOptions): Promise<void> {
  const { count, connections, onProgress } = options;
  const eventValue = options.eventValue ?? ((n: number) => `change ${n}`);
  const pool = openTestPool(url, connections);
  const orgId = rowIdOf(target.org.id);
  const actorId = rowIdOf(target.org.owner.id);
  const issues = target.issueIds.map(rowIdOf);
  let next = 0;
  let done = 0;
  try {
    await Promise.all(
      Array.from({ length: connections }, async () => {
        const client = await pool.connect();
        try {
          for (let n = next++; n < count; n = next++) {
            const issueId = issues[n % issues.length]!;
            await client.query('BEGIN');
            await client.query(`SELECT set_config('app.org_id', $1, true), set_config('app.user_id', $2, true)`, [orgId, actorId]);
            const { rows } = await client.query<{ project_id: string }>(
              `UPDATE issues SET title = $2, version = version + 1, updated_at = now() WHERE id = $1 RETURNING project_id`,
              [issueId, `change ${n}`],
            );
            await client.query(
              `INSERT INTO issue_events (org_id, project_id, issue_id, actor_id, kind, field, "to") VALUES ($1, $2, $3, $4, 'UPDATED', 'title', $5)`,
              [orgId, rows[0]!.project_id, issueId, actorId, JSON.stringify(eventValue(n))],
            );
            await client.query('COMMIT');
            onProgress?.(++done);
          }
        } finally {
          client.release();
        }
      }),
    );
  } finally {
    await pool.end();
  }
}
