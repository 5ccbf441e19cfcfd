// A pg Pool on a test database that may be dropped right after the pool is ended.
import { Pool } from 'pg';

export function openTestPool(connectionString: string, max = 2): Pool {
  const pool = new Pool({ connectionString, max });
  // pg-pool's end() resolves once it has asked its idle clients to close, not once they have.
  // The harness's DROP DATABASE ... WITH (FORCE) that follows can then terminate a client still
  // on its way out, and that error would reach no listener. Errors before end() stay loud.
  pool.on('error', (error) => {
    if (!pool.ending) throw error;
  });
  return pool;
}
