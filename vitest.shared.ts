import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// One test setup for every project: sources of sibling libs resolve through the
// "@beesting/source" export condition, so tests never need a prior build.
const workspaceRoot = fileURLToPath(new URL('.', import.meta.url));

export function projectTestConfig(projectDir: string, overrides: { testTimeout?: number; serial?: boolean } = {}) {
  const name = basename(projectDir);
  return defineConfig({
    root: projectDir,
    resolve: { conditions: ['@beesting/source'] },
    ssr: { resolve: { conditions: ['@beesting/source'], externalConditions: ['@beesting/source'] } },
    test: {
      name,
      watch: false,
      include: ['src/**/*.spec.ts', 'test/**/*.spec.ts'],
      testTimeout: overrides.testTimeout ?? 10_000,
      ...(overrides.serial ? { fileParallelism: false } : {}),
      hookTimeout: 30_000,
      reporters: ['default', 'json'],
      outputFile: { json: join(workspaceRoot, 'reports', 'vitest', `${name}.json`) },
    },
  });
}
