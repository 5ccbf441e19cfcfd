'use strict';
// What the IDE bundle is made of: ide/build.ts, ide/src and the locked versions of the
// packages it bundles. Equal stamps, equal bundles: `npm start` rebuilds only when it differs.
// Plain CommonJS so the check costs a plain `node` start, not a TypeScript loader's.
// Usage: node ide/source-stamp.cjs --check   (exit 0: api/public/ide is up to date)
const { createHash } = require('node:crypto');
const { existsSync, readFileSync, readdirSync } = require('node:fs');
const path = require('node:path');

const OUT_DIR = path.resolve(__dirname, '../api/public/ide');
const STAMP_FILE = '.source-stamp';

/** @param {string} dir @returns {string[]} */
function listFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? listFiles(full) : [full];
  });
}

/** @returns {string} */
function sourceStamp() {
  const hash = createHash('sha256');
  const files = [path.join(__dirname, 'build.ts'), __filename, ...listFiles(path.join(__dirname, 'src')).sort(), path.resolve(__dirname, '../package-lock.json')];
  for (const file of files) hash.update(path.relative(__dirname, file)).update('\0').update(readFileSync(file)).update('\0');
  return hash.digest('hex');
}

/** @param {string} [outDir] @returns {boolean} */
function isUpToDate(outDir = OUT_DIR) {
  const file = path.join(outDir, STAMP_FILE);
  return existsSync(file) && readFileSync(file, 'utf8') === sourceStamp();
}

module.exports = { STAMP_FILE, sourceStamp, isUpToDate };

if (require.main === module && process.argv.includes('--check')) process.exit(isUpToDate() ? 0 : 1);
