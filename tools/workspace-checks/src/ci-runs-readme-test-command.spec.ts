import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';

const root = join(import.meta.dirname, '../../..');

it('CI runs the test command the README gives', () => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const testLine = /^(npm [^\n#]*?)\s+# lint, typecheck, build and test/m.exec(readme)?.[1];
  expect(testLine).toBe('npm test');
  const ci = readFileSync(join(root, '.ci/run'), 'utf8').trim().split('\n');
  expect(ci.at(-1)).toBe(testLine);
});
