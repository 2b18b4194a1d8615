import { armSubject, beestingBusLayout, BusError, BusErrorCode, decodeToken, encodeToken, ensureKv, nodeTrapKeys, requestMessage, TRAPS_BUCKET, trapKey } from '@beesting/bus';
import type { BusConnection } from '@beesting/bus';
import type { Logger } from '@beesting/config';
import { ArmReplySchema, encodeMessage, TrapRegistrationSchema } from '@beesting/events';
import type { TrapRegistration } from '@beesting/events';
import type { KV } from 'nats';
import type { InjectorMetrics } from './injector-metrics.js';

export type ArmMiss = 'timeout' | 'no-monitor' | 'refused' | 'not-registered';

const RETRY_MS = 1000;

function withDeadline<T>(work: Promise<T>, ms: number): Promise<T | 'late'> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), Math.max(0, ms))));
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

/**
 * The node's trap inventory in KV and the arm/disarm requests to the node's monitor.
 * A registration that cannot reach NATS in time is kept and retried until it lands:
 * the monitor arms every trap of its node that appears in the inventory, so a decoy
 * planted while NATS was away is armed as soon as NATS is back.
 */
export class TrapRegistry {
  private kv: KV | undefined;
  private readonly pendingPuts = new Map<string, TrapRegistration>();
  private readonly pendingDeletes = new Set<string>();
  private retryTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly bus: BusConnection,
    private readonly node: string,
    private readonly metrics: InjectorMetrics,
    private readonly logger: Logger,
  ) {}

  /**
   * Registers the traps and asks the monitor to arm them, waiting at most `timeoutMs`.
   * Returns the traps the monitor did not acknowledge in time, with the reason.
   */
  async registerAndArm(registrations: TrapRegistration[], timeoutMs: number): Promise<Map<string, ArmMiss>> {
    const started = Date.now();
    const missed = new Map<string, ArmMiss>();
    await Promise.all(
      registrations.map(async (registration) => {
        const trapId = registration.trap?.id ?? '';
        // Registered and armed at once: the inventory entry is what a monitor that misses
        // the request (or restarts) arms from.
        const [put, miss] = await Promise.all([
          withDeadline(this.put(registration).catch(() => false as const), timeoutMs - (Date.now() - started)),
          this.arm(registration, timeoutMs - (Date.now() - started)),
        ]);
        if (put !== true) {
          this.pendingPuts.set(trapId, registration);
          this.scheduleRetry();
          if (miss) missed.set(trapId, 'not-registered');
          return;
        }
        if (miss) missed.set(trapId, miss);
      }),
    );
    for (const reason of missed.values()) this.metrics.armMisses.inc({ reason });
    this.metrics.registrationBacklog.set(this.pendingPuts.size + this.pendingDeletes.size);
    return missed;
  }

  /**
   * Removes traps from the inventory; the monitor disarms what leaves its node's
   * inventory. What cannot be deleted now is retried.
   */
  async deregister(trapIds: string[], timeoutMs = 250): Promise<void> {
    await Promise.all(
      trapIds.map(async (trapId) => {
        this.pendingPuts.delete(trapId);
        const done = await withDeadline(this.delete(trapId).catch(() => false as const), timeoutMs);
        if (done !== true) {
          this.pendingDeletes.add(trapId);
          this.scheduleRetry();
        }
      }),
    );
    this.metrics.registrationBacklog.set(this.backlog);
  }

  /** Trap ids of this node in the inventory. */
  async registeredTrapIds(): Promise<string[]> {
    const kv = await this.bucket();
    const ids: string[] = [];
    const prefix = `${encodeToken(this.node)}.`;
    for await (const key of await kv.keys(nodeTrapKeys(this.node))) ids.push(decodeToken(key.slice(prefix.length)));
    return ids;
  }

  get backlog(): number {
    return this.pendingPuts.size + this.pendingDeletes.size;
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.retryTimer);
  }

  private async arm(registration: TrapRegistration, timeoutMs: number): Promise<ArmMiss | undefined> {
    const nc = this.bus.connection;
    if (!nc || !this.bus.connected || timeoutMs <= 0) return 'timeout';
    try {
      const reply = await requestMessage(nc, armSubject(this.node), { schema: TrapRegistrationSchema, message: registration }, ArmReplySchema, { timeoutMs });
      if (reply.armed) return undefined;
      this.logger.warn({ trap: reply.trapId, code: reply.errorCode, err: reply.errorMessage }, 'monitor could not arm the trap');
      return 'refused';
    } catch (err) {
      if (err instanceof BusError && err.code === BusErrorCode.NoResponders) return 'no-monitor';
      return 'timeout';
    }
  }

  private async bucket(): Promise<KV> {
    if (this.kv) return this.kv;
    const nc = await this.bus.ready();
    const spec = beestingBusLayout().buckets.find((b) => b.bucket === TRAPS_BUCKET);
    if (spec) await ensureKv(nc.jetstream(), await nc.jetstreamManager(), spec);
    this.kv = await nc.jetstream().views.kv(TRAPS_BUCKET, { bindOnly: true });
    return this.kv;
  }

  private async put(registration: TrapRegistration): Promise<true> {
    const kv = await this.bucket();
    await kv.put(trapKey(this.node, registration.trap?.id ?? ''), encodeMessage(TrapRegistrationSchema, registration));
    return true;
  }

  private async delete(trapId: string): Promise<true> {
    const kv = await this.bucket();
    await kv.purge(trapKey(this.node, trapId));
    return true;
  }

  private scheduleRetry(): void {
    if (this.retryTimer || this.closed) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.retry();
    }, RETRY_MS);
    this.retryTimer.unref();
  }

  private async retry(): Promise<void> {
    for (const [trapId, registration] of [...this.pendingPuts]) {
      const ok = await withDeadline(this.put(registration).catch(() => false as const), 2000);
      if (ok === true && this.pendingPuts.get(trapId) === registration) {
        this.pendingPuts.delete(trapId);
        this.logger.info({ trap: trapId }, 'registered after a delay');
      }
    }
    for (const trapId of [...this.pendingDeletes]) {
      const ok = await withDeadline(this.delete(trapId).catch(() => false as const), 2000);
      if (ok === true) this.pendingDeletes.delete(trapId);
    }
    this.metrics.registrationBacklog.set(this.backlog);
    if (this.backlog > 0) this.scheduleRetry();
  }
}
