// A TCP proxy between the API instances and PostgreSQL that can lose the database on purpose:
// `cut` resets every open connection and black-holes new ones (accepted, never answered, like a
// database host that vanished from the network), `restore` heals it, `latency` adds that many
// milliseconds to every round trip (half on the way there, half on the way back). The machine's PostgreSQL is never touched. Used by the local
// cluster and by the API's outage tests; loopback only.
import net from 'node:net';

export type CutMode = 'blackhole' | 'reset';

export interface ProxyStats {
  readonly accepted: number;
  readonly open: number;
  readonly held: number;
  readonly cut: CutMode | null;
  readonly latencyMs: number;
}

/** Delivers chunks in order, each no earlier than its time: one timer per direction. */
class DelayedPipe {
  private readonly queue: { at: number; chunk: Buffer }[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly to: net.Socket,
    private readonly latency: () => number,
  ) {}

  push(chunk: Buffer): void {
    const ms = this.latency();
    if (ms <= 0 && this.queue.length === 0) {
      this.to.write(chunk);
      return;
    }
    this.queue.push({ at: Date.now() + ms, chunk });
    this.schedule();
  }

  private schedule(): void {
    if (this.timer || this.queue.length === 0) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      const now = Date.now();
      while (this.queue.length > 0 && this.queue[0]!.at <= now) {
        if (!this.to.destroyed) this.to.write(this.queue.shift()!.chunk);
        else this.queue.shift();
      }
      this.schedule();
    }, Math.max(0, this.queue[0]!.at - Date.now()));
  }

  stop(): void {
    clearTimeout(this.timer);
    this.queue.length = 0;
  }
}

export class DbFaultProxy {
  private readonly server: net.Server;
  private readonly pairs = new Set<{ client: net.Socket; upstream: net.Socket; stop(): void }>();
  private readonly held = new Set<net.Socket>();
  private accepted = 0;
  private cutMode: CutMode | null = null;
  private latencyMs = 0;

  constructor(
    private readonly target: { host: string; port: number },
    private readonly listen: { host: string; port: number } = { host: '127.0.0.1', port: 0 },
  ) {
    this.server = net.createServer((client) => this.accept(client));
  }

  async start(): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.listen.port, this.listen.host, () => resolve());
    });
    return (this.server.address() as net.AddressInfo).port;
  }

  get port(): number {
    return (this.server.address() as net.AddressInfo).port;
  }

  stats(): ProxyStats {
    return { accepted: this.accepted, open: this.pairs.size, held: this.held.size, cut: this.cutMode, latencyMs: this.latencyMs };
  }

  /** Loses the database: open connections are reset; new ones hang (blackhole) or are reset. */
  cut(mode: CutMode = 'blackhole'): void {
    this.cutMode = mode;
    for (const pair of this.pairs) {
      pair.stop();
      pair.client.resetAndDestroy();
      pair.upstream.destroy();
    }
    this.pairs.clear();
  }

  restore(): void {
    this.cutMode = null;
    // Connections held during the cut never reached the database: the client gave up on them.
    for (const socket of this.held) socket.destroy();
    this.held.clear();
  }

  setLatency(ms: number): void {
    this.latencyMs = Math.max(0, ms);
  }

  async close(): Promise<void> {
    this.cut('reset');
    this.restore();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: net.Socket): void {
    this.accepted++;
    client.on('error', () => undefined);
    if (this.cutMode === 'reset') {
      client.resetAndDestroy();
      return;
    }
    if (this.cutMode === 'blackhole') {
      this.held.add(client);
      client.on('close', () => this.held.delete(client));
      return;
    }
    const upstream = net.connect(this.target.port, this.target.host);
    upstream.setNoDelay(true);
    client.setNoDelay(true);
    upstream.on('error', () => undefined);
    const toServer = new DelayedPipe(upstream, () => this.latencyMs / 2);
    const toClient = new DelayedPipe(client, () => this.latencyMs / 2);
    const pair = {
      client,
      upstream,
      stop() {
        toServer.stop();
        toClient.stop();
      },
    };
    this.pairs.add(pair);
    client.on('data', (chunk: Buffer) => toServer.push(chunk));
    upstream.on('data', (chunk: Buffer) => toClient.push(chunk));
    // Either side closing closes the other: a killed API process must look like a dropped
    // connection to PostgreSQL at once, so it rolls back and frees locks (Idempotency-Key).
    const end = () => {
      if (!this.pairs.delete(pair)) return;
      pair.stop();
      client.destroy();
      upstream.destroy();
    };
    client.on('close', end);
    upstream.on('close', end);
  }
}
