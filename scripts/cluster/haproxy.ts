// Runs HAProxy (Debian's package) in the foreground and talks to its runtime API over the admin
// socket: health as the balancer sees it, target registration, traffic counters.
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import net from 'node:net';
import { BACKEND, FRONTEND, renderHaproxyConfig, SLOT_PREFIX, type HaproxyConfigOptions } from './haproxy-config';

export interface SlotHealth {
  readonly slot: number;
  /** HAProxy's words: UP, DOWN, MAINT, DRAIN, NOLB, or a transition like "UP 1/2". */
  readonly status: string;
  readonly up: boolean;
}

export interface FrontendCounters {
  readonly requests: number;
  readonly responses5xx: number;
  readonly currentSessions: number;
}

export class Haproxy {
  private child: ChildProcess | undefined;
  private output = '';

  constructor(
    private readonly configPath: string,
    private readonly options: HaproxyConfigOptions,
  ) {}

  async start(): Promise<void> {
    writeFileSync(this.configPath, renderHaproxyConfig(this.options));
    const child = spawn('haproxy', ['-f', this.configPath, '-db'], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    const note = (chunk: Buffer) => (this.output = (this.output + chunk.toString()).slice(-20_000));
    child.stdout!.on('data', note);
    child.stderr!.on('data', note);
    const deadline = Date.now() + 10_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`haproxy exited with ${child.exitCode}:\n${this.output}`);
      if (await this.command('show info').then(() => true, () => false)) return;
      if (Date.now() > deadline) throw new Error(`haproxy did not open its socket:\n${this.output}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }

  /** One runtime API command; the socket answers and closes. */
  command(line: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(this.options.statsSocket);
      let answer = '';
      socket.setTimeout(3_000, () => socket.destroy(new Error(`haproxy socket timeout on "${line}"`)));
      socket.on('connect', () => socket.end(`${line}\n`));
      socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
      socket.on('error', reject);
      socket.on('close', () => resolve(answer));
    });
  }

  /** Registers a target: health checks start, traffic once it is UP (rise checks passed). */
  async enable(slot: number): Promise<void> {
    // Leaving maintenance, HAProxy assumes a server UP at once ("health down" is ignored while
    // in MAINT); an ALB target starts "initial" and needs `rise` passing checks. Both commands
    // on one line run back to back, so no request is routed to the slot in between.
    const server = `${BACKEND}/${SLOT_PREFIX}${slot}`;
    await this.command(`set server ${server} state ready; set server ${server} health down`);
  }

  /** Deregisters a target whose process is gone. */
  async disable(slot: number): Promise<void> {
    await this.command(`set server ${BACKEND}/${SLOT_PREFIX}${slot} state maint`);
  }

  private async rows(): Promise<Record<string, string>[]> {
    const csv = await this.command('show stat');
    const [header, ...lines] = csv.trim().split('\n');
    const names = (header ?? '').replace(/^# /, '').split(',');
    return lines.filter(Boolean).map((line) => {
      const cells = line.split(',');
      return Object.fromEntries(names.map((name, i) => [name, cells[i] ?? '']));
    });
  }

  async snapshot(): Promise<{ slots: SlotHealth[]; frontend: FrontendCounters }> {
    const rows = await this.rows();
    const slots = rows
      .filter((r) => r.pxname === BACKEND && r.svname?.startsWith(SLOT_PREFIX))
      .map((r) => ({ slot: Number(r.svname!.slice(SLOT_PREFIX.length)), status: r.status ?? '', up: /^UP/.test(r.status ?? '') }));
    const fe = rows.find((r) => r.pxname === FRONTEND && r.svname === 'FRONTEND');
    return {
      slots,
      frontend: { requests: Number(fe?.req_tot ?? 0), responses5xx: Number(fe?.hrsp_5xx ?? 0), currentSessions: Number(fe?.scur ?? 0) },
    };
  }
}
