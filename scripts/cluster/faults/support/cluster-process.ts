// Runs `npm run cluster` as its own process (as a person would) and drives it over its control
// port. Its event loop is not the test's: the fault proxy's timing is not disturbed by the
// load generator.
import { spawn, type ChildProcess } from 'node:child_process';
import { control } from '../../control';
import type { ClusterEvent } from '../../supervisor';
import { PROJECT_ROOT } from '../../../../api/src/project-root';
import { FAULTS_ADMIN_URL, faultsDatabaseUrls } from './faults-env';

export interface InstanceStatus {
  readonly id: number;
  readonly slot: number;
  readonly port: number;
  readonly state: string;
  readonly lb: string;
  readonly poolWaiting: number;
  readonly rssMb: number;
}

export interface ClusterStatus {
  readonly instances: InstanceStatus[];
  readonly frontend: { requests: number; responses5xx: number };
}

export class ClusterProcess {
  private output = '';

  private constructor(
    private readonly child: ChildProcess,
    readonly controlPort: number,
    readonly baseUrl: string,
  ) {
    const note = (chunk: Buffer) => (this.output = (this.output + chunk.toString()).slice(-50_000));
    child.stdout!.on('data', note);
    child.stderr!.on('data', note);
  }

  /** Starts a cluster on its own block of ports and waits for `instances` healthy targets. */
  static async start(options: { instances?: number; env?: Record<string, string>; healthPath?: string } = {}): Promise<ClusterProcess> {
    // A fresh block per cluster (and so a fresh log folder): ports of the last one may linger.
    const block = 18_000 + Math.floor(Math.random() * 150) * 40;
    const ports = { lb: block, stats: block + 1, control: block + 2, instanceBase: block + 10 };
    const instances = options.instances ?? 3;
    const args = [
      '--import', 'tsx', 'scripts/cluster/main.ts', '--no-build',
      '--instances', String(instances),
      '--port', String(ports.lb), '--stats-port', String(ports.stats), '--control-port', String(ports.control),
      '--instance-base-port', String(ports.instanceBase),
      '--health-path', options.healthPath ?? '/health',
      ...Object.entries(options.env ?? {}).flatMap(([k, v]) => ['--env', `${k}=${v}`]),
    ];
    const urls = faultsDatabaseUrls();
    const child = spawn(process.execPath, args, {
      cwd: PROJECT_ROOT,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, DATABASE_URL: urls.app, MIGRATION_DATABASE_URL: urls.owner, TEST_DATABASE_URL: FAULTS_ADMIN_URL },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const cluster = new ClusterProcess(child, ports.control, `http://127.0.0.1:${ports.lb}`);
    await cluster.waitInService(instances, 90_000);
    return cluster;
  }

  ctl<T = unknown>(command: string, ...args: string[]): Promise<T> {
    return control<T>(this.controlPort, command, args);
  }

  status(): Promise<ClusterStatus> {
    return this.ctl<ClusterStatus>('status');
  }

  events(since = 0): Promise<ClusterEvent[]> {
    return this.ctl<ClusterEvent[]>('events', String(since));
  }

  /** `count` instances in service and UP in the balancer, none draining. */
  async waitInService(count: number, timeoutMs: number): Promise<ClusterStatus> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.child.exitCode !== null) throw new Error(`cluster exited with ${this.child.exitCode}:\n${this.output}`);
      const status = await this.status().catch(() => undefined);
      const ready = status?.instances.filter((i) => i.state === 'in-service' && i.lb.startsWith('UP'));
      if (status && ready!.length === count && status.instances.every((i) => i.state !== 'draining' && i.state !== 'exited')) return status;
      if (Date.now() > deadline) throw new Error(`cluster: ${count} instances not in service within ${timeoutMs} ms:\n${this.output.slice(-3000)}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    await this.ctl('shutdown').catch(() => this.child.kill('SIGTERM'));
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 40_000);
    await exited;
    clearTimeout(timer);
  }
}
