import { createConnection } from 'node:net';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { describe, expect, it } from 'vitest';
import { ConfigureResponseSchema, ContainerState, Event, RegisterPluginRequestSchema, StateChangeEventSchema } from '../src/gen/nri/pkg/api/v1alpha1/api_pb.js';
import { NriConnection } from '../src/nri-connection.js';
import { PLUGIN_SERVICE, RUNTIME_SERVICE } from '../src/nri-schemas.js';
import { NriPlugin } from '../src/plugin/nri-plugin.js';
import { eventMask } from '../src/plugin/events.js';
import { container, pod, useNri } from './plugin-fixture.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('a plugin that is slow, fails, or loses its runtime', () => {
  const nri = useNri();

  it('answers a handler that sleeps past its deadline with an empty adjustment, in time, and stays registered', async () => {
    const socketPath = nri.socketPath();
    const sim = await nri.simulator({ socketPath, nriVersion: 'v0.12.2', requestTimeoutMs: 2000 });
    const late: string[] = [];
    let calls = 0;
    const plugin = nri.plugin({
      socketPath,
      onHandlerTimeout: (method) => late.push(method),
      handlers: {
        createContainer: async (_p, c) => {
          calls += 1;
          if (c.name === 'ctr-slow') await sleep(3000);
          return { adjust: { env: [{ key: 'SEEN', value: c.name }] } };
        },
      },
    });
    plugin.start();
    await sim.waitForPlugins(1, 5000);
    await sim.runPodSandbox(pod('p'));

    const started = Date.now();
    const slow = await sim.createContainer('p', container('slow', 'p'));
    const elapsed = Date.now() - started;
    expect(slow).toMatchObject({ outcome: 'created', adjustments: [] });
    expect(slow.outcome === 'created' && slow.container.env).toEqual([]);
    expect(elapsed).toBeGreaterThanOrEqual(1600);
    expect(elapsed).toBeLessThan(2000);
    expect(late).toEqual(['CreateContainer']);

    // Not dropped: the next container gets its adjustment.
    const next = await sim.createContainer('p', container('fast', 'p'));
    expect(next.outcome === 'created' && next.container.env).toEqual(['SEEN=ctr-fast']);
    expect(sim.activePlugins).toHaveLength(1);
    expect(calls).toBe(2);
  });

  it('is closed by the runtime when it answers later than the request timeout, as containerd does, then registers again', async () => {
    const socketPath = nri.socketPath();
    const sim = await nri.simulator({ socketPath, requestTimeoutMs: 300 });
    const plugin = nri.plugin({
      socketPath,
      handlerTimeoutMs: 1000, // longer than the runtime waits: the trace's "timeout" session
      handlers: { createContainer: async () => (await sleep(600), { adjust: { env: [{ key: 'LATE', value: '1' }] } }) },
    });
    const disconnects: unknown[] = [];
    plugin.on('disconnected', (err) => disconnects.push(err));
    plugin.start();
    await sim.waitForPlugins(1, 5000);
    await sim.runPodSandbox(pod('p'));
    const created = await sim.createContainer('p', container('c', 'p'));
    expect(created).toMatchObject({ outcome: 'created', adjustments: [] });
    expect(created.outcome === 'created' && created.container.env).toEqual([]);
    expect(sim.log).toContain('closing plugin 50-beesting, failed to handle CreateContainer request: context deadline exceeded');
    await sleep(50);
    expect(disconnects).toHaveLength(1);
    await plugin.waitSynchronized(5000);
    await sim.waitForPlugins(1, 5000);
  });

  it('fails the container when a handler throws, and gets the StopContainer and RemoveContainer that undo it', async () => {
    const socketPath = nri.socketPath();
    const sim = await nri.simulator({ socketPath });
    const seen: string[] = [];
    const plugin = nri.plugin({
      socketPath,
      handlers: {
        createContainer: () => {
          throw new Error('refusing container error-sleeper (demo error)');
        },
        stopContainer: (_p, c) => void seen.push(`stop ${c.name} ${c.state}`),
        removeContainer: (_p, c) => void seen.push(`remove ${c.name}`),
      },
    });
    plugin.start();
    await sim.waitForPlugins(1, 5000);
    await sim.runPodSandbox(pod('p'));
    const created = await sim.createContainer('p', container('x', 'p', { name: 'error-sleeper' }));
    expect(created).toEqual({
      outcome: 'failed',
      error: 'failed to get NRI adjustment for container: rpc error: code = Unknown desc = refusing container error-sleeper (demo error)',
    });
    expect(seen).toEqual([`stop error-sleeper ${ContainerState.CONTAINER_UNKNOWN}`, 'remove error-sleeper']);
    expect(sim.activePlugins).toHaveLength(1); // the connection stays open
    expect(sim.containers.size).toBe(0);
  });

  it('reconnects and registers again when the runtime restarts, and waits for a runtime that is not there yet', async () => {
    const socketPath = nri.socketPath();
    const synchronizations: number[] = [];
    const plugin = nri.plugin({ socketPath, handlers: { synchronize: (_p, containers) => void synchronizations.push(containers.length), createContainer: () => undefined } });
    plugin.start(); // no runtime yet: it retries
    await sleep(150);
    const sim = await nri.simulator({ socketPath });
    await plugin.waitSynchronized(5000);
    await sim.waitForPlugins(1, 5000);

    sim.seed([pod('p')], [container('c', 'p', { state: ContainerState.CONTAINER_RUNNING })]);
    await sim.restart();
    expect(sim.activePlugins).toHaveLength(0);
    await sim.waitForPlugins(1, 5000);
    expect(synchronizations).toEqual([0, 1]);
    expect(sim.log.filter((l) => l === 'plugin "50-beesting" registered')).toHaveLength(2);
  });

  it('joins a split synchronization and answers "more" for every chunk but the last', async () => {
    const socketPath = nri.socketPath();
    const sim = await nri.simulator({ socketPath, nriVersion: 'v0.8.0', maxSyncMessageBytes: 4096 });
    const pods = Array.from({ length: 20 }, (_, i) => pod(`p${i}`));
    const containers = Array.from({ length: 300 }, (_, i) => container(`c${i}`, `p${i % 20}`, { env: [`N=${i}`, 'PATH=/usr/bin'], state: ContainerState.CONTAINER_RUNNING }));
    sim.seed(pods, containers);
    let got: string[] = [];
    const plugin = nri.plugin({ socketPath, handlers: { synchronize: (_p, cs) => void (got = cs.map((c) => c.id)), createContainer: () => undefined } });
    plugin.start();
    await sim.waitForPlugins(1, 5000);
    expect(got).toEqual(containers.map((c) => c.id));
    expect(sim.log.find((l) => l.startsWith('synchronizing plugin 50-beesting in'))).toMatch(/in ([3-9]|\d\d+) chunks/);
    expect(sim.log.some((l) => l.includes('does not handle split sync'))).toBe(false);
  });

  it('receives a synchronization too large for one 4096-byte frame', async () => {
    const socketPath = nri.socketPath();
    const sim = await nri.simulator({ socketPath });
    sim.seed([pod('p')], Array.from({ length: 40 }, (_, i) => container(`c${i}`, 'p', { annotations: { note: 'x'.repeat(200) } })));
    let count = 0;
    const plugin = nri.plugin({ socketPath, handlers: { synchronize: (_p, cs) => void (count = cs.length), createContainer: () => undefined } });
    plugin.start();
    await sim.waitForPlugins(1, 5000);
    expect(count).toBe(40);
  });

  it('leaves out events an old runtime does not know, so registration does not fail', async () => {
    const socketPath = nri.socketPath();
    const sim = await nri.simulator({ socketPath, nriVersion: '' });
    const plugin = nri.plugin({ socketPath, handlers: { postUpdatePodSandbox: () => undefined, createContainer: () => undefined } });
    plugin.start();
    await sim.waitForPlugins(1, 5000);
    expect(sim.activePlugins[0]!.events).toBe(eventMask([Event.CREATE_CONTAINER]));
  });
});

describe('the runtime side', () => {
  const nri = useNri();

  /** A bare plugin connection, the way an old Go plugin behaves: only StateChange served. */
  async function rawPlugin(socketPath: string, index: string) {
    const socket = createConnection({ path: socketPath });
    await new Promise((r) => socket.once('connect', r));
    const connection = new NriConnection(socket, { role: 'plugin' });
    const stateChanges: number[] = [];
    connection.server.register(PLUGIN_SERVICE, 'Configure', async () =>
      toBinary(ConfigureResponseSchema, create(ConfigureResponseSchema, { events: eventMask([Event.RUN_POD_SANDBOX]) })),
    );
    connection.server.register(PLUGIN_SERVICE, 'Synchronize', async () => new Uint8Array());
    connection.server.register(PLUGIN_SERVICE, 'StateChange', async (r) => {
      stateChanges.push(fromBinary(StateChangeEventSchema, r.payload).event);
      return new Uint8Array();
    });
    const register = connection.client.call(RUNTIME_SERVICE, 'RegisterPlugin', toBinary(RegisterPluginRequestSchema, create(RegisterPluginRequestSchema, { pluginName: 'old', pluginIdx: index })), { timeoutMs: 2000 });
    return { connection, stateChanges, register };
  }

  it('falls back to StateChange for a plugin that answers UNIMPLEMENTED to the per-event method', async () => {
    const socketPath = nri.socketPath();
    const sim = await nri.simulator({ socketPath, nriVersion: 'v0.12.2' });
    const raw = await rawPlugin(socketPath, '10');
    await raw.register;
    await sim.waitForPlugins(1, 5000);
    await sim.runPodSandbox(pod('p'));
    await sim.runPodSandbox(pod('q'));
    expect(sim.log).toContain('plugin 10-old does not implement RunPodSandbox; using StateChange from now on');
    expect(raw.stateChanges).toEqual([Event.RUN_POD_SANDBOX, Event.RUN_POD_SANDBOX]);
    expect(sim.activePlugins[0]!.stateChangeOnly).toBe(true);
    raw.connection.close();
  });

  it('refuses a plugin index that is not two digits, with an error status', async () => {
    const socketPath = nri.socketPath();
    await nri.simulator({ socketPath });
    const raw = await rawPlugin(socketPath, '5');
    await expect(raw.register).rejects.toMatchObject({ code: 'BEESTING_ERR_NRI_STATUS', grpcCode: 2, message: expect.stringMatching(/invalid plugin index "5"/) });
    raw.connection.close();
  });

  it('closes a connection that never registers', async () => {
    const socketPath = nri.socketPath();
    const sim = await nri.simulator({ socketPath, registrationTimeoutMs: 200 });
    const socket = createConnection({ path: socketPath });
    const closed = new Promise((r) => socket.once('close', r));
    await closed;
    expect(sim.log).toContain('plugin registration timed out');
  });

  it('checks plugin names and indexes before connecting', () => {
    expect(() => new NriPlugin({ name: 'bad name', index: '10', handlers: { createContainer: () => undefined } })).toThrow(/BEESTING_ERR_NRI_INVALID_PLUGIN: invalid plugin name/);
    expect(() => new NriPlugin({ name: 'ok', index: '100', handlers: { createContainer: () => undefined } })).toThrow(/invalid plugin index/);
    expect(() => new NriPlugin({ name: 'ok', index: '10', handlers: {} })).toThrow(/at least one event/);
  });
});
