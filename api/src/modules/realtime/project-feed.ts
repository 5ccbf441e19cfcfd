// The live read of one project's events on this instance, shared by its local subscribers:
// a notification costs one query per project per instance, however many sockets watch it.
// The feed only ever reads ids above its head, so a lost or coalesced notification just
// means the next wake-up reads a little more; nothing depends on each NOTIFY arriving.
import type { Logger } from 'pino';
import type { TenantDb } from '../../tenancy/tenant-db';
import { EVENT_PAGE, eventsAfter, latestEventId } from './event-reader';
import type { EventSubscriber, FeedView } from './event-subscriber';

export class ProjectFeed implements FeedView {
  head = 0n;
  /** Resolves once head is the project's newest id at creation. */
  readonly ready: Promise<void>;
  private readonly members = new Set<EventSubscriber>();
  private isReading = false;
  private isWanted = false;

  constructor(
    /** Org-scoped, no user: what the feed reads is then narrowed per subscriber by execution. */
    private readonly db: TenantDb,
    readonly projectId: string,
    private readonly logger: Logger,
    private readonly retryDelayMs: number,
  ) {
    this.ready = latestEventId(db, projectId).then((id) => {
      this.head = id;
    });
  }

  get size(): number {
    return this.members.size;
  }

  get subscribers(): ReadonlySet<EventSubscriber> {
    return this.members;
  }

  add(subscriber: EventSubscriber): void {
    this.members.add(subscriber);
  }

  remove(subscriber: EventSubscriber): void {
    this.members.delete(subscriber);
  }

  /** Something may have committed; `newestId` (from the notification) skips needless reads. */
  poke(newestId?: bigint): void {
    if (newestId !== undefined && newestId <= this.head) return;
    this.isWanted = true;
    if (!this.isReading) void this.read();
  }

  private async read(): Promise<void> {
    this.isReading = true;
    try {
      await this.ready;
      while (this.isWanted && this.members.size > 0) {
        this.isWanted = false;
        let page;
        do {
          page = await eventsAfter(this.db, this.projectId, this.head, EVENT_PAGE);
          const { rows } = page;
          if (rows.length === 0) break;
          const previousHead = this.head;
          this.head = rows[rows.length - 1]!.id;
          for (const member of [...this.members]) member.offer(rows, previousHead);
        } while (page.hasMore && this.members.size > 0);
      }
    } catch (error) {
      // The database blinked: try again shortly; subscribers just see the events a bit later.
      this.logger.warn({ err: error, projectId: this.projectId }, 'realtime feed read failed; retrying');
      this.isWanted = true;
      if (this.members.size > 0) setTimeout(() => this.poke(), this.retryDelayMs).unref();
    } finally {
      this.isReading = false;
    }
  }
}
