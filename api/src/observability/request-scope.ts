// Carries the request id through async work, so error masking and logs can quote it without
// threading it through every call.
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

const storage = new AsyncLocalStorage<{ requestId: string }>();

const INCOMING_ID = /^[A-Za-z0-9=;:.\-_]{1,200}$/;

/** Prefers the load balancer's trace id, then the client's request id, else a new one. */
export function requestIdFrom(headers: Readonly<Record<string, string | string[] | undefined>>): string {
  for (const name of ['x-amzn-trace-id', 'x-request-id']) {
    const value = headers[name];
    if (typeof value === 'string' && INCOMING_ID.test(value)) return value;
  }
  return randomUUID();
}

export function runWithRequestId<T>(requestId: string, fn: () => T): T {
  return storage.run({ requestId }, fn);
}

export function currentRequestId(): string | undefined {
  return storage.getStore()?.requestId;
}
