#!/usr/bin/env node
// npm run db:migrate: the deploy's one-off migration step (api/src/schema-setup/migrate-command.ts: the
// plain SQL runner over prisma/migrations, then graphile-worker's schema). From the sources in
// a checkout (through tsx); from the compiled dist/ in the image, which carries no sources.
'use strict';

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const source = path.join(root, 'api/src/schema-setup/migrate-command.ts');
const args = fs.existsSync(source) ? ['--import', 'tsx', source] : [path.join(root, 'dist/api/src/schema-setup/migrate-command.js')];
const result = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
process.exit(result.status ?? 1);
