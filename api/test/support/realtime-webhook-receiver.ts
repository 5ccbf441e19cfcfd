// A webhook receiver on loopback that does what docs/using/webhooks.md tells receivers to do: verify the
// signature (and its timestamp) with the webhook's secret, and record every request. It can
// be taken down and brought back on the same port to play an outage.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifySignature } from '../../src/modules/webhook/webhook-signer';

export interface ReceivedHook {
  readonly eventId: string;
  readonly deliveryId: string;
  readonly isVerified: boolean;
  readonly body: any;
  readonly at: number;
}

export interface Receiver {
  readonly url: string;
  readonly received: ReceivedHook[];
  /** The signing secret (known after createWebhook). */
  secret: string;
  /** Requests answered so far, including refused ones. */
  requests: number;
  /** What to answer; 200 by default. */
  status: number;
  waitFor(count: number, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
  start(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  let server: http.Server | undefined;
  let port = 0;
  const receiver: Receiver = {
    url: '',
    received: [],
    secret: '',
    requests: 0,
    status: 200,
    async waitFor(count, timeoutMs = 90_000) {
      const deadline = Date.now() + timeoutMs;
      while (receiver.received.length < count) {
        if (Date.now() > deadline) throw new Error(`receiver got ${receiver.received.length} of ${count} deliveries`);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    },
    async start() {
      server = http.createServer((request, response) => {
        const chunks: Buffer[] = [];
        request.on('data', (chunk: Buffer) => chunks.push(chunk));
        request.on('end', () => {
          receiver.requests += 1;
          const raw = Buffer.concat(chunks).toString('utf8');
          if (receiver.status >= 200 && receiver.status < 300) {
            receiver.received.push({
              eventId: String(request.headers['tracker-event-id']),
              deliveryId: String(request.headers['tracker-delivery-id']),
              isVerified: verifySignature(receiver.secret, raw, request.headers['tracker-signature'] as string | undefined),
              body: JSON.parse(raw),
              at: Date.now(),
            });
          }
          response.writeHead(receiver.status).end();
        });
      });
      await new Promise<void>((resolve) => server!.listen(port, '127.0.0.1', resolve));
      port = (server.address() as AddressInfo).port;
      (receiver as { url: string }).url = `http://127.0.0.1:${port}/hooks`;
    },
    async stop() {
      const closing = server;
      server = undefined;
      if (!closing) return;
      await new Promise<void>((resolve) => {
        closing.close(() => resolve());
        closing.closeAllConnections();
      });
    },
  };
  await receiver.start();
  return receiver;
}
