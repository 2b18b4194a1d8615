import { describe, expect, it } from 'vitest';
import { LengthPrefixedReader } from './length-prefixed-reader.js';

const reader = (onOversized: 'throw' | 'skip') => new LengthPrefixedReader({ headerBytes: 4, lengthOffset: 0, maxLength: 8, onOversized, what: 'record' });
const record = (body: string) => {
  const b = Buffer.alloc(4 + body.length);
  b.writeUInt32BE(body.length, 0);
  b.write(body, 4);
  return b;
};

describe('the length-prefixed reader', () => {
  it('reassembles records from any chunking', () => {
    const stream = Buffer.concat([record('ab'), record(''), record('cdefgh')]);
    for (let size = 1; size <= stream.length; size++) {
      const r = reader('throw');
      const bodies: string[] = [];
      for (let at = 0; at < stream.length; at += size) bodies.push(...r.push(stream.subarray(at, at + size)).map((x) => x.body.toString()));
      expect(bodies).toEqual(['ab', '', 'cdefgh']);
      expect(r.bufferedBytes).toBe(0);
    }
  });

  it('skips an oversized record unbuffered, also when only its header has arrived (found by the fuzz test)', () => {
    const r = reader('skip');
    const oversized: number[] = [];
    const header = Buffer.alloc(4);
    header.writeUInt32BE(20, 0);
    expect(r.push(header, (o) => oversized.push(o.length))).toEqual([]);
    expect(oversized).toEqual([20]);
    expect(r.push(Buffer.alloc(15), () => {})).toEqual([]);
    expect(r.bufferedBytes).toBe(0);
    const after = r.push(Buffer.concat([Buffer.alloc(5), record('ok')]), () => {});
    expect(after.map((x) => x.body.toString())).toEqual(['ok']);
  });

  it('refuses an oversized record in throw mode and reports truncation at the end', () => {
    const header = Buffer.alloc(4);
    header.writeUInt32BE(9, 0);
    expect(() => reader('throw').push(header)).toThrow(/BEESTING_ERR_NRI_FRAME_TOO_LARGE: record of 9 bytes exceeds the limit of 8/);
    const r = reader('throw');
    r.push(record('abc').subarray(0, 5));
    expect(() => r.end()).toThrow(/BEESTING_ERR_NRI_TRUNCATED/);
  });
});
