// A TCP proxy in front of PostgreSQL that counts what clients send, by reading the frontend
// messages of the wire protocol. It counts every system the same way, without touching their
// code and without pg_stat_statements (not preloaded here; enabling it needs a restart).
//   statements: simple-protocol Query messages plus extended-protocol Execute messages
//   roundTrips: Query plus Sync messages (each waits for the server's ReadyForQuery)
// Connections whose application_name looks like a background job (the job runner, a LISTEN
// connection) are counted apart, so polling does not inflate the per-request numbers.
// Only used in the counting pass: the proxy's own latency stays out of the timed runs.
import net from 'node:net';

export interface StatementCounts {
  statements: number;
  roundTrips: number;
  /** Normalised SQL text -> executions, to show which statements a request ran. */
  texts: Map<string, number>;
  /** Normalised SQL text -> its first execution with its parameters, for EXPLAIN (plans.ts). */
  samples: Map<string, StatementSample>;
  /** Statements sent by background connections. */
  background: number;
}

/** One extended-protocol execution as sent: the statement, its text-format parameters, and the tenant pin of its transaction. */
export interface StatementSample {
  readonly sql: string;
  readonly params: readonly (string | null)[];
  /** The simple-protocol message that opened the transaction, when it carried the pin (`BEGIN; SELECT app_pin_tenant(…)`). */
  readonly pin?: string;
}

const PIN = /^BEGIN; SELECT app_pin_tenant\(/;

const BACKGROUND = /worker|runner|listener/i;

function normalise(sql: string): string {
  // Literals out, so a statement that carries its values inline (the pin folded into BEGIN)
  // is listed once, not once per request.
  return sql.replace(/'(?:[^']|'')*'/g, "'…'").replace(/\s+/g, ' ').trim().slice(0, 160);
}

/** A Bind message's parameter values from `at` (after the portal and statement names), as text; binary ones as null. */
function bindParams(body: Buffer, at: number): (string | null)[] {
  const formats: number[] = [];
  const formatCount = body.readInt16BE(at);
  at += 2;
  for (let i = 0; i < formatCount; i++, at += 2) formats.push(body.readInt16BE(at));
  const count = body.readInt16BE(at);
  at += 2;
  const params: (string | null)[] = [];
  for (let i = 0; i < count; i++) {
    const length = body.readInt32BE(at);
    at += 4;
    const binary = (formats.length === 1 ? formats[0] : formats[i]) === 1;
    params.push(length < 0 || binary ? null : body.toString('utf8', at, at + length));
    if (length > 0) at += length;
  }
  return params;
}

/** Follows one client connection's byte stream, message by message. */
class FrontendParser {
  private buffer: Buffer = Buffer.alloc(0);
  private started = false;
  /** Statement name -> SQL, from Parse messages; Execute refers to portals bound from them. */
  private readonly prepared = new Map<string, string>();
  private readonly portals = new Map<string, { sql: string; params: (string | null)[] }>();
  private background = false;
  private pin: string | undefined;

  constructor(private readonly counts: () => StatementCounts) {}

  /** Reads application_name from the startup message's key/value pairs. */
  private startup(body: Buffer): void {
    const fields = body.toString('utf8', 8).split('\0');
    for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i] === 'application_name') this.background = BACKGROUND.test(fields[i + 1]!);
  }

  push(chunk: Buffer): void {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    for (;;) {
      if (!this.started) {
        // Startup, SSLRequest and CancelRequest have no type byte: Int32 length first.
        if (this.buffer.length < 8) return;
        const length = this.buffer.readInt32BE(0);
        if (this.buffer.length < length) return;
        const code = this.buffer.readInt32BE(4);
        const message = this.buffer.subarray(0, length);
        this.buffer = this.buffer.subarray(length);
        // 80877103 SSLRequest, 80877104 GSSENCRequest: the real startup message follows.
        if (code !== 80877103 && code !== 80877104) {
          this.started = true;
          this.startup(message);
        }
        continue;
      }
      if (this.buffer.length < 5) return;
      const length = this.buffer.readInt32BE(1);
      if (this.buffer.length < 1 + length) return;
      this.message(String.fromCharCode(this.buffer[0]!), this.buffer.subarray(5, 1 + length));
      this.buffer = this.buffer.subarray(1 + length);
    }
  }

  private message(type: string, body: Buffer): void {
    const counts = this.counts();
    if (this.background) {
      if (type === 'Q' || type === 'E') counts.background++;
      return;
    }
    const cstring = (at: number): [string, number] => {
      const end = body.indexOf(0, at);
      return [body.toString('utf8', at, end), end + 1];
    };
    const seen = (sql: string) => {
      const key = normalise(sql);
      counts.texts.set(key, (counts.texts.get(key) ?? 0) + 1);
    };
    if (type === 'Q') {
      counts.statements++;
      counts.roundTrips++;
      const sql = cstring(0)[0];
      if (PIN.test(sql)) this.pin = sql;
      seen(sql);
    } else if (type === 'P') {
      const [name, next] = cstring(0);
      this.prepared.set(name, cstring(next)[0]);
    } else if (type === 'B') {
      const [portal, next] = cstring(0);
      const [statement, at] = cstring(next);
      this.portals.set(portal, { sql: this.prepared.get(statement) ?? '?', params: bindParams(body, at) });
    } else if (type === 'E') {
      counts.statements++;
      const portal = this.portals.get(cstring(0)[0]) ?? { sql: '?', params: [] };
      seen(portal.sql);
      const key = normalise(portal.sql);
      if (!counts.samples.has(key)) counts.samples.set(key, { ...portal, ...(this.pin ? { pin: this.pin } : {}) });
    } else if (type === 'S') {
      counts.roundTrips++;
    }
  }
}

export class CountingProxy {
  counts: StatementCounts = { statements: 0, roundTrips: 0, texts: new Map(), samples: new Map(), background: 0 };
  private server?: net.Server;
  private readonly sockets = new Set<net.Socket>();

  constructor(private readonly upstream: { host: string; port: number }) {}

  async listen(): Promise<number> {
    this.server = net.createServer((client) => {
      const server = net.connect(this.upstream);
      const parser = new FrontendParser(() => this.counts);
      for (const socket of [client, server]) {
        socket.setNoDelay(true);
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => undefined);
      }
      client.on('data', (chunk: Buffer) => {
        parser.push(chunk);
        server.write(chunk);
      });
      server.pipe(client);
      client.on('close', () => server.destroy());
      server.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return (this.server.address() as net.AddressInfo).port;
  }

  reset(): void {
    this.counts = { statements: 0, roundTrips: 0, texts: new Map(), samples: new Map(), background: 0 };
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}
