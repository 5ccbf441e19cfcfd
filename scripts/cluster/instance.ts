// One API instance of the local cluster: the production build (`node dist/api/src/main.js`,
// NODE_ENV=production) as its own process on its own port, its output in a log file.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import path from 'node:path';

export type InstanceState = 'starting' | 'in-service' | 'draining' | 'exited';

export interface InstanceSpec {
  readonly id: number;
  readonly slot: number;
  readonly port: number;
  readonly env: Readonly<Record<string, string>>;
  readonly projectRoot: string;
  readonly logDir: string;
}

export class Instance {
  readonly launchedAt = Date.now();
  state: InstanceState = 'starting';
  /** The balancer's view, from the stats socket. */
  lbStatus = 'MAINT';
  lbUpSince: number | undefined;
  lbDownSince: number | undefined;
  exit: { code: number | null; signal: NodeJS.Signals | null; at: number } | undefined;
  /** From the instance's /metrics, sampled by the supervisor. */
  poolWaiting = 0;
  rssBytes = 0;
  readonly exited: Promise<void>;
  private readonly child: ChildProcess;

  constructor(readonly spec: InstanceSpec) {
    const log = createWriteStream(path.join(spec.logDir, `instance-${spec.id}.log`), { flags: 'a' });
    this.child = spawn(process.execPath, ['dist/api/src/main.js'], {
      cwd: spec.projectRoot,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...spec.env, PORT: String(spec.port), HOST: '127.0.0.1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout!.pipe(log);
    this.child.stderr!.pipe(log);
    this.exited = new Promise((resolve) =>
      this.child.once('exit', (code, signal) => {
        this.exit = { code, signal, at: Date.now() };
        this.state = 'exited';
        resolve();
      }),
    );
  }

  get id(): number {
    return this.spec.id;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get alive(): boolean {
    return this.exit === undefined;
  }

  signal(signal: NodeJS.Signals): void {
    if (this.alive) this.child.kill(signal);
  }

  /** SIGTERM (the instance drains), then SIGKILL if it outlives `killAfterMs`. */
  async stop(killAfterMs: number): Promise<void> {
    if (!this.alive) return;
    this.state = 'draining';
    this.signal('SIGTERM');
    const timer = setTimeout(() => this.signal('SIGKILL'), killAfterMs);
    await this.exited;
    clearTimeout(timer);
  }

  async sampleMetrics(): Promise<void> {
    const text = await fetch(`http://127.0.0.1:${this.spec.port}/metrics`, { signal: AbortSignal.timeout(1_000) }).then((r) => r.text());
    const value = (name: string) => Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
    const waiting = value('db_pool_waiting');
    const rss = value('process_resident_memory_bytes');
    if (Number.isFinite(waiting)) this.poolWaiting = waiting;
    if (Number.isFinite(rss)) this.rssBytes = rss;
  }
}
