// A/B: two builds of the API on the same data, interleaved run by run (A B A B ...), so both
// see the same machine. Prints per-run req/s and API CPU per request, then the medians and the
// ratio B/A. For deciding whether a change pays, before a full `npm run bench`.
//   npx tsx scripts/bench/ab.ts <distA>/api/src/main.js <distB>/api/src/main.js [W1,W2] [reps] [seconds]
// The builds must sit inside the repository (node_modules resolves from there), e.g. in .ab/A
// and .ab/B, copies of dist/ made before and after the change.
import { Client } from 'pg';
import path from 'node:path';
import { buildCatalog } from './catalog';
import { FULL, dbUrl } from './config';
import { runLoad } from './load';
import { pinBackends, pinSelf } from './metrics';
import { median } from './summary';
import { launch, node24, type RunningSystem } from './systems/launch';
import { WORKLOADS } from './workloads';

const [mainA, mainB, ids = 'W1,W2,W3', repsArg = '5', secondsArg = '4'] = process.argv.slice(2);
if (!mainA || !mainB) throw new Error('usage: ab.ts <main A> <main B> [workloads] [reps] [seconds]');
const root = path.resolve(__dirname, '../..');
const adminUrl = process.env.BENCH_ADMIN_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const database = 'bench_ab';
const jwtSecret = 'ab-secret-ab-secret-ab-secret-ab-secret';

async function main(): Promise<void> {
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  const { rows } = await admin.query(`SELECT datname FROM pg_database WHERE datname LIKE 'bench_tpl_full_%' LIMIT 1`);
  if (!rows[0]) throw new Error('no full template: run npm run bench once');
  await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${database} TEMPLATE ${rows[0].datname as string} STRATEGY FILE_COPY`);
  const catalog = await buildCatalog(FULL, jwtSecret);
  const env = {
    NODE_ENV: 'production', DATABASE_URL: dbUrl(adminUrl, database, 'tracker_app'), JWT_SECRET: jwtSecret, HOST: '127.0.0.1',
    SHUTDOWN_DRAIN_SECONDS: '0', RATE_LIMIT_CALLER_POINTS: '1000000000', RATE_LIMIT_ORGANIZATION_POINTS: '1000000000',
    RATE_LIMIT_ANONYMOUS_POINTS: '1000000000', NODE_OPTIONS: '--max-semi-space-size=32 --max-old-space-size=256',
  };
  // AB_NODE_ARGS: node flags for both (e.g. --cpu-prof); AB_B_NODE_ARGS: for B alone (e.g. a V8 setting to try).
  const flags = (name: string) => process.env[name]?.split(' ').filter(Boolean) ?? [];
  const spec = (id: string, main: string) => ({ id, label: id, command: node24(root), args: [...flags('AB_NODE_ARGS'), ...(id === 'B' ? flags('AB_B_NODE_ARGS') : []), main], env, cpus: '0', loadCpus: '1', workloads: [], graphqlPath: '/graphql' });
  const systems: RunningSystem[] = [await launch(spec('A', mainA), '/tmp/ab-logs'), await launch(spec('B', mainB), '/tmp/ab-logs')];
  try {
    for (const id of ids.split(',')) {
      const workload = WORKLOADS.find((w) => w.id === id)!;
      const cpu: Record<string, number[]> = { A: [], B: [] };
      const rps: Record<string, number[]> = { A: [], B: [] };
      for (let rep = 0; rep <= Number(repsArg); rep++) {
        for (const system of rep % 2 ? systems : [...systems].reverse()) {
          pinSelf('1');
          await pinBackends(admin, database, '1');
          const r = await runLoad(system, workload, catalog, admin, database, { connections: 50, durationSec: rep === 0 ? 2 : Number(secondsArg), seed: rep });
          if (r.errors) throw new Error(`${system.spec.id} ${id}: ${r.firstError}`);
          if (rep === 0) continue;
          cpu[system.spec.id]!.push(r.cpuUsPerReq);
          rps[system.spec.id]!.push(r.rps);
          console.log(`${id} ${system.spec.id} #${rep}: ${r.rps.toFixed(0)} req/s, ${r.cpuUsPerReq.toFixed(0)} us CPU/req, db ${r.dbCpuUsPerReq.toFixed(0)}, peak RSS ${(r.peakRssBytes / 2 ** 20).toFixed(0)} MB`);
        }
      }
      const m = (x: number[]) => median(x);
      console.log(`${id}: A ${m(rps.A!).toFixed(0)} req/s ${m(cpu.A!).toFixed(0)} us; B ${m(rps.B!).toFixed(0)} req/s ${m(cpu.B!).toFixed(0)} us; B/A req/s ${(m(rps.B!) / m(rps.A!)).toFixed(2)}, CPU ${(m(cpu.B!) / m(cpu.A!)).toFixed(2)}`);
    }
  } finally {
    for (const s of systems) await s.stop();
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin.end();
  }
}

void main();
