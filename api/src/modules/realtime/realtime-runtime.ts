// Starts this instance's realtime plumbing: the hub, and what wakes it. On a PostgreSQL
// server that is the dedicated LISTEN connection. The embedded database (PGlite) runs every
// connection in one shared session, so a notification would surface on whichever connection
// spoke next; there the hub polls its (few, local) feeds instead.
import type { Logger } from 'pino';
import type { Database } from '../../db/prisma-client';
import type { TransactionLimits } from '../../db/tenant-db';
import { EventHub } from './event-hub';
import { EventListener } from './event-listener';

export interface RealtimeRuntime {
  readonly hub: EventHub;
  /** Undefined on the embedded database. */
  readonly listener: EventListener | undefined;
  stop(): Promise<void>;
}

export interface RealtimeRuntimeOptions {
  readonly database: Database;
  readonly limits: TransactionLimits;
  readonly logger: Logger;
  readonly isEmbedded: boolean;
  readonly embeddedPollMs?: number;
}

export async function startRealtimeRuntime(options: RealtimeRuntimeOptions): Promise<RealtimeRuntime> {
  const { database, logger } = options;
  const hub = new EventHub(database.prisma, options.limits, logger);
  if (options.isEmbedded) {
    const poll = setInterval(() => hub.wakeAll(), options.embeddedPollMs ?? 500);
    poll.unref();
    return {
      hub,
      listener: undefined,
      async stop() {
        clearInterval(poll);
        hub.closeAll();
      },
    };
  }
  const listener = new EventListener({
    url: database.options.url,
    setRole: database.options.setRole,
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
