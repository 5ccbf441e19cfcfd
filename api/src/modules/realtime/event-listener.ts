// The one dedicated LISTEN connection of an instance: a pg.Client outside the pool (a pooled
// connection would be handed back, and its LISTEN with it). When the connection drops it
// reconnects with exponential backoff and jitter, then tells the hub to read from where each
// feed stopped, so notifications lost while it was away cost nothing.
import { Client } from 'pg';
import type { Logger } from 'pino';

export const LISTENER_APPLICATION_NAME = 'tracker-realtime-listener';
export const EVENTS_CHANNEL = 'issue_events';
/** Notifications written by any instance (notification.service.ts sends it). */
export const NOTIFICATIONS_CHANNEL = 'app_notifications';

export interface ListenerOptions {
  readonly url: string;
  readonly logger: Logger;
  onNotification(payload: string): void;
  /** A payload on NOTIFICATIONS_CHANNEL; without it that channel is not listened to. */
  onUserNotification?(payload: string): void;
  /** Called after every successful (re)connect, once LISTEN is in place. */
  onListening(): void;
  readonly minBackoffMs?: number;
  readonly maxBackoffMs?: number;
  /** A silently dead TCP connection shows up at the next heartbeat. */
  readonly heartbeatMs?: number;
  /** A database that accepts TCP but never answers must not hold start-up forever. @default 5000 */
  readonly connectTimeoutMs?: number;
}

export class EventListener {
  private client: Client | undefined;
  private attempt = 0;
  private stopped = false;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  /** Successful connects so far (tests watch it to see a reconnect). */
  connects = 0;

  constructor(private readonly options: ListenerOptions) {}

  /** Resolves after the first attempt; a failed one keeps retrying in the background. */
  async start(): Promise<void> {
    await this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.reconnectTimer);
    clearInterval(this.heartbeat);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const client = new Client({
      connectionString: this.options.url,
      application_name: LISTENER_APPLICATION_NAME,
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
      connectionTimeoutMillis: this.options.connectTimeoutMs ?? 5_000,
    });
    let lost = false;
    const onLost = (error?: Error) => {
      if (lost) return;
      lost = true;
      if (this.client === client) this.client = undefined;
      clearInterval(this.heartbeat);
      client.end().catch(() => undefined);
      if (!this.stopped) {
        this.options.logger.warn({ err: error }, 'realtime listener connection lost; reconnecting');
        this.scheduleReconnect();
      }
    };
    client.on('error', onLost);
    client.on('end', () => onLost());
    client.on('notification', (message) => {
      if (message.channel === EVENTS_CHANNEL && message.payload) this.options.onNotification(message.payload);
      if (message.channel === NOTIFICATIONS_CHANNEL && message.payload) this.options.onUserNotification?.(message.payload);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${EVENTS_CHANNEL}`);
      if (this.options.onUserNotification) await client.query(`LISTEN ${NOTIFICATIONS_CHANNEL}`);
    } catch (error) {
      onLost(error as Error);
      return;
    }
    if (this.stopped || lost) return void client.end().catch(() => undefined);
    this.client = client;
    this.attempt = 0;
    this.connects += 1;
    this.heartbeat = setInterval(() => {
      client.query('SELECT 1').catch((error: Error) => onLost(error));
    }, this.options.heartbeatMs ?? 15_000).unref();
    this.options.onListening();
  }

  private scheduleReconnect(): void {
    clearTimeout(this.reconnectTimer);
    const min = this.options.minBackoffMs ?? 100;
    const max = this.options.maxBackoffMs ?? 10_000;
    const ceiling = Math.min(max, min * 2 ** this.attempt);
    this.attempt += 1;
    // Equal jitter: instances that lost the database together don't come back in lockstep.
    const delay = ceiling / 2 + Math.random() * (ceiling / 2);
    this.reconnectTimer = setTimeout(() => void this.connect(), delay);
    this.reconnectTimer.unref();
  }
}
