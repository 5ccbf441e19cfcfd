// Named prepared statements for the reads: the driver adapter asks for a statement name per
// query, and `pg` parses a named statement once per connection, then only binds and executes
// it; PostgreSQL keeps its parse tree (and, once it judges a generic plan as good as custom
// ones, the plan). An unnamed statement is parsed and planned on every execution.
//
// Only parameterized SELECTs get a name: BEGIN, COMMIT, savepoints and the pin folded into
// BEGIN (pinned-begin.ts) stay on the simple protocol, and writes stay unnamed, as do reads
// that carry CUSTOM_PLAN. Names are a hash of the text, so equal text means the same statement
// on every connection; the number of names is capped, since every connection keeps each
// statement it prepared until it closes.
import { createHash } from 'node:crypto';

export interface NamedQuery {
  readonly sql: string;
  readonly args: readonly unknown[];
}

const READ = /^\s*(?:SELECT|WITH)\b/i;

/**
 * In a statement's text, asks for it to be planned for its values on every execution (it goes
 * out unnamed). For pages of one parent (a project's or a sprint's issues in rank order): after
 * five executions PostgreSQL may switch a prepared statement to a generic plan, which estimates
 * every project at the average size (about 200 issues) and so prefers a heap scan and a sort.
 * On a 200,000-issue project that reads the whole project (0.6-0.7 s a page) instead of the
 * first 51 entries of the rank index (2 ms). Parsing and planning anew costs well under a
 * millisecond of the database's time.
 */
export const CUSTOM_PLAN = '/* planned per execution */';

/** A statementNameGenerator for the pg driver adapter; undefined means "send unnamed". */
export function readStatementNames(limit = 256): (query: NamedQuery) => string | undefined {
  const names = new Map<string, string>();
  return ({ sql, args }) => {
    if (args.length === 0) return undefined;
    const known = names.get(sql);
    if (known !== undefined) return known;
    if (names.size >= limit || !READ.test(sql) || sql.includes(CUSTOM_PLAN)) return undefined;
    const name = `r_${createHash('sha1').update(sql).digest('base64url')}`;
    names.set(sql, name);
    return name;
  };
}
