import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readMountPoints, trapIdFor } from '@beesting/traps';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NODE, podSpec, runtimeMounts, standInMonitor, startInjectorFixture } from './injector-fixture.js';
import type { ArmStandIn, InjectorFixture } from './injector-fixture.js';

let f: InjectorFixture;
let monitor: ArmStandIn;

beforeAll(async () => {
  f = await startInjectorFixture();
  monitor = standInMonitor(f.nc);
});
afterAll(async () => {
  monitor.stop();
  await f?.dispose();
});

async function inventory(): Promise<string[]> {
  const kv = await f.nc.jetstream().views.kv('beesting_traps');
  const keys: string[] = [];
  for await (const k of await kv.keys(`${NODE}.*`)) keys.push(k.slice(NODE.length + 1));
  return keys.sort();
}

describe('restart: the injector comes back to what the runtime says runs', () => {
  it('re-arms the 20 containers still running and removes the decoys of the 5 removed while it was down', async () => {
    const ids = Array.from({ length: 25 }, (_, i) => `${String(i).padStart(4, '0')}${'a'.repeat(60)}`);
    for (const [i, id] of ids.entries()) {
      const pod = podSpec(`web-${i}`, 'web');
      await f.runtime.runPodSandbox(pod);
      const outcome = await f.runtime.createContainer(pod.id, { id, name: 'app', mounts: runtimeMounts() });
      expect(outcome.outcome === 'created' && outcome.adjustments.flatMap((a) => a.mounts)).toHaveLength(1);
      await f.runtime.startContainer(id);
    }
    const slots = new Map(ids.map((id) => [id, f.injector.store.get(id)?.slot ?? '']));
    expect(readMountPoints(join(f.stateDir, 'decoys')).size).toBeGreaterThanOrEqual(25);
    const trapOf = (id: string) => trapIdFor(id, 'eks-token');
    expect(await inventory()).toEqual(ids.map(trapOf).sort());

    await f.injector.stop();
    expect(f.runtime.activePlugins).toEqual([]);
    const removed = ids.slice(0, 5);
    const running = ids.slice(5);
    for (const id of removed) await f.runtime.removeContainer(id); // no plugin hears of it
    monitor.requests.length = 0;

    await f.restartInjector();
    expect(f.injector.store.containers().map((c) => c.containerId).sort()).toEqual(running.sort());
    for (const id of removed) {
      expect(readMountPoints(slots.get(id) ?? '').size).toBe(0);
      expect(existsSync(slots.get(id) ?? '')).toBe(false);
    }
    for (const id of running) expect(readMountPoints(slots.get(id) ?? '').size).toBe(1);
    // The monitor was asked to arm each of the 20 again.
    expect(monitor.requests.map((r) => r.registration.trap?.id).sort()).toEqual(running.map(trapOf).sort());
    await expect.poll(inventory, { timeout: 5000 }).toEqual(running.map(trapOf).sort());
    expect(await f.metric('beesting_injector_decoys_removed_total', { cause: 'gone-at-sync' })).toBe(5);

    for (const id of running) await f.runtime.removeContainer(id);
    expect(f.injector.store.containers()).toEqual([]);
    expect(await inventory()).toEqual([]);
  });
});
