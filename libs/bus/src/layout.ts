import type { BusLayout } from './provision.js';
import { ACCESS_SUBJECTS, ALERT_SUBJECTS, ALERTS_STREAM, DLQ_STREAM, DLQ_SUBJECTS, EVENTS_STREAM, TRAPS_BUCKET } from './subjects.js';

const DAY_MS = 24 * 60 * 60 * 1000;

export interface BusLayoutOptions {
  replicas?: number;
  storage?: 'file' | 'memory';
}

/** The streams and bucket of design.md §3. */
export function beestingBusLayout(options: BusLayoutOptions = {}): BusLayout {
  const replicas = options.replicas ?? 1;
  const storage = options.storage ?? 'file';
  const stream = (name: string, subject: string, maxAgeDays: number) => ({
    name,
    subjects: [subject],
    storage,
    replicas,
    maxAgeMs: maxAgeDays * DAY_MS,
    // Long enough to absorb a spool replay after a short outage without duplicates.
    duplicateWindowMs: 10 * 60 * 1000,
    maxBytes: -1,
  });
  return {
    streams: [stream(EVENTS_STREAM, ACCESS_SUBJECTS, 7), stream(ALERTS_STREAM, ALERT_SUBJECTS, 7), stream(DLQ_STREAM, DLQ_SUBJECTS, 30)],
    buckets: [{ bucket: TRAPS_BUCKET, history: 1, storage, replicas }],
  };
}
