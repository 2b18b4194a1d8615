import { spawn } from 'node:child_process';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pod, container, useNri } from './plugin-fixture.js';

// A plugin the runtime launches gets its socket as fd 3 and its name and index from the
// environment. Run the built library in a child process given a connected socket as fd 3.
const built = join(import.meta.dirname, '../dist/index.js');
const child = `
import { NriPlugin } from ${JSON.stringify(built)};
const plugin = NriPlugin.launched({ createContainer: (_p, c) => ({ adjust: { env: [{ key: 'LAUNCHED', value: process.env.NRI_PLUGIN_NAME + ':' + c.name }] } }) });
if (!plugin) process.exit(3);
plugin.on('disconnected', () => process.exit(0));
plugin.start();
`;

describe('a plugin launched by the runtime', () => {
  const nri = useNri();

  it('uses fd 3 and takes its name and index from NRI_PLUGIN_NAME and NRI_PLUGIN_IDX', async () => {
    const socketPath = nri.socketPath();
    const sim = await nri.simulator({ socketPath });
    const socket = createConnection({ path: socketPath });
    await new Promise((r) => socket.once('connect', r));
    const proc = spawn(process.execPath, ['--input-type=module', '-e', child], {
      stdio: ['ignore', 'inherit', 'inherit', socket],
      env: { NRI_PLUGIN_SOCKET: '3', NRI_PLUGIN_NAME: 'launched', NRI_PLUGIN_IDX: '42' },
    });
    const exited = new Promise<number | null>((r) => proc.once('exit', r));
    socket.destroy(); // the child holds its own copy of the descriptor
    try {
      await sim.waitForPlugins(1, 10_000);
      expect(sim.activePlugins[0]).toMatchObject({ name: 'launched', index: '42' });
      await sim.runPodSandbox(pod('p'));
      const created = await sim.createContainer('p', container('c', 'p'));
      expect(created.outcome === 'created' && created.container.env).toEqual(['LAUNCHED=launched:ctr-c']);
      sim.disconnectPlugins();
      expect(await exited).toBe(0);
    } finally {
      proc.kill('SIGKILL');
    }
  });
});
