import { AccessEventSchema, AlertKind, AlertSchema, create, fromJson, timestampFromDate, timestampNow } from '@beesting/events';
import type { Alert } from '@beesting/events';
import type { AlertWindow } from './alert-window.js';

/** The first alert of a window, or its summary: same event, the count so far. */
export function alertFromWindow(window: AlertWindow, kind: AlertKind, cluster: string): Alert {
  return create(AlertSchema, {
    id: kind === AlertKind.SUMMARY ? `${window.alertId}-summary` : window.alertId,
    kind,
    severity: window.severity,
    cluster,
    dedupKey: window.dedupKey,
    event: fromJson(AccessEventSchema, window.event),
    count: BigInt(kind === AlertKind.SUMMARY ? window.count : window.firstCount),
    firstSeen: timestampFromDate(new Date(window.start)),
    lastSeen: timestampFromDate(new Date(kind === AlertKind.SUMMARY ? window.lastSeen : window.start)),
    createdAt: timestampNow(),
  });
}
