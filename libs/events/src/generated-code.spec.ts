import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../../..');
const committed = join(import.meta.dirname, 'gen');
const fresh = mkdtempSync(join(tmpdir(), 'beesting-proto-'));
afterAll(() => rmSync(fresh, { recursive: true, force: true }));

function files(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    out.set(relative(dir, path), readFileSync(path, 'utf8'));
  }
  return out;
}

it('the committed generated code is what proto/ generates (run `npm run proto:gen` when this fails)', () => {
  execFileSync(process.execPath, [join(root, 'tools/proto-gen.mjs'), '--out', fresh], { stdio: 'pipe' });
  const expected = files(join(fresh, 'events'));
  const actual = files(committed);
  expect([...actual.keys()].sort()).toEqual([...expected.keys()].sort());
  for (const [name, content] of expected) expect(actual.get(name), name).toBe(content);
  expect(expected.size).toBeGreaterThanOrEqual(5);
});
