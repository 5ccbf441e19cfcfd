// What the per-request tenant transaction costs: the same one-row project lookup through
// Prisma, N times in sequence, (1) as a plain statement and (2) inside TenantDb.run (BEGIN,
// set_config, the lookup, COMMIT), each as the owner (no RLS) and as the app role (RLS).
// Prints numbers; asserts nothing. Needs a local PostgreSQL like the tests:
//   npx tsx scripts/bench/tenant-transaction-cost.ts [N]     (TEST_DATABASE_URL to override)
import { randomBytes, randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Client } from 'pg';
import { applyMigrations } from '../../api/src/schema-setup/apply-migrations';
import { openDatabase, type Database } from '../../api/src/db/prisma-client';
import { Tenancy } from '../../api/src/tenancy/tenancy';
import type { Tx } from '../../api/src/db/tx';
import { ADMIN_URL, urlFor } from '../../api/test/support/test-env';

const N = Number(process.argv[2] ?? 2000);
const ROUNDS = 4;


async function admin(sql: string): Promise<void> {
  const client = new Client({ connectionString: ADMIN_URL });
  await client.connect();
  await client.query(sql).finally(() => client.end());
}

async function seed(url: string): Promise<{ orgId: string; userId: string }> {
  const client = new Client({ connectionString: url });
  await client.connect();
  const [orgId, userId] = [randomUUID(), randomUUID()];
  await client.query(`INSERT INTO users (id, email, name, password_hash, updated_at) VALUES ($1, 'bench@example.com', 'Bench', 'x', now())`, [userId]);
  await client.query(`INSERT INTO organizations (id, name, slug) VALUES ($1, 'Bench', 'bench')`, [orgId]);
  await client.query(`INSERT INTO projects (id, org_id, key, name, updated_at) VALUES ($1, $2, 'WEB', 'Web', now())`, [randomUUID(), orgId]);
  // The pin checks the membership: the user is the organization's owner.
  await client.query(`INSERT INTO memberships (org_id, user_id, role) VALUES ($1, $2, 'OWNER')`, [orgId, userId]);
  await client.end();
  return { orgId, userId };
}

type Variant = { name: string; run: () => Promise<unknown> };

function stats(samples: number[]) {
  const sorted = [...samples].sort((x, y) => x - y);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  const mean = samples.reduce((sum, value) => sum + value, 0) / samples.length;
  return { mean, p50: at(0.5), p95: at(0.95), p99: at(0.99) };
}

async function main(): Promise<void> {
  const name = `tracker_bench_txcost_${randomBytes(3).toString('hex')}`;
  await admin(`CREATE DATABASE ${name}`);
  const opened: Database[] = [];
  try {
    await applyMigrations(urlFor(name));
    const { orgId, userId } = await seed(urlFor(name));
    const open = (url: string) => {
      const database = openDatabase({ url, poolMax: 2, acquireTimeoutMs: 5000, statementTimeoutMs: 10_000 });
      opened.push(database);
      return database.prisma;
    };
    const owner = open(urlFor(name));
    const app = open(urlFor(name, 'tracker_app'));
    // A member's scope, as a socket gets it: each run() is a transaction of its own, pinned and checked.
    const ownerScope = (await new Tenancy(owner).requestScope({ orgId, userId })).db;
    const appScope = (await new Tenancy(app).requestScope({ orgId, userId })).db;
    const lookup = (client: Tx) => client.project.findFirst({ where: { orgId, key: 'WEB' }, select: { id: true } });
    const variants: Variant[] = [
      { name: 'plain statement, owner (no RLS)', run: () => lookup(owner) },
      { name: 'plain statement, app role (RLS, no tenant: 0 rows)', run: () => lookup(app) },
      { name: 'TenantDb.run, owner (transaction, no RLS)', run: () => ownerScope.run(lookup) },
      { name: 'TenantDb.run, app role (a tenant transaction)', run: () => appScope.run(lookup) },
    ];
    const samples = new Map<string, number[]>(variants.map((variant) => [variant.name, []]));
    for (const variant of variants) for (let i = 0; i < 200; i++) await variant.run(); // warm up
    // Interleaved rounds, so drift in machine load hits every variant alike.
    for (let round = 0; round < ROUNDS; round++) {
      for (const variant of variants) {
        const list = samples.get(variant.name)!;
        for (let i = 0; i < N / ROUNDS; i++) {
          const started = performance.now();
          await variant.run();
          list.push(performance.now() - started);
        }
      }
    }
    console.log(`N=${N} sequential project lookups per variant, pool of 2, PostgreSQL at ${new URL(ADMIN_URL).host}`);
    console.log('variant'.padEnd(52), 'mean ms  p50 ms  p95 ms  p99 ms');
    for (const variant of variants) {
      const s = stats(samples.get(variant.name)!);
      console.log(variant.name.padEnd(52), [s.mean, s.p50, s.p95, s.p99].map((v) => v.toFixed(3).padStart(7)).join(' '));
    }
  } finally {
    await Promise.all(opened.map((database) => database.close()));
    await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
