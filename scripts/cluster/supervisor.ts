// Plays the Auto Scaling group for the local cluster. It exists for tests and demos only:
// production uses the real Auto Scaling group and target group in cdktf/ (constructs/compute.ts
// and constructs/load-balancer.ts), which this imitates:
//   - keeps the desired number of instances running (launches when fewer are in service);
//   - replaces an instance whose process exits, or that the balancer reports unhealthy for
//     longer than the grace period allows (ASG health check type ELB);
//   - instance refresh like the ASG's Rolling strategy with minHealthyPercentage 100: launch one,
//     wait until the balancer sees it healthy, stop one old instance with SIGTERM (it drains
//     itself), wait for it to exit, repeat.
// Every state change is an event with a timestamp, so tests can measure detection and recovery.
import { Haproxy } from './haproxy';
import { Instance } from './instance';

export interface SupervisorOptions {
  readonly desired: number;
  readonly slotPorts: readonly number[];
  readonly env: Readonly<Record<string, string>>;
  readonly projectRoot: string;
  readonly logDir: string;
  /** Time a new instance gets before the balancer's verdict counts (ASG health check grace). */
  readonly graceMs: number;
  /** How long DOWN in the balancer, after the grace, before the instance is replaced. */
  readonly unhealthyReplaceMs: number;
  /** SIGKILL an instance still running this long after SIGTERM. */
  readonly stopTimeoutMs: number;
  readonly pollMs: number;
}

export interface ClusterEvent {
  readonly at: number;
  readonly type: string;
  readonly instance?: number;
  readonly slot?: number;
  readonly detail?: string;
}

export class Supervisor {
  readonly instances: Instance[] = [];
  readonly events: ClusterEvent[] = [];
  frontend = { requests: 0, responses5xx: 0, currentSessions: 0 };
  refreshing = false;
  private nextId = 1;
  private env: Record<string, string>;
  private timer: NodeJS.Timeout | undefined;
  private ticking = false;
  private ticks = 0;
  private stopped = false;

  constructor(
    private readonly haproxy: Haproxy,
    private readonly options: SupervisorOptions,
  ) {
    this.env = { ...options.env };
  }

  note(type: string, instance?: Instance, detail?: string): void {
    this.events.push({ at: Date.now(), type, instance: instance?.id, slot: instance?.spec.slot, detail });
    if (this.events.length > 5_000) this.events.splice(0, 1_000);
  }

  get live(): Instance[] {
    return this.instances.filter((i) => i.alive);
  }

  /** Counted towards desired: neither draining nor gone. */
  private get active(): Instance[] {
    return this.instances.filter((i) => i.alive && i.state !== 'draining');
  }

  find(id: number): Instance {
    const instance = this.instances.find((i) => i.id === id && i.alive);
    if (!instance) throw new Error(`no running instance #${id} (see status)`);
    return instance;
  }

  async start(): Promise<void> {
    for (let i = 0; i < this.options.desired; i++) await this.launch();
    this.timer = setInterval(() => void this.tick(), this.options.pollMs);
  }

  async shutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await Promise.all(this.live.map((i) => i.stop(this.options.stopTimeoutMs)));
  }

  private async launch(): Promise<Instance> {
    const used = new Set(this.instances.filter((i) => i.alive || i.lbStatus !== 'MAINT').map((i) => i.spec.slot));
    const slot = this.options.slotPorts.findIndex((_, i) => !used.has(i + 1)) + 1;
    if (slot === 0) throw new Error('no free slot for another instance');
    const instance = new Instance({
      id: this.nextId++,
      slot,
      port: this.options.slotPorts[slot - 1]!,
      env: this.env,
      projectRoot: this.options.projectRoot,
      logDir: this.options.logDir,
    });
    this.instances.push(instance);
    this.note('launch', instance, `pid ${instance.pid} port ${instance.spec.port}`);
    void instance.exited.then(() => this.note('exit', instance, `code ${instance.exit?.code} signal ${instance.exit?.signal}`));
    await this.haproxy.enable(slot);
    return instance;
  }

  /** One observation of the balancer and the processes, and the ASG's reactions to it. */
  async tick(): Promise<void> {
    if (this.ticking || this.stopped) return;
    this.ticking = true;
    try {
      const { slots, frontend } = await this.haproxy.snapshot();
      this.frontend = frontend;
      const now = Date.now();
      for (const instance of this.instances) {
        const health = slots.find((s) => s.slot === instance.spec.slot);
        if (!health || (instance.lbStatus === 'MAINT' && !instance.alive)) continue;
        const wasUp = instance.lbUpSince !== undefined;
        instance.lbStatus = health.status;
        if (health.up && !wasUp) {
          instance.lbUpSince = now;
          instance.lbDownSince = undefined;
          if (instance.state === 'starting') instance.state = 'in-service';
          this.note('lb-up', instance);
        } else if (!health.up && wasUp) {
          instance.lbUpSince = undefined;
          instance.lbDownSince = now;
          this.note('lb-down', instance, health.status);
        } else if (!health.up && instance.lbDownSince === undefined) {
          instance.lbDownSince = now;
        }
        // The target is gone for good once its process has exited and the balancer agrees
        // (or it never came up): deregister it, freeing the slot.
        if (!instance.alive && !health.up) {
          await this.haproxy.disable(instance.spec.slot);
          instance.lbStatus = 'MAINT';
          this.note('deregister', instance);
        }
      }
      await this.replaceUnhealthy(now);
      while (this.active.length < this.options.desired) {
        const replacement = await this.launch();
        this.note('replace', replacement, 'desired count not met');
      }
      // Once a second is enough for the status line and the fault tests, and keeps the
      // observer's own load off instances that may be short of CPU.
      if (this.ticks++ % Math.max(1, Math.round(1000 / this.options.pollMs)) === 0) {
        await Promise.all(this.live.map((i) => i.sampleMetrics().catch(() => undefined)));
      }
    } catch (error) {
      this.note('supervisor-error', undefined, (error as Error).message);
    } finally {
      this.ticking = false;
    }
  }

  private async replaceUnhealthy(now: number): Promise<void> {
    for (const instance of this.active) {
      const pastGrace = now - instance.launchedAt > this.options.graceMs;
      const downFor = instance.lbDownSince === undefined ? 0 : now - instance.lbDownSince;
      if (pastGrace && downFor > this.options.unhealthyReplaceMs) {
        this.note('unhealthy', instance, `DOWN for ${downFor} ms after the grace period`);
        void instance.stop(this.options.stopTimeoutMs);
      }
    }
  }

  /** Waits until `instance` is UP in the balancer, or fails after `timeoutMs`. */
  async waitUp(instance: Instance, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (instance.lbUpSince === undefined) {
      if (!instance.alive) throw new Error(`instance #${instance.id} exited before it became healthy (see its log)`);
      if (Date.now() > deadline) throw new Error(`instance #${instance.id} not healthy within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, this.options.pollMs));
    }
  }

  /**
   * Rolling replacement of every instance that is in service now. `env` changes what new
   * instances run with, like a new launch template version.
   */
  async refresh(env: Record<string, string> = {}, healthyTimeoutMs = 60_000): Promise<{ replaced: number[]; launched: number[]; ms: number }> {
    if (this.refreshing) throw new Error('an instance refresh is already running');
    this.refreshing = true;
    const started = Date.now();
    this.env = { ...this.env, ...env };
    const old = this.active.slice();
    const launched: number[] = [];
    this.note('refresh-start', undefined, `replacing ${old.map((i) => `#${i.id}`).join(' ')}`);
    try {
      for (const instance of old) {
        const fresh = await this.launch();
        launched.push(fresh.id);
        await this.waitUp(fresh, healthyTimeoutMs);
        if (!instance.alive) continue;
        this.note('refresh-stop', instance, 'SIGTERM');
        await instance.stop(this.options.stopTimeoutMs);
      }
      this.note('refresh-done', undefined, `${Date.now() - started} ms`);
      return { replaced: old.map((i) => i.id), launched, ms: Date.now() - started };
    } catch (error) {
      this.note('refresh-failed', undefined, (error as Error).message);
      throw error;
    } finally {
      this.refreshing = false;
    }
  }

  kill(id: number): void {
    const instance = this.find(id);
    this.note('sigkill', instance);
    instance.signal('SIGKILL');
  }

  stop(id: number): void {
    const instance = this.find(id);
    this.note('sigterm', instance);
    void instance.stop(this.options.stopTimeoutMs);
  }
}
