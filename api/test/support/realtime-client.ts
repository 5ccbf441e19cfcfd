// A bare graphql-transport-ws client for tests: real socket, every frame visible, the close
// code and reason kept, and the TCP stream pausable to play a consumer that stops reading.
import WebSocket from 'ws';

export interface Closed {
  readonly code: number;
  readonly reason: string;
}

export interface WsSubscription {
  /** `next` payloads in arrival order. */
  readonly results: { data?: any; errors?: any[] }[];
  /** The payload of an `error` message, if one came. */
  error: unknown[] | undefined;
  isComplete: boolean;
  /** Resolves once `count` results have arrived. */
  waitFor(count: number, timeoutMs?: number): Promise<void>;
  /** Resolves once the server has ended the subscription (`complete` or `error`). */
  ended(timeoutMs?: number): Promise<void>;
  complete(): void;
}

export interface WsClient {
  readonly socket: WebSocket;
  readonly closed: Promise<Closed>;
  subscribe(query: string, variables?: Record<string, unknown>): WsSubscription;
  close(): Promise<Closed>;
  /** Stops reading from the TCP socket (the kernel buffers fill, then the server's). */
  pause(): void;
  resume(): void;
}

export const ISSUE_EVENTS = `subscription($projectKey: String!, $after: String) {
  issueEvents(projectKey: $projectKey, after: $after) { id kind field to issue { key } actor { id } }
}`;

export function connectionParams(token: string | undefined, orgId: string | undefined): Record<string, string> {
  return { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(orgId ? { 'x-org-id': orgId } : {}) };
}

/** Resolves on connection_ack; rejects with the Closed code if the server closes first. */
export function connectWs(url: string, params: Record<string, unknown>): Promise<WsClient> {
  const socket = new WebSocket(url, 'graphql-transport-ws');
  const closed = new Promise<Closed>((resolve) => socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  const subscriptions = new Map<string, WsSubscription & { wake(): void }>();
  let nextId = 1;
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.once('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: params })));
    void closed.then((close) => reject(Object.assign(new Error(`closed ${close.code} ${close.reason}`), close)));
    socket.on('message', (raw) => {
      const message = JSON.parse(raw.toString());
      if (message.type === 'connection_ack') return resolve(client);
      if (message.type === 'ping') return socket.send(JSON.stringify({ type: 'pong' }));
      const subscription = subscriptions.get(message.id);
      if (!subscription) return;
      if (message.type === 'next') subscription.results.push(message.payload);
      if (message.type === 'error') subscription.error = message.payload;
      if (message.type === 'complete' || message.type === 'error') subscription.isComplete = true;
      subscription.wake();
    });
    const client: WsClient = {
      socket,
      closed,
      subscribe(query, variables = {}) {
        const id = String(nextId++);
        let waiters: (() => void)[] = [];
        const subscription = {
          results: [] as { data?: any; errors?: any[] }[],
          error: undefined as unknown[] | undefined,
          isComplete: false,
          wake() {
            const woken = waiters;
            waiters = [];
            for (const wake of woken) wake();
          },
          async waitFor(count: number, timeoutMs = 15_000) {
            const deadline = Date.now() + timeoutMs;
            while (subscription.results.length < count) {
              if (subscription.isComplete) throw new Error(`subscription ended after ${subscription.results.length} results: ${JSON.stringify(subscription.error ?? subscription.results.at(-1))}`);
              const left = deadline - Date.now();
              if (left <= 0) throw new Error(`timed out with ${subscription.results.length} of ${count} results`);
              await new Promise<void>((wake) => {
                const timer = setTimeout(wake, Math.min(left, 250));
                waiters.push(() => (clearTimeout(timer), wake()));
              });
            }
          },
          async ended(timeoutMs = 15_000) {
            const deadline = Date.now() + timeoutMs;
            while (!subscription.isComplete) {
              const left = deadline - Date.now();
              if (left <= 0) throw new Error(`subscription still open after ${timeoutMs} ms with ${subscription.results.length} results`);
              await new Promise<void>((wake) => {
                const timer = setTimeout(wake, Math.min(left, 250));
                waiters.push(() => (clearTimeout(timer), wake()));
              });
            }
          },
          complete() {
            socket.send(JSON.stringify({ id, type: 'complete' }));
          },
        };
        subscriptions.set(id, subscription);
        socket.send(JSON.stringify({ id, type: 'subscribe', payload: { query, variables } }));
        return subscription;
      },
      close() {
        if (socket.readyState === WebSocket.OPEN) socket.close(1000, 'bye');
        return closed;
      },
      pause() {
        (socket as unknown as { _socket: import('node:net').Socket })._socket.pause();
      },
      resume() {
        (socket as unknown as { _socket: import('node:net').Socket })._socket.resume();
      },
    };
  });
}

/** Resolves once the server has sent `count` WebSocket pings on this socket. */
export function pings(client: WsClient, count: number): Promise<void> {
  let seen = 0;
  return new Promise((resolve) => {
    const onPing = () => {
      seen += 1;
      if (seen < count) return;
      client.socket.off('ping', onPing);
      resolve();
    };
    client.socket.on('ping', onPing);
  });
}

/** Connects, retrying while the server refuses with `retryCode` (a slot it frees asynchronously). */
export async function connectWhenFree(url: string, params: Record<string, unknown>, retryCode: number, timeoutMs = 15_000): Promise<WsClient> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await connectWs(url, params);
    } catch (error) {
      if ((error as Partial<Closed>).code !== retryCode || Date.now() > deadline) throw error;
    }
  }
}

/** The issueEvents payloads of a subscription, as plain events. */
export function eventsOf(subscription: WsSubscription): { id: string; kind: string; field: string | null; to: unknown; issue: { key: string }; actor: { id: string } }[] {
  return subscription.results.map((result) => result.data?.issueEvents).filter(Boolean);
}
