import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { useBus, waitFor } from '../test/bus-fixture.js';
import { createBusMetrics } from './bus-metrics.js';
import { SpoolFile } from './spool-file.js';
import { SpoolingPublisher } from './spooling-publisher.js';
import type { PublishOutcome } from './spooling-publisher.js';
import { accessSubject, EVENTS_STREAM } from './subjects.js';

const dir = mkdtempSync(join(tmpdir(), 'beesting-spooling-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const body = (run: string, n: number) => new TextEncoder().encode(JSON.stringify({ run, n }));
const value = (metrics: Registry, name: string, labels: Record<string, string> = {}) =>
  metrics
    .getSingleMetric(name)!
    .get()
    .then((m) => m.values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l))?.value ?? 0);

describe('the spooling publisher against a real nats-server that goes away', () => {
  const t = useBus();
  let registry: Registry;
  beforeEach(() => {
    registry = new Registry();
  });

  /** The stream's messages on one node's subject, in stream order. */
  async function stored(node: string): Promise<Array<{ run: string; n: number }>> {
    const jsm = await t.bus.manager();
    const out = [];
    const last = (await jsm.streams.info(EVENTS_STREAM)).state.last_seq;
    for (let seq = 1; seq <= last; seq++) {
      const m = await jsm.streams.getMessage(EVENTS_STREAM, { seq }).catch(() => undefined);
      if (m?.subject === accessSubject(node)) out.push(JSON.parse(new TextDecoder().decode(m.data)));
    }
    return out;
  }

  it('spools 1,000 events while the server is down and delivers each exactly once, in order, when it is back', async () => {
    const spool = SpoolFile.open(join(dir, 'outage.spool'), { maxBytes: 16 << 20 });
    const publisher = new SpoolingPublisher({ bus: t.bus, spool, metrics: createBusMetrics(registry), publishTimeoutMs: 1000, retryIntervalMs: 200 });
    const node = 'outage-node';
    const outcomes: PublishOutcome[] = [];
    for (let n = 0; n < 100; n++) outcomes.push(await publisher.publish(accessSubject(node), body('outage', n), `outage-${n}`));
    expect(outcomes.every((o) => o === 'published')).toBe(true);

    // Crash the server mid-run while publishes keep coming, some of them in flight.
    const crash = t.server.kill();
    for (let n = 100; n < 1100; n++) outcomes.push(await publisher.publish(accessSubject(node), body('outage', n), `outage-${n}`));
    await crash;
    expect(t.bus.connected).toBe(false);
    const spooled = outcomes.filter((o) => o === 'spooled').length;
    expect(spooled).toBeGreaterThanOrEqual(1000);
    expect(publisher.pending).toBe(spooled);
    expect(await value(registry, 'beesting_bus_spool_pending')).toBe(spooled);

    await t.server.start();
    expect(await publisher.flushed(30_000)).toBe(true);
    const messages = await stored(node);
    expect(messages).toHaveLength(1100);
    expect(messages.map((m) => m.n)).toEqual(Array.from({ length: 1100 }, (_, n) => n));
    expect(await value(registry, 'beesting_bus_published_total', { path: 'replayed' })).toBe(spooled);
    expect(await value(registry, 'beesting_bus_spool_pending')).toBe(0);
    expect(spool.sizeBytes).toBe(0);
    await publisher.close();
    spool.close();
  });

  it('replays what a dead process left in the spool once, also the entry it had published but not marked', async () => {
    const path = join(dir, 'crash.spool');
    const node = 'crash-node';
    await t.server.stop();
    await waitFor(() => !t.bus.connected, 5000, 'the disconnect');
    const first = SpoolFile.open(path, { maxBytes: 1 << 20 });
    const dying = new SpoolingPublisher({ bus: t.bus, spool: first, retryIntervalMs: 60_000 });
    for (let n = 0; n < 50; n++) expect(await dying.publish(accessSubject(node), body('crash', n), `crash-${n}`)).toBe('spooled');
    await dying.close();
    first.close();

    await t.server.start();
    await waitFor(() => t.bus.connected, 10_000, 'the reconnect');
    // The dead process had got JetStream's ack for entry 0 but died before marking it.
    await t.bus.jetstream!.publish(accessSubject(node), body('crash', 0), { msgID: 'crash-0' });

    const reopened = SpoolFile.open(path, { maxBytes: 1 << 20 });
    expect(reopened.openReport.pending).toBe(50);
    const publisher = new SpoolingPublisher({ bus: t.bus, spool: reopened, retryIntervalMs: 100 });
    expect(await publisher.flushed(20_000)).toBe(true);
    expect((await stored(node)).map((m) => m.n)).toEqual(Array.from({ length: 50 }, (_, n) => n));
    await publisher.close();
    reopened.close();
  });

  it('write-ahead: a message is on disk before publish returns, so a process killed before the ack loses nothing', async () => {
    const path = join(dir, 'write-ahead.spool');
    const node = 'write-ahead-node';
    const spool = SpoolFile.open(path, { maxBytes: 1 << 20 });
    const publisher = new SpoolingPublisher({ bus: t.bus, spool, writeAhead: true, retryIntervalMs: 60_000 });
    const sent = publisher.publish(accessSubject(node), body('wal', 0), 'wal-0');
    // Synchronously on disk: what a kill -9 at this instant would leave for the next start.
    const copy = join(dir, 'write-ahead-copy.spool');
    const { copyFileSync } = await import('node:fs');
    copyFileSync(path, copy);
    expect(await sent).toBe('published');
    expect(publisher.pending).toBe(0);
    for (let n = 1; n < 20; n++) expect(await publisher.publish(accessSubject(node), body('wal', n), `wal-${n}`)).toBe('published');
    await publisher.close();
    spool.close();

    // The "next start" of the killed process replays its copy; the message id makes it a no-op.
    const reopened = SpoolFile.open(copy, { maxBytes: 1 << 20 });
    expect(reopened.openReport.pending).toBe(1);
    const next = new SpoolingPublisher({ bus: t.bus, spool: reopened, writeAhead: true, retryIntervalMs: 100 });
    expect(await next.flushed(20_000)).toBe(true);
    expect((await stored(node)).map((m) => m.n)).toEqual(Array.from({ length: 20 }, (_, n) => n));
    await next.close();
    reopened.close();
  });

  it('counts what does not fit in a full spool, never throws, and delivers what did fit', async () => {
    const node = 'full-node';
    await t.server.stop();
    await waitFor(() => !t.bus.connected, 5000, 'the disconnect');
    const spool = SpoolFile.open(join(dir, 'full.spool'), { maxBytes: 2000 });
    const publisher = new SpoolingPublisher({ bus: t.bus, spool, metrics: createBusMetrics(registry), retryIntervalMs: 100 });
    const outcomes: PublishOutcome[] = [];
    for (let n = 0; n < 100; n++) outcomes.push(await publisher.publish(accessSubject(node), body('full', n), `full-${n}`));
    const kept = outcomes.filter((o) => o === 'spooled').length;
    expect(kept).toBeGreaterThan(10);
    expect(outcomes.slice(kept).every((o) => o === 'overflow')).toBe(true);
    expect(await value(registry, 'beesting_bus_spool_overflow_total')).toBe(100 - kept);
    expect(spool.sizeBytes).toBeLessThanOrEqual(2000);

    await t.server.start();
    expect(await publisher.flushed(20_000)).toBe(true);
    expect((await stored(node)).map((m) => m.n)).toEqual(Array.from({ length: kept }, (_, n) => n));
    await publisher.close();
    spool.close();
  });
});
