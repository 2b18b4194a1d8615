#!/usr/bin/env node
// The test command (npm test): lint, typecheck, build and test every project through
// Nx, then one closing line that counts the tests of all projects.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const reports = join(root, 'reports', 'vitest');
rmSync(reports, { recursive: true, force: true });

const env = { ...process.env, CI: 'true', NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false' };
const targets = process.argv.slice(2).length ? process.argv.slice(2) : ['lint', 'typecheck', 'build', 'test'];
// CI proves the checkout: nothing is taken from a cache another run left on the machine.
const cacheFlags = process.env.CI === 'true' ? ['--skip-nx-cache'] : [];
const nxBin = join(root, 'node_modules/.bin/nx');
const nx = spawnSync(nxBin, ['run-many', '-t', ...targets, '--parallel=2', '--outputStyle=stream', ...cacheFlags], { cwd: root, env, stdio: 'inherit' });
// Then, alone on the machine (qemu emulates two CPUs), the BPF suite on stock kernels with
// the lsm and fentry backends; BEESTING_SKIP_KERNEL_MATRIX=1 leaves it out of a local run.
const matrix =
  process.argv.slice(2).length || process.env.BEESTING_SKIP_KERNEL_MATRIX === '1'
    ? { status: 0 }
    : spawnSync(nxBin, ['run', 'bpf-native:kernel-matrix', '--outputStyle=stream', ...cacheFlags], { cwd: root, env, stdio: 'inherit' });

let passed = 0;
let failed = 0;
let skipped = 0;
const projects = [];
if (existsSync(reports)) {
  for (const file of readdirSync(reports).filter((f) => f.endsWith('.json')).sort()) {
    const report = JSON.parse(readFileSync(join(reports, file), 'utf8'));
    passed += report.numPassedTests;
    failed += report.numFailedTests;
    skipped += report.numPendingTests + report.numTodoTests;
    projects.push(`${file.replace(/\.json$/, '')} ${report.numPassedTests}/${report.numTotalTests}`);
  }
}
const exitCode = nx.status || matrix.status || 0;
console.log(`\nprojects: ${projects.join(', ') || 'none ran'}`);
console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(exitCode !== 0 ? exitCode : failed > 0 || passed === 0 ? 1 : 0);
