import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { accessSubject, armSubject, beestingBusLayout, BusConnection, provision, requestMessage, trapKey } from '@beesting/bus';
import { AccessEventSchema, ArmReplySchema, decodeMessage, encodeMessage, sampleTrapRegistration, TrapRegistrationSchema } from '@beesting/events';
import type { AccessEvent } from '@beesting/events';
import { freeLoopbackPort, startNatsServer } from '@beesting/testing';
import type { NatsServer } from '@beesting/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The built monitor as it runs on a node, killed -9 and started again.
const MAIN = join(import.meta.dirname, '../../../apps/monitor/dist/main.js');
const NODE = 'restart-node';

describe('a monitor killed -9', () => {
  let server: NatsServer;
  let bus: BusConnection;
  const dir = mkdtempSync(join(tmpdir(), 'beesting-restart-'));
  const bpffs = join(dir, 'bpffs');
  const children: ChildProcess[] = [];
  const events: AccessEvent[] = [];

  beforeAll(async () => {
    // A bpffs of our own: its pins go when it is unmounted.
    mkdirSync(bpffs);
    execFileSync('mount', ['-t', 'bpf', 'bpf', bpffs]);
    server = await startNatsServer();
    bus = BusConnection.start({ servers: server.url, name: 'restart-test' });
    const nc = await bus.ready(10_000);
    await provision(nc.jetstream(), await nc.jetstreamManager(), beestingBusLayout());
    nc.subscribe(accessSubject(NODE), { callback: (_e, m) => events.push(decodeMessage(AccessEventSchema, m.data)) });
  });
  afterAll(async () => {
    for (const c of children) c.kill('SIGKILL');
    await Promise.all(children.map((c) => new Promise((r) => (c.exitCode !== null || c.signalCode ? r(null) : c.once('exit', r)))));
    await bus?.close();
    await server?.dispose();
    try {
      execFileSync('umount', [bpffs]);
    } catch {
      // not mounted
    }
    rmSync(dir, { recursive: true, force: true });
  });

  async function startMonitorProcess(): Promise<ChildProcess> {
    const port = await freeLoopbackPort();
    const child = spawn(process.execPath, [MAIN], {
      env: {
        PATH: process.env['PATH'] ?? '',
        BEESTING_NATS_URL: server.url,
        BEESTING_NODE_NAME: NODE,
        BEESTING_STATE_DIR: join(dir, 'state'),
        BEESTING_HTTP_ADDR: `127.0.0.1:${port}`,
        BEESTING_BPF_PIN_DIR: join(bpffs, 'beesting'),
        BEESTING_RATE_LIMIT_MS: '0',
        BEESTING_LOG_LEVEL: 'error',
      },
      stdio: 'ignore',
    });
    children.push(child);
    for (let i = 0; i < 200; i++) {
      if (await fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.ok, () => false)) return child;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('monitor not ready');
  }

  it('publishes, after it is started again, the access that happened while it was dead', async () => {
    const decoy = join(dir, 'decoy');
    writeFileSync(decoy, 'decoy\n');
    const registration = sampleTrapRegistration();
    registration.trap!.id = 'trap-restart';
    registration.hostPath = decoy;
    registration.owner!.node = NODE;
    const kv = await bus.jetstream!.views.kv('beesting_traps', { bindOnly: true });
    await kv.put(trapKey(NODE, 'trap-restart'), encodeMessage(TrapRegistrationSchema, registration));

    const first = await startMonitorProcess();
    const reply = await requestMessage(bus.connection!, armSubject(NODE), { schema: TrapRegistrationSchema, message: registration }, ArmReplySchema, { timeoutMs: 2000 });
    expect(reply.armed).toBe(true);
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));

    // Nobody is listening: the pinned program still sees this, into the pinned ring buffer.
    execFileSync('cat', [decoy]);
    await new Promise((r) => setTimeout(r, 300));
    expect(events.filter((e) => e.trap?.id === 'trap-restart')).toEqual([]);

    await startMonitorProcess();
    for (let i = 0; i < 200 && !events.some((e) => e.trap?.id === 'trap-restart'); i++) await new Promise((r) => setTimeout(r, 25));
    const seen = events.filter((e) => e.trap?.id === 'trap-restart');
    expect(seen).toHaveLength(1);
    expect(seen[0]!.opener?.process?.comm).toBe('cat');
    // And it keeps detecting.
    execFileSync('cat', [decoy]);
    for (let i = 0; i < 100 && events.filter((e) => e.trap?.id === 'trap-restart').length < 2; i++) await new Promise((r) => setTimeout(r, 25));
    expect(events.filter((e) => e.trap?.id === 'trap-restart')).toHaveLength(2);
  });
});
