// A test database with two seeded organizations, reached by the app role through the bench's
// counting proxy (what goes over the wire is counted) on a pool of ONE connection: every
// transaction runs on the connection the previous one gave back.
import type { Client } from 'pg';
import { CountingProxy } from '../../../scripts/bench/count-proxy';
import { openDatabase, type Database } from '../../src/db/prisma-client';
import { createTestDatabase } from './test-database';
import { connect, seedOrg, type SeededOrg } from './rls-probe';

export interface ProxiedDatabase {
  /** The database owner's connection (no RLS), for setup and probes. */
  readonly owner: Client;
  readonly proxy: CountingProxy;
  /** The app role's pool of one connection, through the proxy. */
  readonly db: Database;
  readonly a: SeededOrg;
  readonly b: SeededOrg;
  close(): Promise<void>;
}

export async function openProxiedDatabase(label: string, timeoutsMs: number): Promise<ProxiedDatabase> {
  const database = await createTestDatabase(label);
  const owner = await connect(database.ownerUrl);
  const a = await seedOrg(owner, 'alpha');
  const b = await seedOrg(owner, 'bravo');
  const upstream = new URL(database.appUrl);
  const proxy = new CountingProxy({ host: upstream.hostname, port: Number(upstream.port || 5432) });
  upstream.host = `127.0.0.1:${await proxy.listen()}`;
  const db = openDatabase({ url: upstream.toString(), poolMax: 1, acquireTimeoutMs: timeoutsMs, statementTimeoutMs: timeoutsMs });
  return {
    owner,
    proxy,
    db,
    a,
    b,
    async close() {
      await db.close();
      await proxy.close();
      await owner.end();
      await database.drop();
    },
  };
}
