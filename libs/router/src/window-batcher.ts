import { newEventId } from '@beesting/events';
import type { AccessEventJson } from '@beesting/events';
import { needsSummary, RECENT_EVENT_IDS } from './alert-window.js';
import type { AlertWindow } from './alert-window.js';
import type { WindowStore } from './window-store.js';

export interface Access {
  dedupKey: string;
  eventId: string;
  /** Event time, ms. */
  at: number;
  accesses: number;
  severity: number;
  event: AccessEventJson;
}

export type AccessOutcome =
  /** This access opened a window: its first alert is to be sent. */
  | { kind: 'opened'; window: AlertWindow }
  | { kind: 'counted' }
  /** Seen before (a redelivery); `window` when it was the window's first and its alert is unfinished. */
  | { kind: 'duplicate'; window?: AlertWindow }
  /** Past the end of a window that is not finished yet: finish that one, then try again. */
  | { kind: 'blocked'; window: AlertWindow };

interface Pending extends Access {
  resolve: (outcome: AccessOutcome) => void;
  reject: (error: Error) => void;
}

/** A window that must not be replaced yet: its first alert or its summary is still owed. */
export const isUnfinished = (w: AlertWindow) => !w.firstDone || (needsSummary(w) && w.summary.state !== 'done');

/**
 * Counts accesses into windows with as few compare-and-set writes as possible: while one
 * write for a window is in flight, the accesses arriving for it queue up and go into the
 * next write together. One writer per window per replica; replicas still meet through CAS.
 */
export class WindowBatcher {
  private readonly queues = new Map<string, Pending[]>();

  constructor(
    private readonly store: WindowStore,
    private readonly windowMs: number,
  ) {}

  submit(wkey: string, access: Access): Promise<AccessOutcome> {
    return new Promise((resolve, reject) => {
      const queue = this.queues.get(wkey);
      const pending = { ...access, resolve, reject };
      if (queue) {
        queue.push(pending);
        return;
      }
      this.queues.set(wkey, [pending]);
      void this.drain(wkey);
    });
  }

  private async drain(wkey: string): Promise<void> {
    for (;;) {
      const batch = this.queues.get(wkey)?.splice(0) ?? [];
      if (batch.length === 0) {
        this.queues.delete(wkey);
        return;
      }
      let outcomes: AccessOutcome[] = [];
      try {
        await this.store.update(wkey, (current) => {
          const applied = this.apply(current, batch);
          outcomes = applied.outcomes;
          return applied.next;
        });
        batch.forEach((p, i) => p.resolve(outcomes[i] ?? { kind: 'counted' }));
      } catch (err) {
        batch.forEach((p) => p.reject(err as Error));
      }
    }
  }

  private apply(current: AlertWindow | undefined, batch: Pending[]): { next: AlertWindow | undefined; outcomes: AccessOutcome[] } {
    let w = current;
    let changed = false;
    const outcomes = batch.map((a): AccessOutcome => {
      if (w?.recent.includes(a.eventId)) return w.firstEventId === a.eventId && !w.firstDone ? { kind: 'duplicate', window: w } : { kind: 'duplicate' };
      if (!w || a.at >= w.end) {
        if (w && isUnfinished(w)) return { kind: 'blocked', window: w };
        w = {
          dedupKey: a.dedupKey,
          alertId: newEventId(),
          severity: a.severity,
          start: a.at,
          end: a.at + this.windowMs,
          firstEventId: a.eventId,
          count: a.accesses,
          firstCount: a.accesses,
          lastSeen: a.at,
          recent: [a.eventId],
          firstSettled: [],
          firstDone: false,
          summary: { state: 'none', claimedAt: 0, settled: [] },
          event: a.event,
        };
        changed = true;
        return { kind: 'opened', window: w };
      }
      w = { ...w, count: w.count + a.accesses, lastSeen: Math.max(w.lastSeen, a.at), recent: [...w.recent, a.eventId].slice(-RECENT_EVENT_IDS) };
      changed = true;
      return { kind: 'counted' };
    });
    return { next: changed ? w : undefined, outcomes };
  }
}
