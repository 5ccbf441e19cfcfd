// A webhook receiver on loopback that can hold requests open until the test lets them go: a
// slow receiver whose slowness the test controls, with no timers. Records what arrived.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HeldHook {
  readonly deliveryId: string;
  readonly eventId: string;
  readonly body: any;
}

export interface HoldingReceiver {
  readonly url: string;
  /** Every request that arrived (held or answered). */
  readonly arrived: HeldHook[];
  /** Requests waiting for `release`. */
  readonly heldCount: number;
  /** While true, new requests are held; otherwise answered 200 at once. */
  holding: boolean;
  /** Answers every held request with 200 (and stops holding new ones when `stopHolding`). */
  release(stopHolding?: boolean): void;
  /** Resolves once `predicate` holds over the arrived requests (checked on every arrival). */
  until(predicate: (arrived: readonly HeldHook[]) => boolean): Promise<void>;
  stop(): Promise<void>;
}

export async function startHoldingReceiver(holding = true): Promise<HoldingReceiver> {
  const held = new Set<http.ServerResponse>();
  const arrived: HeldHook[] = [];
  const waiters: { predicate: (arrived: readonly HeldHook[]) => boolean; resolve: () => void }[] = [];
  const check = () => {
    for (const waiter of [...waiters]) {
      if (waiter.predicate(arrived)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  };
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      let body: unknown = null;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        body = null;
      }
      arrived.push({ deliveryId: String(request.headers['tracker-delivery-id']), eventId: String(request.headers['tracker-event-id']), body });
      if (receiver.holding) {
        held.add(response);
        response.on('close', () => held.delete(response));
      } else {
        response.writeHead(200).end();
      }
      check();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const receiver: HoldingReceiver = {
    url: `http://127.0.0.1:${port}/hooks`,
    arrived,
    get heldCount() {
      return held.size;
    },
    holding,
    release(stopHolding = false) {
      if (stopHolding) receiver.holding = false;
      for (const response of held) response.writeHead(200).end();
      held.clear();
    },
    until(predicate) {
      if (predicate(arrived)) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ predicate, resolve }));
    },
    async stop() {
      receiver.release(true);
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
  return receiver;
}
