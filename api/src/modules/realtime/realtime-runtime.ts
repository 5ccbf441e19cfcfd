// Starts this instance's realtime plumbing: the hub, and what wakes it: the dedicated LISTEN
// connection (the same on the embedded PostgreSQL as on a server).
import type { Logger } from 'pino';
import type { Database } from '../../db/prisma-client';
import type { Tenancy } from '../../tenancy/tenancy';
import { EventHub } from './event-hub';
import { EventListener } from './event-listener';
import { NotificationHub } from './notification-hub';

export interface RealtimeRuntime {
  readonly hub: EventHub;
  readonly notifications: NotificationHub;
  readonly listener: EventListener;
  stop(): Promise<void>;
}

export interface RealtimeRuntimeOptions {
  /** Its URL for the LISTEN connection. */
  readonly database: Database;
  readonly tenancy: Tenancy;
  readonly logger: Logger;
}

export async function startRealtimeRuntime(options: RealtimeRuntimeOptions): Promise<RealtimeRuntime> {
  const { database, logger } = options;
  const hub = new EventHub(options.tenancy, logger);
  const notifications = new NotificationHub(logger);
  const listener = new EventListener({
    url: database.options.url,
    logger,
    onNotification: (payload) => hub.notify(payload),
    // Live notifications lost while the listener reconnects are still in Query.notifications.
    onUserNotification: (payload) => notifications.notify(payload),
    onListening: () => hub.wakeAll(),
    connectTimeoutMs: database.options.acquireTimeoutMs,
  });
  await listener.start();
  return {
    hub,
    notifications,
    listener,
    async stop() {
      hub.closeAll();
      notifications.closeAll();
      await listener.stop();
    },
  };
}
