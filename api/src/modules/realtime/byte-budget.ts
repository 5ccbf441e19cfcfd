// What the realtime side may hold in memory, in bytes: events queued for a subscriber, read
// for a replay, or executed and being sent. Counting events is not enough when one event can
// carry a megabyte of description. Each socket has a budget; past it the socket is cut off.
// The instance has one too; past it the sockets holding the most are cut off, so a few greedy
// clients lose their sockets (and resume with `after`) before the process runs out of heap.
import type { IssueEvent } from '../../generated/prisma/client';

/** Fixed cost of an event beyond its JSON values: ids, kind, field, dates, the objects. */
export const EVENT_OVERHEAD_BYTES = 256;

const sizes = new WeakMap<IssueEvent, number>();

function jsonLength(value: unknown): number {
  return value === null || value === undefined ? 0 : (JSON.stringify(value)?.length ?? 0);
}

/** An event's estimated footprint (the same rows are shared by a feed's subscribers: measured once). */
export function eventBytes(row: IssueEvent): number {
  let size = sizes.get(row);
  if (size === undefined) {
    size = EVENT_OVERHEAD_BYTES + jsonLength(row.from) + jsonLength(row.to) + (row.field?.length ?? 0);
    sizes.set(row, size);
  }
  return size;
}

/** Something that holds bytes for a socket and lets go of them all when told to (a subscriber). */
export interface BudgetHolder {
  drop(): void;
}

export class InstanceBudget {
  used = 0;
  peak = 0;
  cutOffs = 0;
  private readonly sockets = new Set<SocketBudget>();

  constructor(readonly limit: number) {}

  /** A socket's budget; `onCutOff` closes the socket (4008) once it has been dropped. */
  open(limit: number, onCutOff: () => void): SocketBudget {
    const budget = new SocketBudget(this, limit, onCutOff);
    this.sockets.add(budget);
    return budget;
  }

  /** @internal */
  forget(budget: SocketBudget): void {
    this.sockets.delete(budget);
  }

  /** @internal */
  add(bytes: number): void {
    this.used += bytes;
    if (this.used > this.peak) this.peak = this.used;
  }

  /** While over the limit, cut off the socket that holds the most. */
  enforce(): void {
    while (this.used > this.limit) {
      let greediest: SocketBudget | undefined;
      for (const socket of this.sockets) if (!greediest || socket.used > greediest.used) greediest = socket;
      if (!greediest || greediest.used <= 0) return;
      greediest.cutOff();
    }
  }
}

export class SocketBudget {
  used = 0;
  isCutOff = false;
  private readonly holders = new Set<BudgetHolder>();
  private waiters: (() => void)[] = [];

  constructor(
    private readonly instance: InstanceBudget,
    readonly limit: number,
    private readonly onCutOff: () => void,
  ) {}

  hold(holder: BudgetHolder): void {
    this.holders.add(holder);
  }

  unhold(holder: BudgetHolder): void {
    this.holders.delete(holder);
  }

  /**
   * Counts bytes the socket now holds. A live event past the socket's limit cuts it off (it is
   * not reading fast enough); a paced charge (replay reads, which wait for room) never does.
   * Either way the instance limit is enforced.
   */
  charge(bytes: number, paced = false): void {
    this.used += bytes;
    this.instance.add(bytes);
    if (!paced && this.used > this.limit) this.cutOff();
    else this.instance.enforce();
  }

  release(bytes: number): void {
    if (bytes <= 0) return;
    this.used -= bytes;
    this.instance.used -= bytes;
    if (this.waiters.length > 0 && this.hasRoom()) {
      const woken = this.waiters;
      this.waiters = [];
      for (const wake of woken) wake();
    }
  }

  /** Room for a replay to read more: the socket is less than half full (grant() > 0). */
  hasRoom(): boolean {
    return this.isCutOff || this.grant() > 0;
  }

  /** Bytes a replay may read now without passing the half-full mark. */
  grant(): number {
    return Math.max(0, Math.floor(this.limit / 2 - this.used));
  }

  whenRoom(): Promise<void> {
    if (this.hasRoom()) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Drops everything the socket's subscribers hold, then closes the socket (once). */
  cutOff(): void {
    if (this.isCutOff) return;
    this.isCutOff = true;
    this.instance.cutOffs += 1;
    this.instance.forget(this);
    for (const holder of [...this.holders]) holder.drop();
    this.holders.clear();
    this.release(0);
    for (const wake of this.waiters.splice(0)) wake();
    this.onCutOff();
  }

  /** The socket closed: it no longer competes for the instance's budget. */
  close(): void {
    this.instance.forget(this);
    for (const wake of this.waiters.splice(0)) wake();
  }
}
