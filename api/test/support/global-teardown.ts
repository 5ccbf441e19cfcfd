// Once per jest run, after every project: stops the embedded PostgreSQL if the setup started one.
import { releaseTestPostgres } from './test-postgres';

export default async function globalTeardown(): Promise<void> {
  await releaseTestPostgres();
}
