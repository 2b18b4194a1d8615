import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { accessSubject, armSubject, beestingBusLayout, BusConnection, provision, requestMessage } from '@beesting/bus';
import { createLogger, loadConfig, monitorSettings } from '@beesting/config';
import { AccessEventSchema, ArmReplySchema, decodeMessage, sampleTrapRegistration, TrapRegistrationSchema } from '@beesting/events';
import type { AccessEvent } from '@beesting/events';
import { startNatsServer } from '@beesting/testing';
import type { NatsServer } from '@beesting/testing';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMonitor } from '../src/monitor.js';
import type { RunningMonitor } from '../src/monitor.js';

const run = promisify(execFile);
const NODE = 'busy-node';
const OPENS = 1_000_000;

describe('one process opening one decoy a million times', () => {
  let server: NatsServer;
  let bus: BusConnection;
  let monitor: RunningMonitor;
  let registry: Registry;
  const dir = mkdtempSync(join(tmpdir(), 'beesting-million-'));
  const events: AccessEvent[] = [];

  beforeAll(async () => {
    server = await startNatsServer();
    bus = BusConnection.start({ servers: server.url, name: 'million-test' });
    const nc = await bus.ready(10_000);
    await provision(nc.jetstream(), await nc.jetstreamManager(), beestingBusLayout());
    nc.subscribe(accessSubject(NODE), { callback: (_e, m) => events.push(decodeMessage(AccessEventSchema, m.data)) });
    const config = loadConfig(monitorSettings, {
      env: { BEESTING_NATS_URL: server.url, BEESTING_STATE_DIR: join(dir, 'state'), BEESTING_NODE_NAME: NODE, BEESTING_HTTP_ADDR: '127.0.0.1:0', BEESTING_RATE_LIMIT_MS: '1000', BEESTING_BPF_PIN_DIR: 'off', BEESTING_LOG_LEVEL: 'error' },
    });
    registry = new Registry();
    monitor = await startMonitor(config, { logger: createLogger({ app: 'monitor', level: 'error' }), registry });
    await monitor.ready;
  });
  afterAll(async () => {
    await monitor?.stop();
    await bus?.close();
    await server?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps the monitor answering, and records + suppressed + dropped account for every open, in the events too', { timeout: 120_000 }, async () => {
    const decoy = join(dir, 'decoy');
    writeFileSync(decoy, 'decoy\n');
    const registration = sampleTrapRegistration();
    registration.trap!.id = 'trap-busy';
    registration.hostPath = decoy;
    registration.owner!.node = NODE;
    expect((await requestMessage(bus.connection!, armSubject(NODE), { schema: TrapRegistrationSchema, message: registration }, ArmReplySchema, { timeoutMs: 2000 })).armed).toBe(true);
    const counter = async (name: string) => Number(new RegExp(`beesting_bpf_counter\\{counter="${name}"\\} (\\d+)`).exec(await registry.metrics())?.[1] ?? 0);
    const before = { hits: await counter('hits'), records: await counter('records'), suppressed: await counter('suppressed'), drops: await counter('drops') };

    // Health checks every 50 ms while the opens run.
    const latencies: number[] = [];
    let done = false;
    const prober = (async () => {
      while (!done) {
        const t = Date.now();
        const ok = await fetch(`http://127.0.0.1:${monitor.httpPort}/healthz`).then((r) => r.ok, () => false);
        latencies.push(ok ? Date.now() - t : Infinity);
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    const started = Date.now();
    await run('python3', ['-c', `import os\nfor i in range(${OPENS}): os.close(os.open('${decoy}', os.O_RDONLY))`]);
    const seconds = (Date.now() - started) / 1000;
    done = true;
    await prober;

    // The last fold is published once the rate-limit interval has passed.
    const total = () => events.filter((e) => e.trap?.id === 'trap-busy').reduce((n, e) => n + 1 + Number(e.suppressedCount), 0);
    for (let i = 0; i < 200 && total() < OPENS; i++) await new Promise((r) => setTimeout(r, 50));
    const after = { hits: await counter('hits'), records: await counter('records'), suppressed: await counter('suppressed'), drops: await counter('drops') };
    const d = (k: keyof typeof after) => after[k] - before[k];

    console.log(`${OPENS} opens in ${seconds.toFixed(1)} s; events ${events.length}; health checks ${latencies.length}, slowest ${Math.max(...latencies)} ms`);
    expect(latencies.length).toBeGreaterThan(3);
    expect(Math.max(...latencies)).toBeLessThan(1000);
    expect(d('hits')).toBe(OPENS);
    expect(d('records') + d('suppressed') + d('drops')).toBe(OPENS);
    expect(total() + d('drops')).toBe(OPENS);
    expect(events.filter((e) => e.trap?.id === 'trap-busy').length).toBeLessThan(seconds + 5);
  });
});
