// The instance-wide budget of cost being executed at once. The cost bounds what one operation
// can hold in memory (rows, long text included); this bounds what all of them hold together,
// so many concurrent requests, each under the limit, cannot exhaust the heap. An operation
// waits its turn (first come, first served) and is refused with SERVICE_UNAVAILABLE if the
// wait is too long.
import { AppError } from '../errors/app-error';

interface Waiter {
  readonly cost: number;
  grant(): void;
}

export class CostInFlight {
  private used = 0;
  private readonly waiting: Waiter[] = [];

  constructor(readonly capacity: number, private readonly maxWaitMs: number) {}

  get inFlight(): number {
    return this.used;
  }

  /** Takes `cost` from the budget, waiting if needed; resolves with the (idempotent) release. */
  acquire(cost: number): Promise<() => void> {
    // An operation over the whole budget (only possible when the limit is raised) takes it all.
    const take = Math.min(Math.max(cost, 0), this.capacity);
    if (this.waiting.length === 0 && this.used + take <= this.capacity) {
      this.used += take;
      return Promise.resolve(this.releaser(take));
    }
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        cost: take,
        grant: () => {
          clearTimeout(timer);
          this.used += take;
          resolve(this.releaser(take));
        },
      };
      const timer = setTimeout(() => {
        this.waiting.splice(this.waiting.indexOf(waiter), 1);
        // The head may have been the one blocking the others.
        this.drain();
        reject(new AppError('SERVICE_UNAVAILABLE', 'The server is busy with other expensive requests; retry shortly'));
      }, this.maxWaitMs);
      this.waiting.push(waiter);
    });
  }

  private releaser(take: number): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.used -= take;
      this.drain();
    };
  }

  private drain(): void {
    while (this.waiting.length > 0 && this.used + this.waiting[0]!.cost <= this.capacity) this.waiting.shift()!.grant();
  }
}
