import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { NriPlugin } from '../src/plugin/nri-plugin.js';
import type { NriPluginOptions } from '../src/plugin/nri-plugin.js';
import { NriRuntimeSimulator } from '../src/simulator/runtime-simulator.js';
import type { RuntimeSimulatorOptions } from '../src/simulator/runtime-simulator.js';

/** Simulators and plugins on real unix sockets in a temp dir, all stopped after each test. */
export function useNri() {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  return {
    socketPath(): string {
      const dir = mkdtempSync(join(tmpdir(), 'beesting-nri-'));
      cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
      return join(dir, 'nri.sock');
    },
    async simulator(options: Partial<RuntimeSimulatorOptions> & { socketPath: string }): Promise<NriRuntimeSimulator> {
      const sim = await NriRuntimeSimulator.start(options);
      cleanups.push(() => sim.stop());
      return sim;
    },
    plugin(options: Omit<NriPluginOptions, 'name' | 'index'> & Partial<Pick<NriPluginOptions, 'name' | 'index'>>): NriPlugin {
      const plugin = new NriPlugin({ name: 'beesting', index: '50', reconnect: { initialDelayMs: 20, maxDelayMs: 200 }, ...options });
      cleanups.push(() => plugin.stop());
      return plugin;
    },
  };
}

export const pod = (id: string, extra: Record<string, unknown> = {}) => ({ id, name: `pod-${id}`, namespace: 'default', uid: `uid-${id}`, labels: { app: id }, ...extra });
export const container = (id: string, podId: string, extra: Record<string, unknown> = {}) => ({ id, podSandboxId: podId, name: `ctr-${id}`, args: ['sleep', '3600'], ...extra });
