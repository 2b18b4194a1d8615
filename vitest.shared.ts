import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// One test setup for every project: sources of sibling libs resolve through the
// "@beesting/source" export condition, so tests never need a prior build.
const workspaceRoot = fileURLToPath(new URL('.', import.meta.url));
// Under software emulation (the kernel matrix) everything is several times slower.
const slowdown = Number(process.env['BEESTING_TEST_SLOWDOWN'] ?? 1);

export function projectTestConfig(projectDir: string, overrides: { testTimeout?: number; serial?: boolean } = {}) {
  const name = basename(projectDir);
  return defineConfig({
    root: projectDir,
    // The kernel matrix runs the tests from a read-only root: caches and reports go where it says.
    ...(process.env['BEESTING_VITEST_CACHE'] ? { cacheDir: process.env['BEESTING_VITEST_CACHE'] } : {}),
    resolve: { conditions: ['@beesting/source'] },
    ssr: { resolve: { conditions: ['@beesting/source'], externalConditions: ['@beesting/source'] } },
    test: {
      name,
      watch: false,
      include: ['src/**/*.spec.ts', 'test/**/*.spec.ts'],
      testTimeout: (overrides.testTimeout ?? 10_000) * slowdown,
      ...(overrides.serial ? { fileParallelism: false } : {}),
      hookTimeout: 30_000 * slowdown,
      reporters: ['default', 'json'],
      outputFile: { json: join(process.env['BEESTING_TEST_REPORTS'] ?? join(workspaceRoot, 'reports', 'vitest'), `${name}.json`) },
    },
  });
}
