import type { BusLogger } from '@beesting/bus';
import { AlertKind } from '@beesting/events';
import type { AlertDispatcher } from './alert-dispatcher.js';
import { alertFromWindow } from './alert-factory.js';
import { needsSummary } from './alert-window.js';
import type { RouterMetrics } from './router-metrics.js';
import type { WindowStore } from './window-store.js';

/** A replica that claimed a summary and died releases it after this long. */
export const SUMMARY_LEASE_MS = 120_000;
/** Time after a window's end for its last events to be counted before the summary goes out. */
export const SUMMARY_GRACE_MS = 2000;

export interface SummarySenderOptions {
  windows: WindowStore;
  dispatcher: AlertDispatcher;
  metrics: RouterMetrics;
  logger: BusLogger;
  cluster: string;
  signal: AbortSignal;
  now?: () => number;
}

/**
 * Closes dedup windows: when a window has ended, one replica claims it, sends the
 * summary of its repeats (if there were any) and removes the record. Run for every
 * window by the sweeper, and by an event that finds its window ended but unfinished.
 */
export class SummarySender {
  private readonly now: () => number;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly o: SummarySenderOptions) {
    this.now = o.now ?? Date.now;
  }

  startSweeping(intervalMs: number): void {
    const sweep = async () => {
      try {
        for (const key of await this.o.windows.keys()) await this.send(key, { force: false });
      } catch (err) {
        if (!this.o.signal.aborted) this.o.logger.warn({ err: (err as Error).message }, 'summary sweep failed; next sweep retries');
      }
      if (!this.o.signal.aborted) this.timer = setTimeout(sweep, intervalMs);
    };
    this.timer = setTimeout(sweep, intervalMs);
  }

  stopSweeping(): void {
    clearTimeout(this.timer);
  }

  /** `force`: the window is known to be over (a later event says so), whatever the clock says. */
  async send(key: string, { force }: { force: boolean }): Promise<void> {
    for (;;) {
      const w = await this.o.windows.get(key);
      if (!w || !w.firstDone || (!force && this.now() < w.end + Math.min(SUMMARY_GRACE_MS, w.end - w.start))) return;
      if (!needsSummary(w) || w.summary.state === 'done') {
        // Kept for one more window length, so a straggler of this window (an event handled
        // late) is folded into it instead of opening a new window and alerting again.
        if (this.now() < w.end + (w.end - w.start)) return;
        await this.o.windows.update(key, (x) => (x && x.alertId === w.alertId && x.firstDone && (!needsSummary(x) || x.summary.state === 'done') ? 'delete' : undefined));
        return;
      }
      const claimedByOther = w.summary.state === 'claimed' && this.now() - w.summary.claimedAt < SUMMARY_LEASE_MS;
      if (claimedByOther) {
        if (!force || this.o.signal.aborted) return;
        await new Promise((r) => setTimeout(r, 100));
        continue;
      }
      const claimed = await this.o.windows.update(key, (x) =>
        x && x.alertId === w.alertId && x.summary.claimedAt === w.summary.claimedAt && x.summary.state !== 'done'
          ? { ...x, summary: { ...x.summary, state: 'claimed', claimedAt: this.now() } }
          : undefined,
      );
      if (!claimed) continue;
      const alert = alertFromWindow(claimed, AlertKind.SUMMARY, this.o.cluster);
      await this.o.dispatcher.dispatch(alert, {
        skip: claimed.summary.settled,
        signal: this.o.signal,
        onSettled: async (sinkId) => {
          await this.o.windows.update(key, (x) => (x && x.alertId === claimed.alertId ? { ...x, summary: { ...x.summary, settled: [...new Set([...x.summary.settled, sinkId])] } } : undefined));
        },
      });
      await this.o.windows.update(key, (x) => (x && x.alertId === claimed.alertId ? { ...x, summary: { ...x.summary, state: 'done' } } : undefined));
      this.o.metrics.alerts.inc({ kind: 'summary' });
      this.o.logger.info({ alert: alert.id, count: claimed.count }, 'summary sent');
    }
  }
}
