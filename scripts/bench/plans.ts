// The plans of the statements the API ran for the read workloads, as PostgreSQL runs them for
// the app role: each statement the counting proxy saw (its text and the values it was bound to)
// is prepared and EXPLAIN ANALYZEd as tracker_app inside a transaction pinned the way the API's
// was, so row-level security and the tenant apply. Written to bench/plans*.md beside the
// results, so a reader sees why a page costs what it costs on this profile's data.
import { Client } from 'pg';
import type { CountResult } from './count';
import type { StatementSample } from './count-proxy';

/** The API's read statements worth a plan: SELECTs with parameters (not BEGIN, COMMIT or the pin). */
function planned(sample: StatementSample): boolean {
  return /^\s*(SELECT|WITH)\b/i.test(sample.sql) && sample.params.length > 0 && !sample.params.includes(null);
}

async function explain(client: Client, sample: StatementSample): Promise<string> {
  await client.query(sample.pin ?? 'BEGIN');
  try {
    await client.query(`PREPARE bench_plan AS ${sample.sql}`);
    const values = sample.params.map((value) => client.escapeLiteral(value!)).join(', ');
    const { rows } = await client.query(`EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, TIMING OFF) EXECUTE bench_plan(${values})`);
    return rows.map((row: Record<string, string>) => row['QUERY PLAN']).join('\n');
  } finally {
    await client.query('ROLLBACK');
    // PREPARE belongs to the session, not the transaction.
    await client.query('DEALLOCATE ALL');
  }
}

/** Markdown with, per workload, each planned statement, its values and its plan. */
export async function plansReport(appUrl: string, counts: ReadonlyMap<string, CountResult>, workloads: readonly string[], heading: string): Promise<string> {
  const client = new Client({ connectionString: appUrl });
  await client.connect();
  const out = [`# ${heading}`, ''];
  try {
    for (const workload of workloads) {
      const samples = (counts.get(`${workload}|us`)?.samples ?? []).filter(planned);
      out.push(`## ${workload}`, '');
      if (samples.length === 0) out.push('No parameterized read statement was seen.', '');
      for (const sample of samples) {
        // Each run twice: the first warms the buffers the way the timed runs find them.
        await explain(client, sample);
        out.push('```sql', sample.sql.trim(), '```', '', `Values: ${sample.params.map((v) => `\`${v}\``).join(', ')}`, '', '```', await explain(client, sample), '```', '');
      }
    }
  } finally {
    await client.end();
  }
  return out.join('\n');
}
