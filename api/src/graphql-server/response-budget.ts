// Bounds the bytes of GraphQL responses over HTTP: each response may be at most maxBytes, and
// all responses being built or sent by this instance share one pool, so a few large ones at
// once cannot exhaust the heap. A request's reservation lives in async-local storage from the
// moment Express hands it to GraphQL until its response is closed.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { RequestHandler } from 'express';
import { AppError } from '../errors/app-error';
import { jsonBytes } from '../graphql/json-size';

/** The instance-wide pool of response bytes. */
export class ResponseBytePool {
  private used = 0;

  constructor(readonly capacity: number) {}

  get inUse(): number {
    return this.used;
  }

  tryTake(bytes: number): boolean {
    if (this.used + bytes > this.capacity) return false;
    this.used += bytes;
    return true;
  }

  give(bytes: number): void {
    this.used = Math.max(0, this.used - bytes);
  }
}

/** One HTTP request's share of the pool. */
export class ResponseReservation {
  private held = 0;
  private released = false;
  /** Set once the response is refused: every later charge fails at once. */
  refusal: AppError | undefined;

  constructor(private readonly pool: ResponseBytePool, readonly maxBytes: number) {}

  get bytes(): number {
    return this.held;
  }

  /** Grows the reservation to `total` bytes, or refuses the response. */
  reserve(total: number): void {
    if (this.refusal) throw this.refusal;
    if (total <= this.held) return;
    if (total > this.maxBytes) throw this.refuse(tooLarge(this.maxBytes));
    if (this.released || !this.pool.tryTake(total - this.held)) throw this.refuse(busy());
    this.held = total;
  }

  charge(bytes: number): void {
    this.reserve(this.held + bytes);
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    this.pool.give(this.held);
    this.held = 0;
    for (const fn of this.onReleased.splice(0)) fn();
  }

  /** Runs `fn` when the response is closed (at once if it already is). */
  onRelease(fn: () => void): void {
    if (this.released) fn();
    else this.onReleased.push(fn);
  }

  private readonly onReleased: (() => void)[] = [];

  private refuse(error: AppError): AppError {
    this.refusal = error;
    return error;
  }
}

function tooLarge(maxBytes: number): AppError {
  return new AppError('GRAPHQL_VALIDATION_FAILED', `The response would be larger than ${maxBytes} bytes (RESPONSE_MAX_BYTES): ask for fewer items or fields`, {
    details: { maxBytes },
  });
}

function busy(): AppError {
  return new AppError('SERVICE_UNAVAILABLE', 'The server is busy sending other large responses; retry shortly');
}

const storage = new AsyncLocalStorage<ResponseReservation>();

/** Express middleware: the request's reservation, given back when its response is closed. */
export function responseBudget(pool: ResponseBytePool, maxBytes: number): RequestHandler {
  return (_req, res, next) => {
    const reservation = new ResponseReservation(pool, maxBytes);
    res.once('close', () => reservation.release());
    storage.run(reservation, next);
  };
}

export function currentReservation(): ResponseReservation | undefined {
  return storage.getStore();
}

/** Charges a long text about to go into the response (no-op outside an HTTP request). */
export function chargeResponseText<T>(value: T): T {
  if (value === null || value === undefined) return value;
  const reservation = storage.getStore();
  if (reservation) reservation.charge(jsonBytes(value, reservation.maxBytes));
  return value;
}
