// Builds the Dockerfile's stages without a Docker engine, in temporary folders: COPY from the
// build context (git's files less .dockerignore) or an earlier stage, RUN as written in the
// stage's WORKDIR with its ENV. RUN steps that install OS packages are skipped and reported:
// those come from the base image, which this machine stands in for (node, npm).
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface Instruction { readonly keyword: string; readonly args: string; readonly line: number }
export interface Stage { readonly name: string; readonly from: string; readonly instructions: Instruction[] }

export function parseDockerfile(text: string): Stage[] {
  const stages: Stage[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const start = i;
    let line = lines[i]!;
    if (/^\s*(#|$)/.test(line)) continue;
    while (/\\\s*$/.test(line) && i + 1 < lines.length) line = line.replace(/\\\s*$/, ' ') + lines[++i]!.trim();
    const [, keyword = '', args = ''] = /^\s*(\S+)\s*(.*)$/.exec(line) ?? [];
    const instruction = { keyword: keyword.toUpperCase(), args: args.trim(), line: start + 1 };
    if (instruction.keyword === 'FROM') {
      const [from = '', , name] = instruction.args.split(/\s+/);
      stages.push({ name: name ?? String(stages.length), from, instructions: [] });
    } else stages.at(-1)?.instructions.push(instruction);
  }
  return stages;
}

/** Exec form (["a","b"]) as an array; undefined for shell form. */
export function execForm(args: string): string[] | undefined {
  if (!args.startsWith('[')) return undefined;
  const parsed: unknown = JSON.parse(args);
  return Array.isArray(parsed) && parsed.every((p) => typeof p === 'string') ? (parsed as string[]) : undefined;
}

/** Splits leading --flag=value options from the rest of an instruction. */
export function flagsOf(args: string): { flags: Record<string, string>; rest: string } {
  const flags: Record<string, string> = {};
  let rest = args;
  for (let m; (m = /^--([a-z-]+)(?:=(\S+))?\s+/.exec(rest)); rest = rest.slice(m[0].length)) flags[m[1]!] = m[2] ?? 'true';
  return { flags, rest };
}

/** Docker's .dockerignore rules for the subset we use: globs with * ** ?, later lines win, ! re-includes. */
export function dockerIgnored(file: string, patterns: readonly string[]): boolean {
  let ignored = false;
  for (const raw of patterns) {
    const negate = raw.startsWith('!');
    const glob = path.posix.normalize((negate ? raw.slice(1) : raw).replace(/^\/+|\/+$/g, ''));
    const source = glob
      .split('/')
      .map((part) => (part === '**' ? '\0' : part.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]')))
      .join('/')
      // `**` is any number of folders, none included: `**/x` matches a top-level x too.
      .replace(/\0\//g, '(?:.*/)?')
      .replace(/\/?\0/g, '(?:/.*)?');
    // A pattern that names a folder covers everything below it.
    if (new RegExp(`^${source}(/.*)?$`).test(file)) ignored = !negate;
  }
  return ignored;
}

/** What `docker build .` sends from a clean checkout: files git would commit, less .dockerignore. */
export function contextFiles(root: string): string[] {
  const ignore = fs.existsSync(path.join(root, '.dockerignore'))
    ? fs.readFileSync(path.join(root, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'))
    : [];
  const listed = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: root, maxBuffer: 64 << 20 });
  return [...new Set(listed.toString().split('\0').filter(Boolean))].filter((f) => fs.existsSync(path.join(root, f)) && !dockerIgnored(f, ignore));
}

interface BuiltStage { readonly name: string; readonly root: string; readonly workdir: string; readonly env: Record<string, string>; readonly fingerprint: string }

export interface Artifact {
  /** The external image the runtime stage descends from, e.g. node:24.21.0-bookworm-slim. */
  readonly image: string;
  /** The runtime stage's WORKDIR on this machine. */
  readonly dir: string;
  readonly env: Record<string, string>;
  readonly cmd: string[];
  readonly healthcheck: string[] | undefined;
  readonly user: string | undefined;
  readonly stages: ReadonlyMap<string, BuiltStage>;
  readonly skipped: string[];
}

export interface BuildOptions {
  readonly root: string;
  readonly workDir: string;
  readonly dockerfile?: string;
  /** Stages of an earlier build whose instructions (and ancestors') are unchanged are reused. */
  readonly reuse?: Artifact;
  readonly log?: (message: string) => void;
}

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): void {
  const result = spawnSync(command, args, { cwd, env, encoding: 'utf8', maxBuffer: 256 << 20 });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${result.status ?? result.signal}):\n${(result.stdout + result.stderr).slice(-4000)}`);
}

/**
 * RUN steps get a HOME of their own, as in the image, and an npm cache of their own, so a step
 * like `npm cache clean` cannot touch this machine's. It is seeded with hard links to the
 * machine's cache (cacache never rewrites a file in place), which keeps `npm ci` off the network.
 */
function runEnvironment(workDir: string): NodeJS.ProcessEnv {
  const home = path.join(workDir, 'home');
  const cache = path.join(os.tmpdir(), 'verify-artifact-npm-cache');
  const machineCache = path.join(os.homedir(), '.npm', '_cacache');
  fs.mkdirSync(home, { recursive: true });
  if (!fs.existsSync(path.join(cache, '_cacache')) && fs.existsSync(machineCache)) {
    fs.mkdirSync(cache, { recursive: true });
    // Hard links need one file system; without them npm simply downloads.
    if (spawnSync('cp', ['-al', machineCache, path.join(cache, '_cacache')]).status !== 0) fs.rmSync(path.join(cache, '_cacache'), { recursive: true, force: true });
  }
  return { PATH: process.env.PATH, HOME: home, npm_config_cache: cache };
}

export function buildArtifact(options: BuildOptions): Artifact {
  const log = options.log ?? (() => undefined);
  const runEnv = runEnvironment(options.workDir);
  const stages = parseDockerfile(options.dockerfile ?? fs.readFileSync(path.join(options.root, 'Dockerfile'), 'utf8'));
  const context = path.join(options.workDir, 'context');
  for (const file of contextFiles(options.root)) {
    fs.mkdirSync(path.dirname(path.join(context, file)), { recursive: true });
    fs.copyFileSync(path.join(options.root, file), path.join(context, file));
    fs.chmodSync(path.join(context, file), fs.statSync(path.join(options.root, file)).mode);
  }
  const built = new Map<string, BuiltStage>();
  const skipped: string[] = [];
  let last: { stage: Stage; cmd: string[]; healthcheck?: string[]; user?: string } | undefined;
  for (const stage of stages) {
    const parent = built.get(stage.from);
    const fingerprint = JSON.stringify([parent?.fingerprint ?? stage.from, stage.instructions.map((i) => [i.keyword, i.args])]);
    const reused = options.reuse?.stages.get(stage.name);
    const root = path.join(options.workDir, 'stages', stage.name);
    let workdir = parent?.workdir ?? '/';
    const env = { ...parent?.env };
    let state = { stage, cmd: [] as string[], healthcheck: undefined as string[] | undefined, user: undefined as string | undefined };
    const canReuse = reused?.fingerprint === fingerprint;
    if (!canReuse) {
      fs.mkdirSync(path.dirname(root), { recursive: true });
      if (parent) run('cp', ['-a', parent.root, root], options.workDir, process.env);
      else fs.mkdirSync(root, { recursive: true });
    }
    log(`stage ${stage.name}${canReuse ? ' (reused)' : ''}`);
    for (const { keyword, args } of stage.instructions) {
      const here = () => path.join(canReuse ? reused!.root : root, workdir);
      if (keyword === 'WORKDIR') workdir = path.posix.resolve(workdir, args);
      else if (keyword === 'ENV') for (const [, k, v] of args.matchAll(/(\w+)=("[^"]*"|\S+)/g)) env[k!] = v!.replace(/^"|"$/g, '');
      else if (keyword === 'USER') state.user = args;
      else if (keyword === 'CMD') state.cmd = execForm(args) ?? ['/bin/sh', '-c', args];
      else if (keyword === 'HEALTHCHECK') state.healthcheck = execForm(args.replace(/^.*?\bCMD\s+/, ''));
      if (canReuse) continue;
      if (keyword === 'WORKDIR') fs.mkdirSync(here(), { recursive: true });
      if (keyword === 'COPY') copyInstruction(args, { context, built, dest: here(), root });
      if (keyword === 'RUN') {
        const command = flagsOf(args).rest;
        if (/\bapt-get\b/.test(command)) {
          skipped.push(`${stage.name}: RUN ${command}`);
          continue;
        }
        log(`  RUN ${command}`);
        run('/bin/sh', ['-c', command], here(), { ...runEnv, ...env });
      }
    }
    built.set(stage.name, canReuse ? reused! : { name: stage.name, root, workdir, env, fingerprint });
    last = state;
  }
  const runtime = built.get(last!.stage.name)!;
  let image = last!.stage.from;
  while (built.has(image)) image = stages.find((s) => s.name === image)!.from;
  return { image, dir: path.join(runtime.root, runtime.workdir), env: runtime.env, cmd: last!.cmd, healthcheck: last!.healthcheck, user: last!.user, stages: built, skipped };
}

function copyInstruction(args: string, at: { context: string; built: Map<string, BuiltStage>; dest: string; root: string }): void {
  const { flags, rest } = flagsOf(args);
  const parts = execForm(rest) ?? rest.split(/\s+/);
  const dest = parts.pop()!;
  const from = flags.from === undefined ? undefined : at.built.get(flags.from);
  if (flags.from !== undefined && !from) throw new Error(`COPY --from=${flags.from}: no such stage`);
  const target = dest.startsWith('/') ? path.join(at.root, dest) : path.join(at.dest, dest);
  for (const source of parts) {
    const src = from ? path.join(from.root, path.posix.resolve(from.workdir, source)) : path.join(at.context, source);
    if (!fs.existsSync(src)) throw new Error(`COPY ${source}: not found in ${from ? `stage ${from.name}` : 'the build context'}`);
    const into = dest.endsWith('/') || parts.length > 1 ? path.join(target, path.basename(source)) : target;
    fs.mkdirSync(path.dirname(into), { recursive: true });
    // A folder's contents are copied, not the folder itself, as Docker does.
    run('cp', fs.statSync(src).isDirectory() ? ['-a', `${src}/.`, into] : ['-a', src, into], at.root, process.env);
    if (flags.chmod) run('chmod', ['-R', flags.chmod, into], at.root, process.env);
  }
}
