import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalStack } from '../src/index.js';

const TOKEN = '/var/run/secrets/eks.amazonaws.com/serviceaccount/token';
const armedTraps = async (stack: LocalStack) => Number(/^beesting_monitor_armed_traps(?:\{[^}]*\})? (\d+)$/m.exec(await stack.monitor.metrics())?.[1] ?? NaN);
const ownerOf = (d: { body: Record<string, unknown> }) => (d.body['event'] as { owner: { container: { id: string } } }).owner.container.id;

let stack: LocalStack;
beforeAll(async () => {
  stack = await LocalStack.start();
}, 120_000);
afterAll(async () => {
  expect((await stack.stop()).leftoverMounts).toEqual([]);
});

describe('injector restart (kill -9) with the real monitor', () => {
  it('after Synchronize the 20 running containers are armed and the 5 removed meanwhile are gone', async () => {
    const containers = [];
    for (let i = 0; i < 25; i++) containers.push(await stack.createContainer(await stack.pod(`shop-${i}`, 'shop')));
    expect(containers.every((c) => c.outcome === 'created' && c.destinations.length === 1)).toBe(true);
    await expect.poll(() => armedTraps(stack)).toBe(25);

    await stack.injector.kill9();
    const [removed, running] = [containers.slice(0, 5), containers.slice(5)];
    for (const c of removed) await stack.removeContainer(c.id); // the runtime tells no plugin
    expect(stack.decoyMounts()).toHaveLength(25);

    stack.injector.start();
    await stack.injectorReady();
    expect(stack.decoyMounts()).toHaveLength(20);
    for (const c of removed) expect(await stack.registrations(c.id)).toEqual([]);
    await expect.poll(() => armedTraps(stack), { timeout: 5000 }).toBe(20);

    for (const c of running) expect((await stack.run(c.id, ['cat', TOKEN])).code).toBe(0);
    await expect.poll(() => new Set(stack.alerts().map(ownerOf)).size, { timeout: 10_000 }).toBe(20);
    expect(new Set(stack.alerts().map(ownerOf))).toEqual(new Set(running.map((c) => c.id)));
  });
});
