import { BusConnection, DLQ_STREAM, readDeadLetter } from '@beesting/bus';
import type { BusLogger } from '@beesting/bus';
import { AlertSchema, decodeMessage } from '@beesting/events';
import { deliverWithRetries } from '@beesting/sinks';
import type { Sink } from '@beesting/sinks';
import { sinksFromConfig } from './alert-router.js';
import type { AlertRouterConfig } from './alert-router.js';

export interface ReplayReport {
  replayed: number;
  failed: number;
  /** Dead letters of no sink configured now (or not alerts): left in place. */
  skipped: number;
}

/**
 * Sends every alert a sink gave up on to that sink again; each one delivered is removed
 * from BEESTING_DLQ, each one that fails again stays for the next replay.
 */
export async function replayDeadLetters(bus: BusConnection, sinks: readonly Sink[], logger: BusLogger): Promise<ReplayReport> {
  const jsm = await bus.manager();
  const info = await jsm.streams.info(DLQ_STREAM);
  const report: ReplayReport = { replayed: 0, failed: 0, skipped: 0 };
  for (let seq = info.state.first_seq; seq <= info.state.last_seq && seq > 0; seq++) {
    const stored = await jsm.streams.getMessage(DLQ_STREAM, { seq }).catch(() => undefined);
    if (!stored) continue;
    const letter = readDeadLetter({ headers: stored.header, data: stored.data } as never);
    const sink = letter.origin.startsWith('sink.') ? sinks.find((s) => s.id === letter.origin.slice(5)) : undefined;
    if (!sink) {
      report.skipped += 1;
      continue;
    }
    let alert;
    try {
      alert = decodeMessage(AlertSchema, letter.payload);
    } catch {
      report.skipped += 1;
      continue;
    }
    const result = await deliverWithRetries(sink, alert);
    if (result.ok) {
      await jsm.streams.deleteMessage(DLQ_STREAM, seq);
      report.replayed += 1;
      logger.info({ sink: sink.id, alert: alert.id, seq }, 'dead letter delivered');
    } else {
      report.failed += 1;
      logger.warn({ sink: sink.id, alert: alert.id, seq, err: result.error.message }, 'dead letter failed again; kept');
    }
  }
  return report;
}

/** The `replay-dlq` command: connect, build the configured sinks, replay, report. */
export async function runDeadLetterReplay(config: AlertRouterConfig, logger: BusLogger): Promise<ReplayReport> {
  const bus = BusConnection.start({ servers: config.natsUrl, name: 'beesting-dlq-replay', logger });
  try {
    await bus.ready(10_000);
    return await replayDeadLetters(bus, sinksFromConfig(config, bus, () => undefined), logger);
  } finally {
    await bus.close();
  }
}
