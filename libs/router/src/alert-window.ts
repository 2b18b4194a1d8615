import { createHash } from 'node:crypto';
import type { AccessEventJson } from '@beesting/events';

/**
 * The state of one dedup window, shared by all router replicas through the KV bucket
 * beesting_alert_windows and changed only by compare-and-set, so that the first alert
 * and the summary are sent by one replica, counts add up across replicas, and a
 * replica that dies mid-delivery leaves enough behind for another to finish.
 */
export interface AlertWindow {
  dedupKey: string;
  /** Id of the first alert; the summary's is this plus "-summary". */
  alertId: string;
  severity: number;
  /** Event time (ms) the window opened and closes. */
  start: number;
  end: number;
  firstEventId: string;
  /** Accesses in the window, kernel-suppressed ones included. */
  count: number;
  /** Accesses the first alert stands for. */
  firstCount: number;
  lastSeen: number;
  /** Ids of the latest events counted, so a redelivered event is not counted twice. */
  recent: string[];
  /** Sinks done with the first alert (delivered, or given up into the DLQ). */
  firstSettled: string[];
  firstDone: boolean;
  summary: { state: 'none' | 'claimed' | 'done'; claimedAt: number; settled: string[] };
  event: AccessEventJson;
}

export const RECENT_EVENT_IDS = 256;

export const windowKey = (dedupKey: string) => createHash('sha256').update(dedupKey).digest('hex').slice(0, 40);

export const needsSummary = (w: AlertWindow) => w.count > w.firstCount;

export function encodeWindow(w: AlertWindow): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(w));
}

export function decodeWindow(bytes: Uint8Array): AlertWindow {
  return JSON.parse(new TextDecoder().decode(bytes)) as AlertWindow;
}
