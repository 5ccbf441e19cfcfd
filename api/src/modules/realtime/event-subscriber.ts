// One subscriber's stream of IssueEvents, as an async iterator. While it is level with its
// project's feed it takes the feed's rows (live); while it is behind (a resume with `after`,
// or the feed moved on while it was replaying) it reads history itself, at its own pace.
// Either way it only ever takes ids above its cursor, so there is no gap and no duplicate.
import type { IssueEvent } from '../../generated/prisma/client';
import type { TenantDb } from '../../db/tenant-db';
import { EVENT_PAGE, eventsAfter } from './event-reader';

/** What a subscriber needs to know of its project's shared feed. */
export interface FeedView {
  readonly projectId: string;
  /** The newest id the feed has read and offered to its members. */
  readonly head: bigint;
}

export interface SubscriberOptions {
  /** Queued events beyond this make the subscriber a slow consumer: it is closed. */
  readonly bufferLimit: number;
  /** Called once on overflow, after the subscriber has closed and dropped its queue. */
  readonly onOverflow: () => void;
  /** Called once when the subscriber closes for any reason. */
  readonly onClose: (subscriber: EventSubscriber) => void;
  readonly onReadError: (error: unknown) => void;
  readonly retryDelayMs: number;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

export class EventSubscriber implements AsyncIterableIterator<IssueEvent> {
  private queue: IssueEvent[] = [];
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
  ) {}

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
    while (!this.closed) {
      await this.room();
      const limit = Math.max(1, Math.min(EVENT_PAGE, this.options.bufferLimit - this.queue.length));
      let rows: IssueEvent[];
      try {
        rows = await eventsAfter(this.db, this.feed.projectId, this.cursor, limit);
      } catch (error) {
        this.options.onReadError(error);
        await sleep(this.options.retryDelayMs);
        continue;
      }
      for (const row of rows) if (!this.closed && row.id > this.cursor) this.push(row);
      // Decided and cleared in one synchronous step: a feed offer can't slip in between.
      if (rows.length < limit && this.cursor >= this.feed.head) break;
    }
    this.catchingUp = false;
  }

  private push(row: IssueEvent): void {
    this.cursor = row.id;
    const waiter = this.waiter;
    if (waiter) {
      this.waiter = undefined;
      waiter({ value: row, done: false });
      return;
    }
    this.queue.push(row);
    this.peakQueued = Math.max(this.peakQueued, this.queue.length);
    if (this.queue.length > this.options.bufferLimit) {
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
      this.wakeReplay();
      return Promise.resolve({ value: row, done: false });
    }
    if (this.closed) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => (this.waiter = resolve));
  }

  /** Up to `max` events that are already queued, without waiting (lets execution batch them). */
  takeQueued(max: number): IssueEvent[] {
    const taken = this.queue.splice(0, max);
    this.wakeReplay();
    return taken;
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

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.queue = [];
    this.waiter?.({ value: undefined, done: true });
    this.waiter = undefined;
    this.roomWaiter?.();
    this.roomWaiter = undefined;
    this.options.onClose(this);
  }
}
