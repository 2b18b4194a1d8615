import type { BusLogger, Delivery } from '@beesting/bus';
import { AccessEventSchema, AlertKind, timestampDate, toJson } from '@beesting/events';
import type { AccessEvent, AccessEventJson } from '@beesting/events';
import type { AlertDispatcher } from './alert-dispatcher.js';
import { alertFromWindow } from './alert-factory.js';
import { windowKey } from './alert-window.js';
import type { AlertWindow } from './alert-window.js';
import type { RouterMetrics } from './router-metrics.js';
import { classify, dedupKey } from './severity.js';
import type { SummarySender } from './summary-sender.js';
import type { TrapInventory } from './trap-inventory.js';
import { isUnfinished, WindowBatcher } from './window-batcher.js';
import type { WindowStore } from './window-store.js';

/** How long an event waits for another replica to finish the previous window's first alert before taking it over. */
const FIRST_ALERT_TAKEOVER_MS = 45_000;

export interface AccessEventHandlerOptions {
  windows: WindowStore;
  dispatcher: AlertDispatcher;
  summaries: SummarySender;
  inventory: TrapInventory;
  metrics: RouterMetrics;
  logger: BusLogger;
  cluster: string;
  windowMs: number;
  hostAllowList: readonly string[];
  signal: AbortSignal;
}

/**
 * Turns one access event into at most one alert. The first access of a (trap, opener
 * container, executable) opens a dedup window and alerts at once; the rest of the window
 * only adds to its count, for the summary sent when it closes. Every access is counted;
 * only notifications are folded.
 */
export class AccessEventHandler {
  private readonly batcher: WindowBatcher;

  constructor(private readonly o: AccessEventHandlerOptions) {
    this.batcher = new WindowBatcher(o.windows, o.windowMs);
  }

  async handle(event: AccessEvent, delivery: Pick<Delivery, 'working'>): Promise<void> {
    const verdict = classify(event, this.o.hostAllowList);
    if ('allowListed' in verdict) {
      this.o.metrics.allowListed.inc();
      this.o.logger.info({ event: event.id, exe: verdict.allowListed }, 'access by an allow-listed host agent: recorded, not alerted');
      return;
    }
    this.o.metrics.events.inc();
    const key = dedupKey(event);
    const wkey = windowKey(key);
    const enriched = await this.o.inventory.enrich(event);
    const access = {
      dedupKey: key,
      eventId: event.id,
      at: event.observedAt ? timestampDate(event.observedAt).getTime() : Date.now(),
      accesses: 1 + Number(event.suppressedCount),
      severity: verdict.severity,
      event: toJson(AccessEventSchema, enriched) as AccessEventJson,
    };
    let waitedSince = Date.now();
    for (;;) {
      const outcome = await this.batcher.submit(wkey, access);
      switch (outcome.kind) {
        case 'counted':
          this.o.metrics.folded.inc();
          return;
        case 'opened':
          this.o.metrics.windowsOpened.inc();
          return this.finishFirst(wkey, outcome.window, delivery);
        case 'duplicate':
          return outcome.window ? this.finishFirst(wkey, outcome.window, delivery) : undefined;
        case 'blocked': {
          // The previous window is over but still owes its first alert or its summary.
          const old = outcome.window;
          if (!old.firstDone) {
            if (Date.now() - waitedSince < FIRST_ALERT_TAKEOVER_MS) {
              await sleep(50);
              continue;
            }
            await this.finishFirst(wkey, old, delivery);
            waitedSince = Date.now();
          }
          await this.o.summaries.send(wkey, { force: true });
          const left = await this.o.windows.get(wkey);
          if (left && left.alertId === old.alertId && isUnfinished(left)) await sleep(50);
        }
      }
    }
  }

  /** Sends a window's first alert to the sinks that have not settled it yet. */
  private async finishFirst(wkey: string, window: AlertWindow, delivery: Pick<Delivery, 'working'>): Promise<void> {
    const alert = alertFromWindow(window, AlertKind.FIRST, this.o.cluster);
    const heartbeat = setInterval(() => delivery.working(), 1000);
    try {
      await this.o.dispatcher.dispatch(alert, {
        skip: window.firstSettled,
        signal: this.o.signal,
        onSettled: async (sinkId) => {
          await this.o.windows.update(wkey, (w) => (w && w.alertId === window.alertId ? { ...w, firstSettled: [...new Set([...w.firstSettled, sinkId])] } : undefined));
        },
      });
      await this.o.windows.update(wkey, (w) => (w && w.alertId === window.alertId ? { ...w, firstDone: true } : undefined));
      this.o.metrics.alerts.inc({ kind: 'first' });
    } finally {
      clearInterval(heartbeat);
    }
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
