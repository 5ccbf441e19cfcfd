#!/usr/bin/env node
// npm run db:migrate: the deploy's one-off migration step. Applies our Prisma migrations with
// `prisma migrate deploy`, then lets graphile-worker install or upgrade its own schema.
'use strict';

const { spawnSync } = require('node:child_process');
const path = require('node:path');
const { installJobQueue } = require('../prisma/engine/job-queue.cjs');

const url = process.env.MIGRATION_DATABASE_URL || process.env.DATABASE_URL;
if (!url) {
  process.stderr.write('db:migrate needs MIGRATION_DATABASE_URL (the owner role) or DATABASE_URL\n');
  process.exit(1);
}
const deploy = spawnSync(process.execPath, [path.join(__dirname, 'prisma.cjs'), 'migrate', 'deploy'], { stdio: 'inherit' });
if (deploy.status !== 0) process.exit(deploy.status ?? 1);
installJobQueue(url).then(
  () => process.stdout.write('Job queue schema (graphile-worker) is current.\n'),
  (error) => {
    process.stderr.write(`Installing the job queue schema failed: ${error.message}\n`);
    process.exit(1);
  },
);
