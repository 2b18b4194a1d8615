import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BusConnection, TRAPS_BUCKET, trapKey } from '@beesting/bus';
import { createLogger, loadConfig, monitorSettings } from '@beesting/config';
import { encodeMessage, sampleTrapRegistration, TrapRegistrationSchema } from '@beesting/events';
import { startNatsServer } from '@beesting/testing';
import type { NatsServer } from '@beesting/testing';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startMonitor } from '../src/monitor.js';
import type { RunningMonitor } from '../src/monitor.js';

const NODE = 'node-first.example.internal';
let server: NatsServer;
let bus: BusConnection;
let monitor: RunningMonitor;
const dir = mkdtempSync(join(tmpdir(), 'beesting-monitor-first-'));

beforeAll(async () => {
  server = await startNatsServer(); // nothing provisioned: the agent started before the router
  bus = BusConnection.start({ servers: server.url, name: 'monitor-first-test' });
  await bus.ready(10_000);
  const config = loadConfig(monitorSettings, {
    env: { BEESTING_NATS_URL: server.url, BEESTING_STATE_DIR: join(dir, 'state'), BEESTING_NODE_NAME: NODE, BEESTING_HTTP_ADDR: '127.0.0.1:0', BEESTING_BPF_PIN_DIR: 'off', BEESTING_LOG_LEVEL: 'error' },
  });
  monitor = await startMonitor(config, { logger: createLogger({ app: 'monitor', level: 'error' }), registry: new Registry() });
  await monitor.ready;
});
afterAll(async () => {
  await monitor?.stop();
  await bus?.close();
  await server?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

it('a monitor that starts before anyone made the inventory makes it and follows it', async () => {
  const nc = await bus.ready();
  // The monitor makes the bucket once its arm service listens: wait for it to exist.
  const bind = () => nc.jetstream().views.kv(TRAPS_BUCKET, { bindOnly: true }).catch(() => undefined);
  await expect.poll(bind, { timeout: 10_000 }).toBeDefined();
  const kv = await nc.jetstream().views.kv(TRAPS_BUCKET, { bindOnly: true });
  const path = join(dir, 'decoy');
  writeFileSync(path, 'decoy\n');
  const r = sampleTrapRegistration();
  r.trap!.id = 'first-trap';
  r.hostPath = path;
  r.owner!.node = NODE;
  // No arm request: only the inventory. (A bucket made a moment ago may answer 503 briefly.)
  await expect.poll(() => kv.put(trapKey(NODE, 'first-trap'), encodeMessage(TrapRegistrationSchema, r)).then(() => true, (err: Error) => err.message), { timeout: 5000 }).toBe(true);
  await expect.poll(() => monitor.armedTraps(), { timeout: 5000 }).toBe(1);
});
