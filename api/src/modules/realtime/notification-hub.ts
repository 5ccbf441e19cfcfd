// This instance's side of Subscription.notificationAdded. Notifications are written in the
// change's transaction, which NOTIFYs their ids on commit to every instance's listener; the hub
// hands each id to the recipient's own streams here. The stream carries ids only: each batch
// is loaded and executed under the member's tenant as of then (subscription-execution.ts checks
// the membership again first), so a member removed meanwhile gets nothing more.
import type { Logger } from 'pino';
import { requireRole } from '../../auth/roles';
import type { Tenant } from '../../graphql/context';
import type { SubscriberLink } from './event-hub';

interface Note {
  readonly orgId: string;
  readonly userId: string;
  readonly id: string;
}

/** One subscription's queue of notification row ids, bounded by the socket's buffer limit. */
export class NotificationStream implements AsyncIterableIterator<string> {
  private readonly queue: string[] = [];
  private waiting: ((result: IteratorResult<string>) => void) | undefined;
  private closed = false;

  constructor(
    private readonly link: SubscriberLink,
    private readonly onClose: (stream: NotificationStream) => void,
  ) {}

  push(id: string): void {
    if (this.closed) return;
    if (this.waiting) {
      const resolve = this.waiting;
      this.waiting = undefined;
      return resolve({ value: id, done: false });
    }
    // A client that stops reading does not grow the queue without end: the socket decides (closes).
    if (this.queue.length >= this.link.bufferLimit) return this.link.onOverflow();
    this.queue.push(id);
  }

  /** Ids already waiting, for one batch (subscription-execution.ts). */
  takeQueued(max: number): string[] {
    return this.queue.splice(0, max);
  }

  next(): Promise<IteratorResult<string>> {
    if (this.queue.length > 0) return Promise.resolve({ value: this.queue.shift()!, done: false });
    if (this.closed) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => (this.waiting = resolve));
  }

  return(): Promise<IteratorResult<string>> {
    this.close();
    return Promise.resolve({ value: undefined, done: true });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.queue.length = 0;
    this.waiting?.({ value: undefined, done: true });
    this.waiting = undefined;
    this.onClose(this);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}

export class NotificationHub {
  private readonly streams = new Map<string, Set<NotificationStream>>();

  constructor(private readonly logger: Logger) {}

  /** The member's own notifications in this organization, from now on. Any member, VIEWER too. */
  subscribe(tenant: Tenant, link: SubscriberLink): NotificationStream {
    requireRole(tenant, 'read');
    const key = `${tenant.orgId}:${tenant.userId}`;
    const set = this.streams.get(key) ?? new Set<NotificationStream>();
    this.streams.set(key, set);
    const stream = new NotificationStream(link, (closed) => {
      set.delete(closed);
      if (set.size === 0 && this.streams.get(key) === set) this.streams.delete(key);
    });
    set.add(stream);
    return stream;
  }

  /** A NOTIFY payload from the listener: {"orgId", "userId", "id"}. */
  notify(payload: string): void {
    try {
      const note = JSON.parse(payload) as Note;
      for (const stream of this.streams.get(`${note.orgId}:${note.userId}`) ?? []) stream.push(String(note.id));
    } catch (error) {
      this.logger.warn({ err: error }, 'ignoring a malformed notification payload');
    }
  }

  get size(): number {
    let count = 0;
    for (const set of this.streams.values()) count += set.size;
    return count;
  }

  closeAll(): void {
    for (const set of [...this.streams.values()]) for (const stream of [...set]) stream.close();
  }
}
