import { join } from 'node:path';
import { createProjectGraphAsync } from '@nx/devkit';
import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';

// Lints code that does not exist on disk as if it sat at a path in the workspace, with
// the workspace's own eslint.config.mjs and Nx project graph.
const root = join(import.meta.dirname, '../../..');
let eslint: ESLint;
beforeAll(async () => {
  // The Nx rule reads the cached project graph; make sure it is there and current.
  await createProjectGraphAsync({ exitOnError: false });
  eslint = new ESLint({ cwd: root });
});

async function violations(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(root, filePath) });
  return (result?.messages ?? []).filter((m) => m.severity === 2).map((m) => `${m.ruleId}: ${m.message}`);
}

describe('module boundaries', () => {
  it('let a lib import a shared lib', async () => {
    expect(await violations('libs/bus/src/fixture.ts', "import { newEventId } from '@beesting/events';\nexport const id = newEventId();\n")).toEqual([]);
  });

  it('reject a lib importing an app', async () => {
    const found = await violations('libs/bus/src/fixture.ts', "import { fixtureAppName } from '@beesting/lint-fixture-app';\nexport const name = fixtureAppName;\n");
    expect(found).toEqual([expect.stringMatching(/^@nx\/enforce-module-boundaries: Imports of apps are forbidden/)]);
  });

  it('reject a shared lib importing the native addon, by package or by .node file', async () => {
    const byName = await violations('libs/events/src/fixture.ts', "import { open } from '@beesting/bpf-native';\nexport const o = open;\n");
    expect(byName).toContain('no-restricted-imports: \'@beesting/bpf-native\' import is restricted from being used. Only the monitor may load the native BPF addon.');
    const byFile = await violations('libs/bus/src/fixture.ts', "import addon from '../build/Release/beesting.node';\nexport const a = addon;\n");
    expect(byFile.some((m) => m.startsWith('no-restricted-imports:') && m.includes('Only the monitor may load native addons.'))).toBe(true);
  });

  it('reject the injector and the alert-router importing the native addon', async () => {
    for (const path of ['apps/injector/src/main.ts', 'apps/alert-router/src/main.ts', 'libs/nri/src/fixture.ts']) {
      const found = await violations(path, "import { open } from '@beesting/bpf-native';\nexport const o = open;\n");
      expect(found.some((m) => m.includes('Only the monitor may load the native BPF addon.')), path).toBe(true);
    }
  });

  it('reject the addon helper packages outside the monitor scope', async () => {
    const found = await violations('libs/bus/src/fixture.ts', "import addon from 'node-addon-api';\nexport const a = addon;\n");
    expect(found).toEqual([expect.stringMatching(/A project tagged with "scope:shared" is not allowed to import "node-addon-api"/)]);
  });

  it('let the monitor import the native addon', async () => {
    const found = await violations('apps/monitor/src/main.ts', "import { open } from '@beesting/bpf-native';\nexport const o = open;\n");
    expect(found.filter((m) => m.includes('native'))).toEqual([]);
  });
});
