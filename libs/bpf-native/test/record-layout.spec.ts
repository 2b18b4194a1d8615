import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { DEFAULT_OBJECT } from '../src/bpf-detector.js';
import { EVENT_LAYOUT, EVENT_SIZE } from '../src/records.js';

interface BtfType {
  kind: string;
  name: string;
  size?: number;
  members?: Array<{ name: string; bits_offset: number }>;
}

describe('the kernel record layout', () => {
  it("matches the TS decoder's offsets, read from the BTF of the built object", () => {
    const btf = JSON.parse(execFileSync('bpftool', ['-j', 'btf', 'dump', 'file', DEFAULT_OBJECT]).toString()) as { types: BtfType[] };
    const event = btf.types.find((t) => t.kind === 'STRUCT' && t.name === 'bst_event');
    expect(event, 'struct bst_event in the object BTF').toBeDefined();
    expect(event!.size).toBe(EVENT_SIZE);
    const offsets = Object.fromEntries(event!.members!.map((m) => [m.name, m.bits_offset / 8]));
    expect(offsets).toEqual(EVENT_LAYOUT);
  });
});
