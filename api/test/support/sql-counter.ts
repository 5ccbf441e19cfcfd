// Counts the SQL statements an API instance sends, at the pg pool: every client the pool
// hands out (to Prisma's adapter, for transactions and single queries alike) has its query
// method wrapped, so BEGIN, set_config, each SELECT and COMMIT all count, as sent.
import type { Pool, PoolClient } from 'pg';
import { ALREADY_BEGUN } from '../../src/db/pinned-begin';

export interface StatementCounter {
  /** Statements since the last reset, in the order sent. */
  readonly statements: readonly string[];
  reset(): void;
  /** Counts by first word (BEGIN, SELECT, COMMIT, ...). */
  byKind(): Record<string, number>;
}

const WRAPPED = Symbol('statement-counter');

export function countStatements(pool: Pool): StatementCounter {
  let statements: string[] = [];
  const wrap = (client: PoolClient & { [WRAPPED]?: true }) => {
    if (client[WRAPPED]) return;
    client[WRAPPED] = true;
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
      const first = args[0];
      const text = typeof first === 'string' ? first : ((first as { text?: string } | undefined)?.text ?? '');
      const result = query(...args);
      // Prisma's BEGIN on a transaction that was already open is answered without being sent.
      if (result !== ALREADY_BEGUN) statements.push(text.replace(/\s+/g, ' ').trim());
      return result;
    };
  };
  pool.on('acquire', wrap);
  return {
    get statements() {
      return statements;
    },
    reset() {
      statements = [];
    },
    byKind() {
      const kinds: Record<string, number> = {};
      for (const statement of statements) {
        const kind = /set_config/i.test(statement) ? 'set_config' : (statement.split(' ')[0] ?? '').toUpperCase();
        kinds[kind] = (kinds[kind] ?? 0) + 1;
      }
      return kinds;
    },
  };
}
