// Prepares the benchmark database: a template database per (migrations, generator version,
// profile) hash, generated once and kept between runs, then a fresh copy per run so the
// write workload never changes what the next run starts from.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import argon2 from 'argon2';
import { Client } from 'pg';
import { dbUrl, issueCount, type BenchConfig } from '../config';
import { GENERATOR_VERSION, generationSql } from './generate-sql';

const run = promisify(execFile);
export const BENCH_PASSWORD = 'bench-password-1';

export interface PreparedDatabase {
  readonly name: string;
  readonly template: string;
  /** False when the cached template was reused. */
  readonly generated: boolean;
  readonly generateSeconds: number;
  readonly cloneSeconds: number;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const full = path.join(dir, name);
      return statSync(full).isDirectory() ? filesUnder(full) : [full];
    });
}

/** Changes whenever a migration, the generator or the profile changes. */
export function cacheKey(cfg: BenchConfig): string {
  const hash = createHash('sha256');
  hash.update(`generator ${GENERATOR_VERSION}\n${JSON.stringify(cfg.profile)}\n`);
  hash.update(readFileSync(path.join(cfg.root, 'scripts/bench/data/generate-sql.ts')));
  const migrations = path.join(cfg.root, 'prisma/migrations');
  for (const file of filesUnder(migrations)) hash.update(`${path.relative(migrations, file)}\n`).update(readFileSync(file));
  return hash.digest('hex').slice(0, 12);
}

async function withAdmin<T>(cfg: BenchConfig, fn: (client: Client) => Promise<T>, database = 'postgres'): Promise<T> {
  const client = new Client({ connectionString: dbUrl(cfg.adminUrl, database) });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

async function isComplete(admin: Client, name: string): Promise<boolean> {
  const { rows } = await admin.query(`SELECT shobj_description(oid, 'pg_database') AS note FROM pg_database WHERE datname = $1`, [name]);
  return rows[0]?.note === 'bench: complete';
}

async function generate(cfg: BenchConfig, admin: Client, name: string, log: (m: string) => void): Promise<void> {
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${name}`);
  log(`migrating ${name}`);
  await run(process.execPath, [path.join(cfg.root, 'scripts/db-migrate.cjs')], {
    cwd: cfg.root,
    env: { ...process.env, MIGRATION_DATABASE_URL: dbUrl(cfg.adminUrl, name), DATABASE_URL: '' },
  });
  const passwordHash = await argon2.hash(BENCH_PASSWORD);
  await withAdmin(
    cfg,
    async (db) => {
      for (const sql of generationSql(cfg.profile)) {
        const started = Date.now();
        await db.query(sql, sql.includes('$1') ? [passwordHash] : []);
        const first = sql.trim().split('\n')[0]!.slice(0, 70);
        log(`  ${((Date.now() - started) / 1000).toFixed(1)}s ${first}`);
      }
    },
    name,
  );
  await admin.query(`COMMENT ON DATABASE ${name} IS 'bench: complete'`);
}

export async function prepareDatabase(cfg: BenchConfig, log: (m: string) => void): Promise<PreparedDatabase> {
  const prefix = `bench_tpl_${cfg.profile.name}_`;
  const template = prefix + cacheKey(cfg);
  const name = `bench_run_${cfg.profile.name}`;
  return withAdmin(cfg, async (admin) => {
    let generated = false;
    let started = Date.now();
    if (!(await isComplete(admin, template))) {
      log(`generating ${template} (${issueCount(cfg.profile)} issues)`);
      await generate(cfg, admin, template, log);
      generated = true;
      // Older templates of this profile are stale now: free their disk.
      const { rows } = await admin.query(`SELECT datname FROM pg_database WHERE datname LIKE $1 AND datname <> $2`, [`${prefix}%`, template]);
      for (const row of rows) await admin.query(`DROP DATABASE IF EXISTS ${row.datname as string} WITH (FORCE)`);
    } else {
      log(`reusing cached ${template}`);
    }
    const generateSeconds = (Date.now() - started) / 1000;
    started = Date.now();
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    // FILE_COPY copies the files (one checkpoint) instead of WAL-logging every block: much
    // faster for a few hundred megabytes.
    await admin.query(`CREATE DATABASE ${name} TEMPLATE ${template} STRATEGY FILE_COPY`);
    return { name, template, generated, generateSeconds, cloneSeconds: (Date.now() - started) / 1000 };
  });
}

export async function dropDatabase(cfg: BenchConfig, name: string): Promise<void> {
  await withAdmin(cfg, (admin) => admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
}
