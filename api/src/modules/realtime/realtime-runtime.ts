// Starts this instance's realtime plumbing: the hub, and what wakes it: the dedicated LISTEN
// connection (the same on the embedded PostgreSQL as on a server).
import type { Logger } from 'pino';
import type { Database } from '../../db/prisma-client';
import type { TransactionLimits } from '../../db/tenant-db';
import { EventHub } from './event-hub';
import { EventListener } from './event-listener';

export interface RealtimeRuntime {
  readonly hub: EventHub;
  readonly listener: EventListener;
  stop(): Promise<void>;
}

export interface RealtimeRuntimeOptions {
  readonly database: Database;
  readonly limits: TransactionLimits;
  readonly logger: Logger;
}

export async function startRealtimeRuntime(options: RealtimeRuntimeOptions): Promise<RealtimeRuntime> {
  const { database, logger } = options;
  const hub = new EventHub(database.prisma, options.limits, logger);
  const listener = new EventListener({
    url: database.options.url,
    logger,
    onNotification: (payload) => hub.notify(payload),
    onListening: () => hub.wakeAll(),
    connectTimeoutMs: database.options.acquireTimeoutMs,
  });
  await listener.start();
  return {
    hub,
    listener,
    async stop() {
      hub.closeAll();
      await listener.stop();
    },
  };
}
