import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { accessSubject, armSubject, beestingBusLayout, BusConnection, disarmSubject, provision, requestMessage, trapKey } from '@beesting/bus';
import { createLogger, loadConfig, monitorSettings } from '@beesting/config';
import { AccessEventSchema, AccessKind, ArmReplySchema, decodeMessage, DetectionBackend, encodeMessage, OpenerClassification, sampleTrapRegistration, TrapRegistrationSchema } from '@beesting/events';
import type { AccessEvent } from '@beesting/events';
import { startNatsServer } from '@beesting/testing';
import type { NatsServer } from '@beesting/testing';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMonitor } from '../src/monitor.js';
import type { RunningMonitor } from '../src/monitor.js';

const run = promisify(execFile);
const NODE = 'node-a.example.internal';

describe('the monitor, on the real kernel with a real nats-server', () => {
  let server: NatsServer;
  let bus: BusConnection;
  let monitor: RunningMonitor;
  const dir = mkdtempSync(join(tmpdir(), 'beesting-monitor-'));
  const events: AccessEvent[] = [];

  beforeAll(async () => {
    server = await startNatsServer();
    bus = BusConnection.start({ servers: server.url, name: 'monitor-test', reconnectWaitMs: 100 });
    const nc = await bus.ready(10_000);
    await provision(nc.jetstream(), await nc.jetstreamManager(), beestingBusLayout());
    nc.subscribe(accessSubject(NODE), { callback: (_e, m) => events.push(decodeMessage(AccessEventSchema, m.data)) });
    const config = loadConfig(monitorSettings, {
      env: { BEESTING_NATS_URL: server.url, BEESTING_STATE_DIR: join(dir, 'state'), BEESTING_NODE_NAME: NODE, BEESTING_HTTP_ADDR: '127.0.0.1:0', BEESTING_RATE_LIMIT_MS: '0', BEESTING_LOG_LEVEL: 'error' },
    });
    monitor = await startMonitor(config, { logger: createLogger({ app: 'monitor', level: 'error' }), registry: new Registry() });
  });
  afterAll(async () => {
    await monitor?.stop();
    await bus?.close();
    await server?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  const decoy = (name: string) => {
    const path = join(dir, name);
    writeFileSync(path, `decoy ${name}\n`);
    return path;
  };
  const registration = (trapId: string, hostPath: string) => {
    const r = sampleTrapRegistration();
    r.trap!.id = trapId;
    r.hostPath = hostPath;
    r.owner!.node = NODE;
    return r;
  };
  /** A process that reads the file and lives on for a moment, so /proc can be read. */
  const openAndLinger = (path: string) => run('python3', ['-c', `open('${path}').read(); import time; time.sleep(0.5)`, 'extra-arg']);
  const eventsOf = async (trapId: string, count: number, timeoutMs = 5000) => {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline && events.filter((e) => e.trap?.id === trapId).length < count) await new Promise((r) => setTimeout(r, 20));
    return events.filter((e) => e.trap?.id === trapId);
  };

  it('is ready only once its canary came back through the kernel', async () => {
    await monitor.ready;
    const res = await fetch(`http://127.0.0.1:${monitor.httpPort}/readyz`);
    expect(await res.json()).toEqual({ status: 'ready', backend: 'tracepoint' });
    const metrics = await (await fetch(`http://127.0.0.1:${monitor.httpPort}/metrics`)).text();
    expect(metrics).toContain('beesting_monitor_backend_info{backend="tracepoint"} 1');
    expect(metrics).toMatch(/beesting_bpf_counter\{counter="hits"\} [1-9]/);
  });

  it('arms on request and publishes what the kernel saw, with the opener from /proc', async () => {
    const path = decoy('requested');
    const reply = await requestMessage(bus.connection!, armSubject(NODE), { schema: TrapRegistrationSchema, message: registration('trap-req', path) }, ArmReplySchema, { timeoutMs: 2000 });
    expect(reply).toMatchObject({ trapId: 'trap-req', armed: true, backend: DetectionBackend.TRACEPOINT, node: NODE });
    await openAndLinger(path);
    const [event] = await eventsOf('trap-req', 1);
    expect(event).toMatchObject({
      trap: { id: 'trap-req', name: 'eks-web-identity-token' },
      owner: { node: NODE, pod: { name: 'sample-pod' } },
      backend: DetectionBackend.TRACEPOINT,
      accessKind: AccessKind.OPEN,
      suppressedCount: 0n,
    });
    const opener = event!.opener!;
    expect(opener.process!.exe).toMatch(/python3/);
    expect(opener.process!.argv.at(-1)).toBe('extra-arg');
    expect(opener.process!.cwd).toBe(process.cwd());
    expect(opener.classification).toBe(OpenerClassification.HOST);
    expect(opener.ancestors[0]).toMatchObject({ pid: process.pid });
    expect(opener.ancestors.at(-1)!.pid).toBe(1);
    const lag = Date.now() - Number(event!.observedAt!.seconds) * 1000;
    expect(lag).toBeGreaterThanOrEqual(0);
    expect(lag).toBeLessThan(5000);
  });

  it('answers a request for a decoy file that does not exist with the error, unarmed', async () => {
    const reply = await requestMessage(bus.connection!, armSubject(NODE), { schema: TrapRegistrationSchema, message: registration('trap-missing', join(dir, 'absent')) }, ArmReplySchema, { timeoutMs: 2000 });
    expect(reply).toMatchObject({ armed: false, errorCode: 'BEESTING_ERR_TRAP_FILE', errorMessage: expect.stringMatching(/ENOENT/) });
  });

  it('arms what the inventory (KV) holds for its node, also registered without a request', async () => {
    const path = decoy('inventoried');
    const kv = await bus.jetstream!.views.kv('beesting_traps', { bindOnly: true });
    await kv.put(trapKey(NODE, 'trap-kv'), encodeMessage(TrapRegistrationSchema, registration('trap-kv', path)));
    await kv.put(trapKey('other-node', 'trap-elsewhere'), encodeMessage(TrapRegistrationSchema, registration('trap-elsewhere', decoy('elsewhere'))));
    for (let i = 0; i < 100 && monitor.armedTraps() < 2; i++) await new Promise((r) => setTimeout(r, 20));
    await openAndLinger(path);
    expect(await eventsOf('trap-kv', 1)).toHaveLength(1);
    await openAndLinger(join(dir, 'elsewhere'));
    expect(await eventsOf('trap-elsewhere', 1, 500)).toEqual([]);
  });

  it('stops reporting a disarmed trap, and never reports its own reads', async () => {
    const path = decoy('disarmed');
    await requestMessage(bus.connection!, armSubject(NODE), { schema: TrapRegistrationSchema, message: registration('trap-off', path) }, ArmReplySchema, { timeoutMs: 2000 });
    readFileSync(path);
    expect(await eventsOf('trap-off', 1, 500)).toEqual([]);
    await requestMessage(bus.connection!, disarmSubject(NODE), { schema: TrapRegistrationSchema, message: registration('trap-off', path) }, ArmReplySchema, { timeoutMs: 2000 });
    await openAndLinger(path);
    expect(await eventsOf('trap-off', 1, 500)).toEqual([]);
  });

  it('spools what happens while NATS is down and publishes it when NATS is back', async () => {
    const path = decoy('outage');
    await requestMessage(bus.connection!, armSubject(NODE), { schema: TrapRegistrationSchema, message: registration('trap-outage', path) }, ArmReplySchema, { timeoutMs: 2000 });
    const jsm = await bus.manager();
    const before = (await jsm.streams.info('BEESTING_EVENTS')).state.messages;
    await server.stop();
    await openAndLinger(path);
    await server.start();
    let last: { messages: number; seq: number } = { messages: before, seq: 0 };
    for (let i = 0; i < 300 && last.messages <= before; i++) {
      const info = await bus
        .manager()
        .then((m) => m.streams.info('BEESTING_EVENTS'))
        .catch(() => undefined);
      if (info) last = { messages: info.state.messages, seq: info.state.last_seq };
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(last.messages).toBe(before + 1);
    const stored = await (await bus.manager()).streams.getMessage('BEESTING_EVENTS', { seq: last.seq });
    expect(decodeMessage(AccessEventSchema, stored.data).trap?.id).toBe('trap-outage');
  });
});
