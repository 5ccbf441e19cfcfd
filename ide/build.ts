// Bundles the GraphQL IDE (ide/src: GraphiQL 5 + React + Monaco) into static files that the API
// serves itself from api/public/ide, so the IDE works offline and loads nothing from elsewhere.
// Run with `npm run build:ide` (again only when its sources changed; `-- --force` rebuilds);
// the IDE test calls buildIde() too.
import { build, stop, type BuildOptions, type Plugin } from 'esbuild';
import { gzipSync } from 'node:zlib';
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { STAMP_FILE, isUpToDate, sourceStamp } from './source-stamp.cjs';

export const IDE_OUT_DIR = path.resolve(__dirname, '../api/public/ide');
const SRC = path.resolve(__dirname, 'src');
const WORKERS = {
  'editor.worker': 'monaco-editor/esm/vs/editor/editor.worker.js',
  'json.worker': 'monaco-editor/esm/vs/language/json/json.worker.js',
  'graphql.worker': 'monaco-graphql/esm/graphql.worker.js',
};

// graphiql/style.css already contains Monaco's CSS; Monaco's own imports would only produce CSS
// files for lazy chunks that nothing links.
const skipMonacoCss: Plugin = {
  name: 'skip-monaco-css',
  setup(b) {
    b.onLoad({ filter: /[\\/]monaco-editor[\\/].*\.css$/ }, () => ({ contents: '', loader: 'css' }));
  },
};

export interface IdeBuildReport {
  readonly outDir: string;
  readonly files: number;
  readonly bytes: number;
  readonly mainJsGzipBytes: number;
  readonly ms: number;
}

export async function buildIde(outDir = IDE_OUT_DIR): Promise<IdeBuildReport> {
  const started = Date.now();
  // Build beside the target and swap, so a running server never serves a half-written bundle.
  const staging = `${outDir}.staging-${process.pid}`;
  await rm(staging, { recursive: true, force: true });
  const common: BuildOptions = {
    bundle: true,
    minify: true,
    sourcemap: false,
    legalComments: 'none',
    target: 'es2022',
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'error',
  };
  await Promise.all([
    build({
      ...common,
      entryPoints: { main: path.join(SRC, 'main.tsx') },
      outdir: staging,
      format: 'esm',
      splitting: true,
      // Chunks sit next to main.js: workers.ts resolves worker URLs from import.meta.url.
      chunkNames: '[name]-[hash]',
      assetNames: '[name]-[hash]',
      jsx: 'automatic',
      loader: { '.ttf': 'file', '.woff': 'file', '.woff2': 'file' },
      plugins: [skipMonacoCss],
    }),
    build({ ...common, entryPoints: WORKERS, outdir: path.join(staging, 'workers'), format: 'iife' }),
  ]).finally(() => stop()); // esbuild's service process would otherwise keep a caller such as jest alive
  // Lazy chunks get CSS files that the skipped Monaco imports left empty.
  await Promise.all(listFiles(staging).filter((f) => f.endsWith('.css') && statSync(f).size === 0).map((f) => rm(f)));
  writeFileSync(path.join(staging, STAMP_FILE), sourceStamp());
  await rm(outDir, { recursive: true, force: true });
  await rename(staging, outDir);
  const files = listFiles(outDir);
  return {
    outDir,
    files: files.length,
    bytes: files.reduce((sum, file) => sum + statSync(file).size, 0),
    mainJsGzipBytes: gzipSync(readFileSync(path.join(outDir, 'main.js'))).length,
    ms: Date.now() - started,
  };
}

/** Builds only when the sources changed since the bundle in outDir was built (`npm start`). */
export async function buildIdeIfChanged(outDir = IDE_OUT_DIR): Promise<IdeBuildReport | undefined> {
  return isUpToDate(outDir) ? undefined : buildIde(outDir);
}

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? listFiles(full) : [full];
  });
}

if (require.main === module) {
  (process.argv.includes('--force') ? buildIde() : buildIdeIfChanged()).then(
    (r) => {
      if (!r) return; // up to date: nothing to say
      const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;
      process.stdout.write(`IDE bundle: ${r.files} files, ${mb(r.bytes)} (main.js ${mb(r.mainJsGzipBytes)} gzipped) in ${r.ms} ms -> ${path.relative(process.cwd(), r.outDir)}\n`);
    },
    (error: unknown) => {
      process.stderr.write(`IDE build failed: ${(error as Error).message}\n`);
      process.exit(1);
    },
  );
}
