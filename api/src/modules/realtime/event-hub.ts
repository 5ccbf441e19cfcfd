// This instance's side of Subscription.issueEvents: one feed per watched project, woken by
// the PostgreSQL listener (notifications from every instance's commits), and the subscribe
// entry point with the same tenant rules as a query. Nothing is fanned out in memory
// between instances: each instance reads committed rows from the database itself.
import type { Logger } from 'pino';
import type { Tenancy } from '../../tenancy/tenancy';
import { requireRole } from '../../auth/roles';
import type { Tenant } from '../../graphql/context';
import { fromGlobalId } from '../../graphql/global-id';
import { findProjectByKey } from '../project/project.service';
import type { SocketBudget } from './byte-budget';
import { EventSubscriber } from './event-subscriber';
import { ProjectFeed } from './project-feed';

/** What the connection that asks for a subscription lends it. */
export interface SubscriberLink {
  readonly bufferLimit: number;
  readonly budget: SocketBudget;
  /** The subscriber fell too far behind: the connection decides what to do (close it). */
  onOverflow(): void;
}

export interface HubStats {
  readonly feeds: number;
  readonly subscribers: number;
  /** Events queued across subscribers right now. */
  readonly queuedEvents: number;
  /** The most any one subscriber has had queued. */
  readonly peakQueuedEvents: number;
}

interface Notification {
  readonly o: string;
  readonly p: string;
  readonly i: string;
}

export class EventHub {
  private readonly feeds = new Map<string, ProjectFeed>();
  private peakQueued = 0;

  constructor(
    private readonly tenancy: Tenancy,
    private readonly logger: Logger,
    private readonly retryDelayMs = 1_000,
  ) {}

  /** The caller must be able to read the project (NOT_FOUND otherwise, also for another tenant's). */
  async subscribe(tenant: Tenant, projectKey: string, after: string | null | undefined, link: SubscriberLink): Promise<EventSubscriber> {
    requireRole(tenant, 'subscribe');
    const afterId = after === null || after === undefined ? undefined : BigInt(fromGlobalId('IssueEvent', after, 'after', 'Event'));
    // The subscriber's own handle: never a request-scoped one, which would hold a transaction open.
    const db = tenant.db.detached();
    const project = await db.read((tx) => findProjectByKey(tx, tenant.orgId, projectKey));
    const key = `${tenant.orgId}:${project.id}`;
    for (;;) {
      const feed = this.feeds.get(key) ?? this.createFeed(key, tenant.orgId, project.id);
      await feed.ready;
      // The last subscriber may have left (and the feed gone) while this one waited.
      if (this.feeds.get(key) !== feed) continue;
      const subscriber = new EventSubscriber(feed, db, afterId ?? feed.head, {
        bufferLimit: link.bufferLimit,
        budget: link.budget,
        retryDelayMs: this.retryDelayMs,
        onOverflow: () => link.onOverflow(),
        onReadError: (error) => this.logger.warn({ err: error, projectId: project.id }, 'realtime replay read failed; retrying'),
        onClose: (closed) => this.leave(key, feed, closed),
      });
      feed.add(subscriber);
      if (subscriber.cursor < feed.head) subscriber.catchUp();
      // Wake-ups that came while the feed had no member were put off until now.
      feed.poke();
      return subscriber;
    }
  }

  /** A NOTIFY payload from the listener: {"o": org, "p": project, "i": newest id}. */
  notify(payload: string): void {
    let note: Notification;
    try {
      note = JSON.parse(payload) as Notification;
      this.feeds.get(`${note.o}:${note.p}`)?.poke(BigInt(note.i));
    } catch (error) {
      this.logger.warn({ err: error }, 'ignoring a malformed issue_events notification');
    }
  }

  /** After the listener reconnects (or on a poll tick): every feed reads what it may have missed. */
  wakeAll(): void {
    for (const feed of this.feeds.values()) feed.poke();
  }

  /** Ends every subscription (shutdown). */
  closeAll(): void {
    for (const feed of [...this.feeds.values()]) for (const subscriber of [...feed.subscribers]) subscriber.close();
  }

  stats(): HubStats {
    let subscribers = 0;
    let queuedEvents = 0;
    for (const feed of this.feeds.values()) {
      subscribers += feed.size;
      for (const subscriber of feed.subscribers) {
        queuedEvents += subscriber.queued;
        this.peakQueued = Math.max(this.peakQueued, subscriber.peakQueued);
      }
    }
    return { feeds: this.feeds.size, subscribers, queuedEvents, peakQueuedEvents: this.peakQueued };
  }

  private createFeed(key: string, orgId: string, projectId: string): ProjectFeed {
    const feed = new ProjectFeed(this.tenancy.systemScope(orgId), projectId, this.logger, this.retryDelayMs);
    this.feeds.set(key, feed);
    feed.ready.catch(() => {
      if (this.feeds.get(key) === feed) this.feeds.delete(key);
    });
    return feed;
  }

  private leave(key: string, feed: ProjectFeed, subscriber: EventSubscriber): void {
    this.peakQueued = Math.max(this.peakQueued, subscriber.peakQueued);
    feed.remove(subscriber);
    if (feed.size === 0 && this.feeds.get(key) === feed) this.feeds.delete(key);
  }
}
