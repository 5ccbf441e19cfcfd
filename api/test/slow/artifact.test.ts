// The production image, proven without a Docker engine: the Dockerfile is linted here (no
// hadolint on Debian), then its stages are built the way Docker would (scripts/artifact/dockerfile-build.ts)
// and the runtime stage is run as the image runs it (scripts/artifact/verify-artifact.ts). Slow: two
// `npm ci` runs and a build, about two minutes. The broken variants prove the check can fail.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildArtifact, dockerIgnored, execForm, flagsOf, parseDockerfile, type Artifact, type Stage } from '../../../scripts/artifact/dockerfile-build';
import { checkContents, runArtifact } from '../../../scripts/artifact/verify-artifact';
import { PROJECT_ROOT } from '../../src/project-root';

const DOCKERFILE = fs.readFileSync(path.join(PROJECT_ROOT, 'Dockerfile'), 'utf8');
const stages = parseDockerfile(DOCKERFILE);
const stage = (name: string): Stage => stages.find((s) => s.name === name)!;
const runtime = stages.at(-1)!;
const args = (s: Stage, keyword: string) => s.instructions.filter((i) => i.keyword === keyword).map((i) => i.args);

describe('the Dockerfile', () => {
  test('builds in stages deps → build → runtime from a pinned Node 24 bookworm-slim image', () => {
    const names = stages.map((s) => s.name);
    expect(names.indexOf('deps')).toBeLessThan(names.indexOf('build'));
    expect(runtime.name).toBe('runtime');
    const external = stages.filter((s) => !names.includes(s.from)).map((s) => s.from);
    expect(external.length).toBeGreaterThan(0);
    for (const image of external) expect(image).toMatch(/^node:24\.\d+\.\d+-bookworm-slim(@sha256:[0-9a-f]{64})?$/);
    expect(DOCKERFILE).not.toMatch(/^\s*ADD\s/im);
  });

  test('installs with npm ci, generates the Prisma client and compiles in the build stage, and ships production dependencies only', () => {
    expect(args(stage('deps'), 'RUN').join('\n')).toMatch(/\bnpm ci\b/);
    expect(DOCKERFILE).not.toMatch(/npm install\b/);
    expect(args(stage('build'), 'RUN').join('\n')).toMatch(/\bnpm run build\b/);
    const modules = args(runtime, 'COPY').map(flagsOf).find((c) => /\bnode_modules$/.test(c.rest));
    expect(modules?.flags.from).toBeDefined();
    expect(args(stage(modules!.flags.from!), 'RUN').join('\n')).toMatch(/npm (ci|prune) .*--omit=dev/);
    expect(args(runtime, 'ENV').join(' ')).toMatch(/\bNODE_ENV=production\b/);
  });

  test('runs as a non-root user under tini, exposes 4000, checks /health, and starts Node in exec form without migrating', () => {
    const keywords = runtime.instructions.map((i) => i.keyword);
    const user = args(runtime, 'USER').at(-1);
    expect(user).toBeDefined();
    expect(user).not.toMatch(/^(root|0)(:|$)/);
    expect(keywords.lastIndexOf('USER')).toBeLessThan(keywords.indexOf('CMD'));
    expect(args(runtime, 'EXPOSE')).toEqual(['4000']);
    expect(execForm(args(runtime, 'ENTRYPOINT')[0]!)).toEqual(['/usr/bin/tini', '--']);
    expect(execForm(args(runtime, 'CMD')[0]!)).toEqual(['node', 'dist/api/src/main.js']);
    const healthcheck = args(runtime, 'HEALTHCHECK')[0]!;
    expect(execForm(healthcheck.replace(/^.*?\bCMD\s+/, ''))).toEqual(['node', '-e', expect.stringContaining('/health')]);
    expect([...args(runtime, 'RUN'), ...args(runtime, 'CMD'), ...args(runtime, 'ENTRYPOINT')].join('\n')).not.toMatch(/migrate/);
  });

  test('installs OS packages pinned, without recommends, and leaves no apt lists behind', () => {
    for (const run of stages.flatMap((s) => args(s, 'RUN')).filter((r) => /apt-get install/.test(r))) {
      expect(run).toMatch(/--no-install-recommends/);
      expect(run).toMatch(/rm -rf \/var\/lib\/apt\/lists/);
      for (const pkg of run.split(/apt-get install/)[1]!.split('&&')[0]!.split(/\s+/).filter((w) => w && !w.startsWith('-'))) expect(pkg).toMatch(/=/);
    }
  });

  test('.dockerignore keeps secrets, local builds and dependencies out of the build context', () => {
    const patterns = fs.readFileSync(path.join(PROJECT_ROOT, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
    for (const file of ['.git/HEAD', 'node_modules/pg/package.json', 'api/node_modules/x.js', 'dist/api/src/main.js', '.env', 'api/.env.local', '.data/postgres-17/PG_VERSION', 'api/src/generated/prisma/client.ts', 'coverage/index.html']) {
      expect([file, dockerIgnored(file, patterns)]).toEqual([file, true]);
    }
    for (const file of ['package.json', 'package-lock.json', 'prisma.config.ts', 'scripts/db-migrate.cjs', 'scripts/prisma-bridge/prisma.cjs', 'prisma/schema.prisma', 'prisma/migrations/migration_lock.toml', 'api/src/main.ts', 'tsconfig.build.json', 'ide/src/main.tsx', 'ide/build.ts']) {
      expect([file, dockerIgnored(file, patterns)]).toEqual([file, false]);
    }
    // Tooling workspaces the image never needs stay out of the build context.
    for (const file of ['scripts/bench/index.ts', 'scripts/cluster/main.ts', 'scripts/artifact/verify-artifact.ts', 'cdktf/main.ts']) {
      expect([file, dockerIgnored(file, patterns)]).toEqual([file, true]);
    }
  });
});

describe('the built artifact', () => {
  let workDir: string;
  let artifact: Artifact;

  beforeAll(() => {
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'artifact-test-'));
  });

  afterAll(() => fs.rmSync(workDir, { recursive: true, force: true }));

  test('starts with NODE_ENV=production as its CMD does, migrates with npm run db:migrate, and serves /health, /ready and GraphQL', async () => {
    artifact = buildArtifact({ root: PROJECT_ROOT, workDir: path.join(workDir, 'image') });
    expect(artifact.skipped).toEqual([expect.stringMatching(/^runtime: RUN apt-get update .*apt-get install .*tini/)]);
    expect(checkContents(artifact)).toEqual([]);
    const report = await runArtifact(artifact);
    expect(report).toMatchObject({ health: 200, ready: 200, graphql: { status: 200, email: expect.stringMatching(/@example\.com$/) }, ide: 200, healthcheckExit: 0, exitCode: 0, nonJsonLines: [] });
    console.log(`artifact: migrate ${report.migrateMs} ms, start ${report.startMs} ms, shutdown ${report.shutdownMs} ms`);
  }, 900_000);

  test('fails when the runtime stage lacks the generated Prisma client', async () => {
    expect(artifact).toBeDefined();
    const broken = buildArtifact({ root: PROJECT_ROOT, workDir: path.join(workDir, 'no-client'), dockerfile: DOCKERFILE.replace(/^USER /m, 'RUN rm -rf dist/api/src/generated\nUSER '), reuse: artifact });
    expect(checkContents(broken)).toContain('missing dist/api/src/generated/prisma/client.js');
    await expect(runArtifact(broken)).rejects.toThrow(/exited \(1\) at start[\s\S]*Cannot find module/);
  }, 300_000);

  test('fails when the runtime stage ships the development dependencies', () => {
    expect(artifact).toBeDefined();
    const fat = DOCKERFILE.replace(/--from=prod-deps (\S+)node_modules/, '--from=deps $1node_modules');
    expect(fat).not.toBe(DOCKERFILE);
    const broken = buildArtifact({ root: PROJECT_ROOT, workDir: path.join(workDir, 'dev-deps'), dockerfile: fat, reuse: artifact });
    const problems = checkContents(broken);
    expect(problems).toContainEqual(expect.stringMatching(/^\d+ dev-only packages installed, e\.g\. /));
    // The Prisma CLI is a development tool now: migrations run on the plain SQL runner.
    expect(problems).toContain('ships node_modules/prisma');
  }, 300_000);
});
