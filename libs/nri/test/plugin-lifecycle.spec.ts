import { describe, expect, it } from 'vitest';
import { ContainerState, Event } from '../src/gen/nri/pkg/api/v1alpha1/api_pb.js';
import type { Container, PodSandbox } from '../src/gen/nri/pkg/api/v1alpha1/api_pb.js';
import type { NriHandlers } from '../src/plugin/handlers.js';
import { eventMask } from '../src/plugin/events.js';
import { container, pod, useNri } from './plugin-fixture.js';

const TOKEN = '/var/run/secrets/eks.amazonaws.com/serviceaccount/token';

/** A plugin that records every call and plants one read-only bind mount. */
function recordingHandlers() {
  const calls: string[] = [];
  const synced: { pods: PodSandbox[]; containers: Container[] } = { pods: [], containers: [] };
  const handlers: NriHandlers = {
    synchronize: (pods, containers) => {
      synced.pods = pods;
      synced.containers = containers;
      calls.push(`synchronize ${pods.length}/${containers.length}`);
    },
    runPodSandbox: (p) => void calls.push(`runPodSandbox ${p.name}`),
    createContainer: (p, c) => {
      calls.push(`createContainer ${p.name}/${c.name}`);
      return { adjust: { mounts: [{ destination: TOKEN, type: 'bind', source: `/run/beesting/${c.id}/token`, options: ['bind', 'ro', 'rprivate'] }] } };
    },
    postCreateContainer: (_p, c) => void calls.push(`postCreateContainer ${c.name} ${c.mounts.some((m) => m.destination === TOKEN)}`),
    startContainer: (_p, c) => void calls.push(`startContainer ${c.name}`),
    updateContainer: (_p, c, resources) => void calls.push(`updateContainer ${c.name} ${resources?.memory?.limit?.value}`),
    stopContainer: (_p, c) => void calls.push(`stopContainer ${c.name}`),
    removeContainer: (_p, c) => void calls.push(`removeContainer ${c.name}`),
    stopPodSandbox: (p) => void calls.push(`stopPodSandbox ${p.name}`),
    removePodSandbox: (p) => void calls.push(`removePodSandbox ${p.name}`),
  };
  return { calls, synced, handlers };
}

describe.each([
  ['StateChange events (containerd 1.7.15, NRI v0.6.0)', ''],
  ['per-event methods (NRI v0.12.2)', 'v0.12.2'],
])('a plugin against the simulator, %s', (_name, nriVersion) => {
  const nri = useNri();

  it('completes the handshake and a full pod and container lifecycle', async () => {
    const socketPath = nri.socketPath();
    const sim = await nri.simulator({ socketPath, nriVersion });
    sim.seed([pod('old')], [container('old-c', 'old', { state: ContainerState.CONTAINER_RUNNING })]);
    const { calls, synced, handlers } = recordingHandlers();
    const plugin = nri.plugin({ socketPath, handlers });
    plugin.start();
    await plugin.waitSynchronized(5000);
    await sim.waitForPlugins(1, 5000);

    const expectedEvents = [
      Event.RUN_POD_SANDBOX, Event.STOP_POD_SANDBOX, Event.REMOVE_POD_SANDBOX, Event.CREATE_CONTAINER, Event.POST_CREATE_CONTAINER,
      Event.START_CONTAINER, Event.UPDATE_CONTAINER, Event.STOP_CONTAINER, Event.REMOVE_CONTAINER,
    ];
    expect(sim.activePlugins).toEqual([{ name: 'beesting', index: '50', events: eventMask(expectedEvents), stateChangeOnly: nriVersion === '' }]);
    expect(synced.pods.map((p) => p.name)).toEqual(['pod-old']);
    expect(synced.containers.map((c) => c.name)).toEqual(['ctr-old-c']);

    await sim.runPodSandbox(pod('p1'));
    const created = await sim.createContainer('p1', container('c1', 'p1'));
    expect(created.outcome).toBe('created');
    if (created.outcome !== 'created') return;
    expect(created.container.mounts).toEqual([expect.objectContaining({ destination: TOKEN, type: 'bind', source: '/run/beesting/c1/token', options: ['bind', 'ro', 'rprivate'] })]);
    await sim.startContainer('c1');
    await sim.updateContainer('c1', { memory: { limit: { value: 134217728n } } });
    await sim.stopContainer('c1');
    await sim.removeContainer('c1');
    await sim.stopPodSandbox('p1');
    await sim.removePodSandbox('p1');

    expect(calls).toEqual([
      'synchronize 1/1',
      'runPodSandbox pod-p1',
      'createContainer pod-p1/ctr-c1',
      'postCreateContainer ctr-c1 true',
      'startContainer ctr-c1',
      'updateContainer ctr-c1 134217728',
      'stopContainer ctr-c1',
      'removeContainer ctr-c1',
      'stopPodSandbox pod-p1',
      'removePodSandbox pod-p1',
    ]);
    expect(sim.log).toContain('plugin "50-beesting" connected and synchronized');
  });

  it('handles Configure arriving before the answer to RegisterPlugin', async () => {
    const socketPath = nri.socketPath();
    const sim = await nri.simulator({ socketPath, nriVersion, configureBeforeRegisterReply: true });
    const configured: string[] = [];
    const plugin = nri.plugin({ socketPath, handlers: { configure: (r) => void configured.push(r.runtimeName), createContainer: () => undefined } });
    plugin.start();
    await plugin.waitSynchronized(5000);
    expect(configured).toEqual(['containerd']);
    const created = await sim.createContainer((await sim.runPodSandbox(pod('p'))).id, container('c', 'p'));
    expect(created).toMatchObject({ outcome: 'created', adjustments: [] });
  });
});
