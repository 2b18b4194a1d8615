import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalStack } from '../src/index.js';
import type { AppProcess, CreatedContainer } from '../src/index.js';

const TOKEN = '/var/run/secrets/eks.amazonaws.com/serviceaccount/token';
const armedTraps = async (stack: LocalStack) => Number(/^beesting_monitor_armed_traps(?:\{[^}]*\})? (\d+)$/m.exec(await stack.monitor.metrics())?.[1] ?? NaN);
const ownerOf = (d: { body: Record<string, unknown> }) => (d.body['event'] as { owner: { container: { id: string } } }).owner.container.id;

let stack: LocalStack;

/** How many access events of these containers the stream holds: tells a lost event from a lost alert. */
async function eventsOf(containers: Set<string>): Promise<number> {
  const jsm = await stack.nc.jetstreamManager();
  const last = (await jsm.streams.info('BEESTING_EVENTS')).state.last_seq;
  let n = 0;
  for (let seq = 1; seq <= last; seq++) {
    const m = await jsm.streams.getMessage('BEESTING_EVENTS', { seq }).catch(() => undefined);
    if (m && containers.has(JSON.parse(new TextDecoder().decode(m.data)).owner?.container?.id)) n++;
  }
  return n;
}
beforeAll(async () => {
  stack = await LocalStack.start({ logLevel: 'warn' });
}, 120_000);
afterAll(async () => {
  await stack?.stop();
});

describe('chaos: kill -9 each component in turn during 200 creates and 200 decoy reads', () => {
  it('fails no create, alerts every read after recovery, leaves nothing behind', async () => {
    const created: CreatedContainer[] = [];
    const counts = { creates: 0, failedCreates: 0, createsWithoutTrap: 0, reads: 0, failedReads: 0, readsDuringOutage: 0, createsDuringOutage: 0 };
    const outages: Record<string, number> = {};
    const create = async (during?: string) => {
      const c = await stack.createContainer(await stack.pod(`chaos-${counts.creates}`, 'chaos'));
      counts.creates++;
      if (c.outcome !== 'created') counts.failedCreates++;
      if (c.destinations.length !== 1) counts.createsWithoutTrap++;
      if (during) counts.createsDuringOutage++;
      created.push(c);
      return c;
    };
    const read = async (c: CreatedContainer, during?: string) => {
      const run = await stack.run(c.id, ['cat', TOKEN]);
      counts.reads++;
      if (run.code !== 0) counts.failedReads++;
      if (during) counts.readsDuringOutage++;
    };
    /** kill -9 right after the last read, `work` while it is down, restart, wait until it is ready again. */
    const outage = async (name: string, kill: () => Promise<void>, restart: () => Promise<void>, work: () => Promise<void>) => {
      await kill();
      const down = performance.now();
      await work();
      await restart();
      outages[name] = Math.round(performance.now() - down);
    };
    const restartApp = (app: AppProcess, ready: () => Promise<unknown>) => async () => {
      app.start();
      await ready();
    };

    // The injector: decoys already planted are still watched while it is away.
    for (let i = 0; i < 50; i++) await read(await create());
    const deferred: CreatedContainer[] = [];
    for (let i = 0; i < 10; i++) deferred.push(await create());
    await outage('injector', () => stack.injector.kill9(), restartApp(stack.injector, () => stack.injectorReady()), async () => {
      for (const c of deferred) await read(c, 'injector');
    });

    // The monitor: its pinned BPF programs keep recording into the pinned ring buffer.
    const beforeMonitor: CreatedContainer[] = [];
    for (let i = 0; i < 40; i++) beforeMonitor.push(await create());
    for (const c of beforeMonitor.slice(0, 30)) await read(c);
    await outage('monitor', () => stack.monitor.kill9(), restartApp(stack.monitor, () => stack.monitor.ready()), async () => {
      for (const c of beforeMonitor.slice(30)) await read(c, 'monitor');
    });

    // The alert-router: events wait in JetStream; creates and reads go on.
    await outage('alert-router', () => stack.router.kill9(), restartApp(stack.router, () => stack.router.ready()), async () => {
      for (let i = 0; i < 50; i++) await read(await create('alert-router'), 'alert-router');
    });

    // nats-server: the injector keeps registrations, the monitor spools events to disk.
    const beforeNats: CreatedContainer[] = [];
    for (let i = 0; i < 25; i++) beforeNats.push(await create());
    const duringNats: CreatedContainer[] = [];
    await outage('nats-server', () => stack.nats.kill(), () => stack.nats.start(), async () => {
      for (const c of beforeNats) await read(c, 'nats-server');
      for (let i = 0; i < 25; i++) duringNats.push(await create('nats-server'));
    });
    // Planted while NATS was down: armed once the registrations reach the monitor.
    await expect.poll(() => armedTraps(stack), { timeout: 30_000, interval: 100 }).toBe(200);
    for (const c of duringNats) await read(c);

    const recovered = performance.now();
    const expected = new Set(created.map((c) => c.id));
    const missing = () => [...expected].filter((id) => !stack.alerts().some((d) => ownerOf(d) === id));
    await expect
      .poll(() => missing().length, { timeout: 60_000, interval: 250 })
      .toBe(0)
      .catch(async (err: Error) => {
        const m = new Set(missing());
        const groups = created.flatMap((c, i) => (m.has(c.id) ? [`#${i} ${c.id.slice(0, 12)}`] : []));
        throw new Error(`${err.message}: not alerted ${JSON.stringify(groups)} of ${m.size}; access events of them in BEESTING_EVENTS: ${await eventsOf(m)}; logs in ${stack.workDir}`);
      });
    const alertedAfterMs = Math.round(performance.now() - recovered);

    for (const c of created) await stack.removeContainer(c.id);
    const leftover = stack.decoyMounts().length;
    const summary = { ...counts, alerted: new Set(stack.alerts().map(ownerOf)).size, alertsTotal: stack.alerts().length, lastAlertAfterRecoveryMs: alertedAfterMs, outageMs: outages, leftoverDecoyMounts: leftover };
    console.log(`chaos run: ${JSON.stringify(summary)}`);

    expect(counts.creates).toBe(200);
    expect(counts.reads).toBe(200);
    expect(counts.failedCreates).toBe(0);
    expect(counts.createsWithoutTrap).toBe(0);
    expect(counts.failedReads).toBe(0);
    expect(summary.alerted).toBe(200);
    expect(leftover).toBe(0);
  }, 300_000);
});
