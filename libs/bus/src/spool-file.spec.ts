import { appendFileSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SpoolFile } from './spool-file.js';

let dir: string;
let path: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'beesting-spool-'));
  path = join(dir, 'spool', 'events.spool');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const entry = (i: number) => ({ subject: `beesting.v1.access.n${i % 3}`, msgId: `id-${i}`, data: new TextEncoder().encode(`{"n":${i}}`) });
const drain = (spool: SpoolFile) => {
  const out: string[] = [];
  for (let e = spool.peek(); e; e = spool.peek()) {
    out.push(e.msgId);
    spool.shift();
  }
  return out;
};

describe('the spool file', () => {
  it('keeps entries in order across a reopen, with subject, id and bytes intact', () => {
    const spool = SpoolFile.open(path, { maxBytes: 1 << 20 });
    for (let i = 0; i < 100; i++) expect(spool.append(entry(i))).toBe(true);
    spool.close();

    const again = SpoolFile.open(path, { maxBytes: 1 << 20 });
    expect(again.openReport).toEqual({ pending: 100, delivered: 0, truncatedBytes: 0 });
    expect(again.peek()).toEqual(entry(0));
    expect(drain(again)).toEqual(Array.from({ length: 100 }, (_, i) => `id-${i}`));
    again.close();
  });

  it('never gives back an entry that was marked delivered, and truncates once all are', () => {
    const spool = SpoolFile.open(path, { maxBytes: 1 << 20 });
    for (let i = 0; i < 10; i++) spool.append(entry(i));
    for (let i = 0; i < 4; i++) spool.shift();
    spool.close();

    const again = SpoolFile.open(path, { maxBytes: 1 << 20 });
    expect(again.openReport).toMatchObject({ pending: 6, delivered: 4 });
    expect(drain(again)).toEqual(['id-4', 'id-5', 'id-6', 'id-7', 'id-8', 'id-9']);
    expect(statSync(path).size).toBe(0);
    again.close();
    expect(SpoolFile.open(path, { maxBytes: 1 << 20 }).pendingCount).toBe(0);
  });

  it('cuts off a torn record at the end and keeps the whole ones', () => {
    const spool = SpoolFile.open(path, { maxBytes: 1 << 20 });
    for (let i = 0; i < 3; i++) spool.append(entry(i));
    spool.close();
    const whole = statSync(path).size;
    const fourth = readFileSync(path).subarray(0, 20); // a header and part of a body
    appendFileSync(path, fourth);

    const again = SpoolFile.open(path, { maxBytes: 1 << 20 });
    expect(again.openReport).toEqual({ pending: 3, delivered: 0, truncatedBytes: 20 });
    expect(statSync(path).size).toBe(whole);
    expect(again.append(entry(3))).toBe(true);
    expect(drain(again)).toEqual(['id-0', 'id-1', 'id-2', 'id-3']);
    again.close();
  });

  it('stops at a record whose checksum does not match', () => {
    const spool = SpoolFile.open(path, { maxBytes: 1 << 20 });
    for (let i = 0; i < 3; i++) spool.append(entry(i));
    spool.close();
    const bytes = readFileSync(path);
    bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 0xff; // flip a bit in the last record's data
    writeFileSync(path, bytes);
    const again = SpoolFile.open(path, { maxBytes: 1 << 20 });
    expect(again.openReport.pending).toBe(2);
    expect(again.openReport.truncatedBytes).toBeGreaterThan(0);
    again.close();
  });

  it('refuses entries past maxBytes instead of growing, then makes room by compacting delivered ones', () => {
    const recordBytes = 9 + 2 + 'beesting.v1.access.n0'.length + 2 + 'id-0'.length + '{"n":0}'.length;
    const spool = SpoolFile.open(path, { maxBytes: recordBytes * 5 });
    for (let i = 0; i < 5; i++) expect(spool.append(entry(i))).toBe(true);
    expect(spool.append(entry(5))).toBe(false);
    expect(spool.sizeBytes).toBe(recordBytes * 5);

    spool.shift();
    spool.shift();
    expect(spool.append(entry(5))).toBe(true);
    expect(spool.append(entry(6))).toBe(true);
    expect(spool.append(entry(7))).toBe(false);
    spool.close();

    const again = SpoolFile.open(path, { maxBytes: recordBytes * 5 });
    expect(again.openReport).toEqual({ pending: 5, delivered: 0, truncatedBytes: 0 });
    expect(drain(again)).toEqual(['id-2', 'id-3', 'id-4', 'id-5', 'id-6']);
    again.close();
  });
});
