import type { BusConnection } from './bus-connection.js';
import { silentLogger } from './bus-logger.js';
import type { BusLogger } from './bus-logger.js';
import { createBusMetrics } from './bus-metrics.js';
import type { BusMetrics } from './bus-metrics.js';
import { isPermanentPublishError } from './nats-errors.js';
import type { SpoolFile } from './spool-file.js';

export type PublishOutcome = 'published' | 'spooled' | 'overflow';

export interface SpoolingPublisherOptions {
  bus: BusConnection;
  spool: SpoolFile;
  publishTimeoutMs?: number;
  /** How often a non-empty spool is retried besides on each reconnect. */
  retryIntervalMs?: number;
  metrics?: BusMetrics;
  logger?: BusLogger;
  /**
   * Every message is appended to the spool before it is sent, and marked delivered after
   * JetStream's ack: a process killed between receiving a message and NATS storing it
   * loses nothing (the next start replays it; its id makes the replay a no-op if it had
   * been stored). Costs one write to the page cache per message.
   */
  writeAhead?: boolean;
}

// Publishes to JetStream and, while NATS is unreachable, to the on-disk spool instead.
// Order is kept: once anything is spooled, every later message is spooled behind it
// until the spool has been replayed. Each message carries its id (Nats-Msg-Id), so a
// crash between JetStream's ack and the spool's mark cannot store a message twice.
export class SpoolingPublisher {
  private tail: Promise<unknown> = Promise.resolve();
  private replaying: Promise<void> | undefined;
  private readonly timer: NodeJS.Timeout;
  private readonly unsubscribe: () => void;
  private readonly metrics: BusMetrics;
  private readonly logger: BusLogger;
  private closed = false;

  constructor(private readonly options: SpoolingPublisherOptions) {
    this.metrics = options.metrics ?? createBusMetrics();
    this.logger = options.logger ?? silentLogger;
    this.metrics.spoolPending.set(options.spool.pendingCount);
    this.unsubscribe = options.bus.onStateChange((connected) => connected && void this.replay());
    this.timer = setInterval(() => void this.replay(), options.retryIntervalMs ?? 1000);
    this.timer.unref();
    void this.replay();
  }

  get pending(): number {
    return this.options.spool.pendingCount;
  }

  publish(subject: string, data: Uint8Array, msgId: string): Promise<PublishOutcome> {
    if (this.options.writeAhead) {
      // Appended now, in call order, before anything can be lost; sent by the replay loop.
      if (this.spool(subject, data, msgId) === 'overflow') return Promise.resolve('overflow');
      return this.deliverSpooled();
    }
    const result = this.tail.then(() => this.publishInOrder(subject, data, msgId));
    this.tail = result.catch(() => {});
    return result;
  }

  /** Resolves once the spool is empty (or after timeoutMs, with false). */
  async flushed(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (this.pending > 0 && Date.now() < deadline) {
      await this.replay();
      if (this.pending > 0) await new Promise((r) => setTimeout(r, 50));
    }
    return this.pending === 0;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    this.unsubscribe();
    await this.tail;
    await this.replaying;
  }

  private async publishInOrder(subject: string, data: Uint8Array, msgId: string): Promise<PublishOutcome> {
    const js = this.options.bus.jetstream;
    if (this.options.spool.pendingCount === 0 && this.options.bus.connected && js) {
      try {
        await js.publish(subject, data, { msgID: msgId, timeout: this.options.publishTimeoutMs ?? 2000 });
        this.metrics.published.inc({ path: 'direct' });
        return 'published';
      } catch (err) {
        if (isPermanentPublishError(err)) {
          this.metrics.rejected.inc();
          throw err;
        }
        this.logger.warn({ subject, err: (err as Error).message }, 'publish failed; spooling');
      }
    }
    return this.spool(subject, data, msgId);
  }

  private spool(subject: string, data: Uint8Array, msgId: string): PublishOutcome {
    if (!this.options.spool.append({ subject, data, msgId })) {
      this.metrics.spoolOverflow.inc();
      this.logger.error({ subject, msgId }, 'spool full; message dropped');
      return 'overflow';
    }
    this.metrics.spooled.inc();
    this.metrics.spoolPending.set(this.options.spool.pendingCount);
    return 'spooled';
  }

  /** A replay already under way may have looked at the spool before this append: then one more. */
  private async deliverSpooled(): Promise<PublishOutcome> {
    await this.replay();
    if (this.pending > 0 && this.options.bus.connected) await this.replay();
    return this.pending === 0 ? 'published' : 'spooled';
  }

  private replay(): Promise<void> {
    this.replaying ??= this.replayOnce().finally(() => (this.replaying = undefined));
    return this.replaying;
  }

  private async replayOnce(): Promise<void> {
    const { spool, bus } = this.options;
    for (let entry = spool.peek(); entry && bus.connected && bus.jetstream && !this.closed; entry = spool.peek()) {
      try {
        await bus.jetstream.publish(entry.subject, entry.data, { msgID: entry.msgId, timeout: this.options.publishTimeoutMs ?? 2000 });
        this.metrics.published.inc({ path: 'replayed' });
      } catch (err) {
        if (!isPermanentPublishError(err)) return;
        this.metrics.rejected.inc();
        this.logger.error({ subject: entry.subject, msgId: entry.msgId, err: (err as Error).message }, 'spooled message rejected by NATS; dropped');
      }
      spool.shift();
      this.metrics.spoolPending.set(spool.pendingCount);
    }
  }
}
