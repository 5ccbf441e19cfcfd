import { defineConfig } from 'prisma/config';
import { useBridgeUnlessNative } from './scripts/prisma-bridge/engine-choice.cjs';

// A bare `npx prisma …` reads this file before it looks for the schema engine: without a
// native engine (offline machines), it gets the WebAssembly bridge (scripts/prisma-bridge, a
// development tool), as `npm run db:*` does.
useBridgeUnlessNative(process.env);

// Read directly rather than with `env()`, which throws when the variable is unset and would
// break `prisma generate` on a clean build. With neither set, commands that need a database
// stop with Prisma's own "datasource.url is required" error instead of guessing one.
// MIGRATION_DATABASE_URL comes first: migrations run as the owner role, the API as a
// less-privileged one.
const url = process.env.MIGRATION_DATABASE_URL || process.env.DATABASE_URL || undefined;

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: {
    path: 'prisma/migrations',
    seed: 'tsx prisma/seed.ts',
  },
  datasource: { url },
});
