// The load generator: an open-loop mix of reads and writes from virtual users of several
// tenants, at a fixed rate, bounded in time and count. Every HTTP attempt is recorded. With
// `retry`, a client retries reads, and writes under the same Idempotency-Key, until acknowledged
// (as the F5 writers must); without it, each operation is a single attempt.
import { randomUUID } from 'node:crypto';
import type { VirtualUser } from './world';

export interface Attempt {
  readonly op: 'read' | 'write';
  readonly opId: number;
  readonly attempt: number;
  readonly start: number;
  readonly ms: number;
  readonly ok: boolean;
  readonly status: number;
  readonly code?: string;
  readonly error?: string;
  readonly servedBy?: string;
}

/** A create the client sent; `ack` once the API confirmed it. */
export interface WriteRecord {
  readonly title: string;
  readonly idempotencyKey: string;
  readonly projectKey: string;
  readonly orgId: string;
  ack?: { issueKey: string; number: number };
}

export interface LoadOptions {
  readonly ratePerSecond: number;
  readonly writeRatio: number;
  readonly retry: boolean;
  /** Whether reads are retried too (default: like writes). */
  readonly retryReads?: boolean;
  readonly maxOperations: number;
  /** Give up on one operation after this long (writes keep the same key throughout). */
  readonly operationDeadlineMs: number;
  readonly requestTimeoutMs?: number;
}

const NOT_RETRYABLE = new Set(['BAD_USER_INPUT', 'FORBIDDEN', 'NOT_FOUND', 'UNAUTHENTICATED', 'GRAPHQL_VALIDATION_FAILED']);
const READ = 'query { issues(first: 5) { totalCount edges { node { key title } } } }';
const CREATE = 'mutation($input: CreateIssueInput!) { createIssue(input: $input) { key number } }';

export class LoadGenerator {
  readonly attempts: Attempt[] = [];
  readonly writes: WriteRecord[] = [];
  private running = false;
  private readonly pending = new Set<Promise<void>>();
  private opCount = 0;
  private loop: Promise<void> | undefined;

  constructor(
    private readonly baseUrl: string,
    private readonly users: readonly VirtualUser[],
    private readonly options: LoadOptions,
  ) {}

  start(): void {
    this.running = true;
    this.loop = this.run();
  }

  /** Stops issuing new operations and waits for those in progress (retries included). */
  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
    await Promise.all([...this.pending]);
  }

  private async run(): Promise<void> {
    const interval = 1000 / this.options.ratePerSecond;
    let next = Date.now();
    while (this.running && this.opCount < this.options.maxOperations) {
      const id = this.opCount++;
      const user = this.users[id % this.users.length]!;
      const operation = Math.random() < this.options.writeRatio ? this.write(id, user) : this.read(id, user);
      this.pending.add(operation);
      void operation.finally(() => this.pending.delete(operation));
      next += interval;
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, next - Date.now())));
    }
  }

  private read(id: number, user: VirtualUser): Promise<void> {
    return this.operation('read', id, user, READ, {}, undefined).then(() => undefined);
  }

  private async write(id: number, user: VirtualUser): Promise<void> {
    const record: WriteRecord = { title: `fault-write ${randomUUID()}`, idempotencyKey: randomUUID(), projectKey: user.projectKey, orgId: user.orgId };
    this.writes.push(record);
    const data = await this.operation('write', id, user, CREATE, { input: { projectKey: user.projectKey, title: record.title } }, record.idempotencyKey);
    const created = (data as { createIssue?: { key: string; number: number } } | undefined)?.createIssue;
    if (created) record.ack = { issueKey: created.key, number: created.number };
  }

  private async operation(op: Attempt['op'], opId: number, user: VirtualUser, query: string, variables: object, key: string | undefined): Promise<unknown> {
    const deadline = Date.now() + this.options.operationDeadlineMs;
    for (let attempt = 1; ; attempt++) {
      const outcome = await this.send(op, opId, attempt, user, query, variables, key);
      if (outcome.ok) return outcome.data;
      const retryable = !outcome.code || !NOT_RETRYABLE.has(outcome.code);
      const retries = op === 'read' ? (this.options.retryReads ?? this.options.retry) : this.options.retry;
      if (!retries || !retryable || Date.now() > deadline) return undefined;
      // Exponential backoff with full jitter, capped at 5 s, as SDKs do: clients that retry in
      // lockstep would keep a recovering cluster down with their own retry storm.
      await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(5_000, 250 * 2 ** (attempt - 1))));
    }
  }

  private async send(op: Attempt['op'], opId: number, attempt: number, user: VirtualUser, query: string, variables: object, key: string | undefined): Promise<{ ok: boolean; code?: string; data?: unknown }> {
    const start = Date.now();
    const headers: Record<string, string> = { 'content-type': 'application/json', authorization: `Bearer ${user.token}`, 'x-org-id': user.orgId };
    if (key) headers['idempotency-key'] = key;
    let record: Omit<Attempt, 'op' | 'opId' | 'attempt' | 'start' | 'ms'>;
    let data: unknown;
    try {
      const response = await fetch(`${this.baseUrl}/graphql`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ query, variables }),
        signal: AbortSignal.timeout(this.options.requestTimeoutMs ?? 20_000),
      });
      const text = await response.text();
      let body: { data?: unknown; errors?: { extensions?: { code?: string } }[] } = {};
      try {
        body = JSON.parse(text);
      } catch {
        // HAProxy's own error pages are HTML.
      }
      const code = body.errors?.[0]?.extensions?.code;
      const ok = response.status === 200 && !body.errors?.length;
      data = body.data;
      record = { ok, status: response.status, code, servedBy: response.headers.get('x-served-by') ?? undefined, error: ok ? undefined : text.slice(0, 200) };
    } catch (error) {
      record = { ok: false, status: 0, error: String((error as Error).cause ?? error).slice(0, 200) };
    }
    this.attempts.push({ op, opId, attempt, start, ms: Date.now() - start, ...record });
    return { ok: record.ok, code: record.code, data };
  }
}
