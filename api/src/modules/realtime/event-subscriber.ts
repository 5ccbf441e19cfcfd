// One subscriber's stream of IssueEvents, as an async iterator. While it is level with its
// project's feed it takes the feed's rows (live); while it is behind (a resume with `after`,
// or the feed moved on while it was replaying) it reads history itself, at its own pace.
// Either way it only ever takes ids above its cursor, so there is no gap and no duplicate.
// Every event it holds, queued or handed out and not yet sent, counts against its socket's
// byte budget until the execution settles it.
import type { IssueEvent } from '../../generated/prisma/client';
import type { TenantDb } from '../../tenancy/tenant-db';
import { eventBytes, type BudgetHolder, type SocketBudget } from './byte-budget';
import { EVENT_PAGE, EVENT_PAGE_BYTES, eventsAfter } from './event-reader';

/** What a subscriber needs to know of its project's shared feed. */
export interface FeedView {
  readonly projectId: string;
  /** The newest id the feed has read and offered to its members. */
  readonly head: bigint;
}

export interface SubscriberOptions {
  /** Queued events beyond this make the subscriber a slow consumer: it is closed. */
  readonly bufferLimit: number;
  /** The socket's bytes: shared by its subscriptions, and part of the instance's. */
  readonly budget: SocketBudget;
  /** Called once on overflow, after the subscriber has closed and dropped its queue. */
  readonly onOverflow: () => void;
  /** Called once when the subscriber closes for any reason. */
  readonly onClose: (subscriber: EventSubscriber) => void;
  readonly onReadError: (error: unknown) => void;
  readonly retryDelayMs: number;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

/** Bytes of already-queued events executed together at most (and always at least one event). */
const BATCH_BYTES = 2 ** 20;

export class EventSubscriber implements AsyncIterableIterator<IssueEvent>, BudgetHolder {
  private queue: IssueEvent[] = [];
  private queuedBytes = 0;
  /** Handed out for execution and not yet settled (sent). */
  private outBytes = 0;
  private waiter: ((result: IteratorResult<IssueEvent>) => void) | undefined;
  private roomWaiter: (() => void) | undefined;
  private catchingUp = false;
  private closed = false;
  /** The most events this subscriber ever had queued (tests, diagnostics). */
  peakQueued = 0;

  constructor(
    private readonly feed: FeedView,
    private readonly db: TenantDb,
    /** The id of the last event handed to the stream. */
    public cursor: bigint,
    private readonly options: SubscriberOptions,
  ) {
    options.budget.hold(this);
  }

  get queued(): number {
    return this.queue.length;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** The feed's newest rows: every id in (previousHead, feed.head]. */
  offer(rows: readonly IssueEvent[], previousHead: bigint): void {
    if (this.closed || this.catchingUp) return; // the replay loop compares against feed.head itself
    if (this.cursor < previousHead) return this.catchUp();
    for (const row of rows) if (row.id > this.cursor) this.push(row);
  }

  /** Starts reading what the subscriber missed; stops once it is level with the feed. */
  catchUp(): void {
    if (this.catchingUp || this.closed) return;
    this.catchingUp = true;
    void this.replay();
  }

  private async replay(): Promise<void> {
    const { budget } = this.options;
    while (!this.closed) {
      await this.room();
      await budget.whenRoom();
      if (this.closed) break;
      const limit = Math.max(1, Math.min(EVENT_PAGE, this.options.bufferLimit - this.queue.length));
      // Reserved before reading, so the socket's other replays see it taken.
      const grant = Math.min(EVENT_PAGE_BYTES, budget.grant());
      if (grant <= 0) continue;
      budget.charge(grant, true);
      let page;
      try {
        page = await eventsAfter(this.db, this.feed.projectId, this.cursor, limit, grant);
      } catch (error) {
        this.options.onReadError(error);
        await sleep(this.options.retryDelayMs);
        continue;
      } finally {
        budget.release(grant);
      }
      for (const row of page.rows) if (!this.closed && row.id > this.cursor) this.push(row, true);
      // Decided and cleared in one synchronous step: a feed offer can't slip in between.
      if (!page.hasMore && this.cursor >= this.feed.head) break;
    }
    this.catchingUp = false;
  }

  /** Paced: a replay's row (it waited for room), which never cuts off its own socket. */
  private push(row: IssueEvent, paced = false): void {
    this.cursor = row.id;
    const size = eventBytes(row);
    const waiter = this.waiter;
    if (waiter) {
      this.waiter = undefined;
      this.outBytes += size;
      // May cut off the socket, and with it this subscriber: then the stream just ends.
      this.options.budget.charge(size, paced);
      waiter(this.closed ? { value: undefined, done: true } : { value: row, done: false });
      return;
    }
    this.queue.push(row);
    this.queuedBytes += size;
    this.peakQueued = Math.max(this.peakQueued, this.queue.length);
    this.options.budget.charge(size, paced);
    if (!this.closed && this.queue.length > this.options.bufferLimit) {
      this.close();
      this.options.onOverflow();
    }
  }

  /** Waits while the queue is over half full, so a replay never overflows it. */
  private room(): Promise<void> {
    if (this.queue.length <= this.options.bufferLimit / 2) return Promise.resolve();
    return new Promise((resolve) => (this.roomWaiter = resolve));
  }

  next(): Promise<IteratorResult<IssueEvent>> {
    const row = this.queue.shift();
    if (row) {
      this.handOut(eventBytes(row));
      this.wakeReplay();
      return Promise.resolve({ value: row, done: false });
    }
    if (this.closed) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => (this.waiter = resolve));
  }

  /** Up to `max` events (and about BATCH_BYTES) already queued, without waiting (lets execution batch them). */
  takeQueued(max: number): IssueEvent[] {
    let count = 0;
    let bytes = 0;
    while (count < max && count < this.queue.length && bytes < BATCH_BYTES) bytes += eventBytes(this.queue[count++]!);
    const taken = this.queue.splice(0, count);
    this.handOut(bytes);
    this.wakeReplay();
    return taken;
  }

  /** Everything handed out so far has been sent: its bytes are free. */
  settle(): void {
    const bytes = this.outBytes;
    this.outBytes = 0;
    this.options.budget.release(bytes);
  }

  private handOut(bytes: number): void {
    this.queuedBytes -= bytes;
    this.outBytes += bytes;
  }

  private wakeReplay(): void {
    if (this.roomWaiter && this.queue.length <= this.options.bufferLimit / 2) {
      const wake = this.roomWaiter;
      this.roomWaiter = undefined;
      wake();
    }
  }

  return(): Promise<IteratorResult<IssueEvent>> {
    this.close();
    return Promise.resolve({ value: undefined, done: true });
  }

  throw(error?: unknown): Promise<IteratorResult<IssueEvent>> {
    this.close();
    return Promise.reject(error);
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<IssueEvent> {
    return this;
  }

  /** The socket was cut off: let go of everything. */
  drop(): void {
    this.close();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.queue = [];
    this.options.budget.unhold(this);
    this.options.budget.release(this.queuedBytes + this.outBytes);
    this.queuedBytes = 0;
    this.outBytes = 0;
    this.waiter?.({ value: undefined, done: true });
    this.waiter = undefined;
    this.roomWaiter?.();
    this.roomWaiter = undefined;
    this.options.onClose(this);
  }
}
