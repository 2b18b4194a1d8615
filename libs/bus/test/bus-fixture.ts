import { startNatsServer } from '@beesting/testing';
import type { NatsServer } from '@beesting/testing';
import { afterAll, beforeAll } from 'vitest';
import { BusConnection } from '../src/bus-connection.js';
import { beestingBusLayout } from '../src/layout.js';
import { provision } from '../src/provision.js';

/** A real nats-server for the suite, with the Beesting layout provisioned and a connection to it. */
export function useBus(options: { provisioned?: boolean } = {}) {
  const state = {} as { server: NatsServer; bus: BusConnection };
  beforeAll(async () => {
    state.server = await startNatsServer();
    state.bus = BusConnection.start({ servers: state.server.url, name: 'bus-test', reconnectWaitMs: 100 });
    const nc = await state.bus.ready(10_000);
    if (options.provisioned !== false) await provision(nc.jetstream(), await nc.jetstreamManager(), beestingBusLayout());
  });
  afterAll(async () => {
    await state.bus?.close();
    await state.server?.dispose();
  });
  return state;
}

export async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
