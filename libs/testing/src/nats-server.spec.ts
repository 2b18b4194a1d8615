import { existsSync } from 'node:fs';
import { connect } from 'nats';
import { afterAll, describe, expect, it } from 'vitest';
import { startNatsServer } from './nats-server.js';

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('the nats-server harness', () => {
  const disposed: Array<() => Promise<void>> = [];
  afterAll(async () => Promise.all(disposed.map((d) => d())));

  it('starts a real JetStream server on loopback, restarts it with its store, and stops it by PID', async () => {
    const server = await startNatsServer();
    disposed.push(server.dispose);
    const firstPid = server.pid!;
    expect(isAlive(firstPid)).toBe(true);

    const nc = await connect({ servers: server.url });
    const jsm = await nc.jetstreamManager();
    await jsm.streams.add({ name: 'HARNESS', subjects: ['harness.>'] });
    await nc.close();

    await server.stop();
    expect(server.pid).toBeUndefined();
    expect(isAlive(firstPid)).toBe(false);

    await server.start();
    expect(server.pid).not.toBe(firstPid);
    const again = await connect({ servers: server.url });
    const info = await (await again.jetstreamManager()).streams.info('HARNESS');
    expect(info.config.subjects).toEqual(['harness.>']);
    await again.close();

    await server.dispose();
    expect(existsSync(server.storeDir)).toBe(false);
  });

  it('runs several servers side by side on different ports', async () => {
    const [a, b] = await Promise.all([startNatsServer(), startNatsServer()]);
    disposed.push(a.dispose, b.dispose);
    expect(a.port).not.toBe(b.port);
    await a.kill();
    expect(b.pid && isAlive(b.pid)).toBe(true);
  });
});
