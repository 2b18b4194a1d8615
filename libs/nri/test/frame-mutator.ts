import { createMuxReader } from '../src/wire/mux.js';
import type { MuxFrame } from '../src/wire/mux.js';
import { SESSIONS, traceStream } from './traces.js';

/** mulberry32: a small seeded PRNG, so every fuzz run is the same run. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Every frame of the three recorded sessions, as whole frames (header included). */
export function traceCorpus(dir: 'runtime->plugin' | 'plugin->runtime' | 'both' = 'both'): Buffer[] {
  const dirs = dir === 'both' ? (['runtime->plugin', 'plugin->runtime'] as const) : [dir];
  const out: Buffer[] = [];
  for (const session of SESSIONS)
    for (const d of dirs) {
      const mux = createMuxReader();
      out.push(...mux.push(traceStream(session, d)).map((f: MuxFrame) => frameBytes(f)));
    }
  return out;
}

function frameBytes(f: MuxFrame): Buffer {
  const header = Buffer.alloc(8);
  header.writeUInt32BE(f.connId, 0);
  header.writeUInt32BE(f.payload.length, 4);
  return Buffer.concat([header, f.payload]);
}

/** One mutated or random frame. */
export function mutate(corpus: Buffer[], random: () => number): Buffer {
  const pick = () => corpus[Math.floor(random() * corpus.length)]!;
  const int = (n: number) => Math.floor(random() * n);
  const frame = Buffer.from(pick());
  switch (int(10)) {
    case 0: // flip bits
      for (let i = 0, n = 1 + int(8); i < n; i++) frame[int(frame.length)]! ^= 1 << int(8);
      return frame;
    case 1: // overwrite bytes inside the ttRPC envelope
      for (let i = 0, n = 1 + int(32); i < n; i++) frame[8 + int(Math.max(1, frame.length - 8))] = int(256);
      return frame;
    case 2: // truncate the payload but keep the announced length
      return frame.subarray(0, 8 + int(frame.length - 8));
    case 3: // lie about the mux length
      frame.writeUInt32BE([0, 1, 7, 4096, 0x00ffffff, 0x7fffffff, 0xffffffff, int(2 ** 32)][int(8)]!, 4);
      return frame;
    case 4: // another connection id
      frame.writeUInt32BE([0, 1, 2, 3, 255, 0xffffffff][int(6)]!, 0);
      return frame;
    case 5: // lie about the ttRPC length
      if (frame.length >= 18) frame.writeUInt32BE([0, 1, 4096, (4 << 20) + 1, 0xffffffff, int(2 ** 32)][int(6)]!, 8);
      return frame;
    case 6: // odd message types and stream ids
      if (frame.length >= 18) {
        frame[16] = int(256);
        frame.writeUInt32BE(int(2 ** 32), 12);
      }
      return frame;
    case 7: // splice two frames
      return Buffer.concat([frame.subarray(0, int(frame.length)), pick().subarray(int(64))]);
    case 8: // random bytes with a plausible header
      return Buffer.concat([Buffer.from([0, 0, 0, 1 + int(2)]), u32(int(512)), Buffer.from(Array.from({ length: int(512) }, () => int(256)))]);
    default: // a valid frame, so the stream keeps going
      return frame;
  }
}

const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n, 0);
  return b;
};

/**
 * A mutated frame whose mux and ttRPC lengths are made true again most of the time, so a
 * stream of them stays parseable and the mutations reach the ttRPC and NRI layers.
 */
export function mutateKeepingFraming(corpus: Buffer[], random: () => number, keep = 0.97): Buffer {
  const frame = mutate(corpus, random);
  if (frame.length < 8 || random() >= keep) return frame;
  frame.writeUInt32BE(frame.length - 8, 4);
  if (frame.length >= 18) frame.writeUInt32BE(frame.length - 18, 8);
  return frame;
}
