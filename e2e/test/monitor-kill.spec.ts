import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertBody, LocalStack } from '../src/index.js';

const TOKEN = '/var/run/secrets/eks.amazonaws.com/serviceaccount/token';

let stack: LocalStack;
beforeAll(async () => {
  stack = await LocalStack.start({ logLevel: 'warn' });
}, 120_000);
afterAll(async () => {
  expect((await stack.stop()).leftoverMounts).toEqual([]);
});

describe('a read in the same instant as a kill -9 of the monitor', () => {
  it('is not lost: the record stays in the pinned ring buffer until an event is on disk', async () => {
    const missing: number[] = [];
    for (let i = 0; i < 8; i++) {
      const c = await stack.createContainer(await stack.pod(`racer-${i}`, 'race'));
      expect((await stack.run(c.id, ['cat', TOKEN])).code).toBe(0);
      await stack.monitor.kill9(); // while it may be enriching the record
      stack.monitor.start();
      await stack.monitor.ready();
      const alerted = await stack.waitForAlert((d) => alertBody(d).event.owner.container.id === c.id, 10_000).then(
        () => true,
        () => false,
      );
      if (!alerted) missing.push(i);
    }
    expect(missing).toEqual([]);
  }, 240_000);
});
