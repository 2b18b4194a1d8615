import { createServer } from 'node:net';
import type { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { NriError } from '../src/nri-error.js';
import { METHOD_SCHEMAS } from '../src/nri-schemas.js';
import { decodeProto, decodeRequest, decodeResponse } from '../src/ttrpc/envelope.js';
import { MessageType, TtrpcMessageReader } from '../src/ttrpc/ttrpc-message.js';
import { createMuxReader, MUX_MAX_PAYLOAD } from '../src/wire/mux.js';
import { container, pod, useNri } from './plugin-fixture.js';
import { mutate, mutateKeepingFraming, prng, traceCorpus } from './frame-mutator.js';

const FRAMES = 100_000;
const MiB = 1 << 20;

describe('fuzzing with mutated and random frames (seeded, reproducible)', () => {
  /** Feeds frames through mux, ttRPC and NRI decoding; with `fresh`, each frame gets a new pipeline. */
  function decodeAll(seed: number, fresh: boolean) {
    const random = prng(seed);
    const corpus = traceCorpus();
    const outcomes = new Map<string, number>();
    const count = (what: string) => outcomes.set(what, (outcomes.get(what) ?? 0) + 1);
    let maxBuffered = 0;
    let mux = createMuxReader();
    let readers = new Map<number, TtrpcMessageReader>();
    for (let i = 0; i < FRAMES; i++) {
      if (fresh) {
        mux = createMuxReader();
        readers = new Map();
      }
      try {
        for (const f of mux.push(mutate(corpus, random))) {
          if (f.connId !== 1 && f.connId !== 2) {
            count('discarded');
            continue;
          }
          let reader = readers.get(f.connId);
          if (!reader) readers.set(f.connId, (reader = new TtrpcMessageReader()));
          for (const m of reader.push(f.payload, () => count('oversized'))) {
            try {
              if (m.type === MessageType.Request) {
                const r = decodeRequest(m.data);
                const schema = METHOD_SCHEMAS[`${r.service}/${r.method}`];
                if (schema) decodeProto(schema.request, r.payload);
                count(schema ? 'request' : 'unknown-method');
              } else if (m.type === MessageType.Response) {
                decodeResponse(m.data);
                count('response');
              } else count('bad-type');
            } catch (err) {
              if (!(err instanceof NriError)) throw err;
              count(err.code);
            }
          }
        }
        if (fresh) mux.end();
      } catch (err) {
        if (!(err instanceof NriError)) throw err;
        count(err.code);
        // A fatal error closes the connection: the next bytes start a new one.
        mux = createMuxReader();
        readers = new Map();
      }
      maxBuffered = Math.max(maxBuffered, mux.bufferedBytes);
    }
    return { outcomes, maxBuffered };
  }

  it(`the decoders turn ${FRAMES.toLocaleString('en')} frames, each on its own, into messages or coded errors`, () => {
    const { outcomes } = decodeAll(0xbee5, true);
    console.log('decoder fuzz outcomes, frame by frame', Object.fromEntries([...outcomes].sort()));
    // Both the happy path and every error path were taken.
    expect(outcomes.get('request')).toBeGreaterThan(5000);
    expect(outcomes.get('response')).toBeGreaterThan(1000);
    for (const code of ['BEESTING_ERR_NRI_BAD_PROTOBUF', 'BEESTING_ERR_NRI_FRAME_TOO_LARGE', 'BEESTING_ERR_NRI_TRUNCATED', 'discarded', 'oversized', 'bad-type']) {
      expect(outcomes.get(code), code).toBeGreaterThan(100);
    }
  });

  it(`the decoders take ${FRAMES.toLocaleString('en')} frames as one stream in bounded memory`, () => {
    const heapBefore = process.memoryUsage().heapUsed;
    const { outcomes, maxBuffered } = decodeAll(0xbee6, false);
    console.log('decoder fuzz outcomes, one stream', Object.fromEntries([...outcomes].sort()));
    expect(maxBuffered).toBeLessThanOrEqual(MUX_MAX_PAYLOAD + 8);
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(256 * MiB);
    expect(outcomes.get('BEESTING_ERR_NRI_FRAME_TOO_LARGE')).toBeGreaterThan(10);
  });

  const nri = useNri();

  it(`a running plugin survives ${FRAMES.toLocaleString('en')} frames from a hostile runtime, then registers with a real one`, { timeout: 180_000 }, async () => {
    const random = prng(0xf00d);
    const corpus = traceCorpus('runtime->plugin');
    const socketPath = nri.socketPath();
    const server = createServer();
    await new Promise<void>((r) => server.listen(socketPath, r));
    let connections = 0;
    let sent = 0;
    let replies = 0;
    const done = new Promise<void>((resolve) => {
      server.on('connection', (socket: Socket) => {
        connections += 1;
        socket.on('error', () => {});
        const mux = createMuxReader();
        socket.on('data', (chunk: Buffer) => {
          try {
            replies += mux.push(chunk).length;
          } catch {
            socket.destroy();
          }
        });
        // 50 frames per connection: a fatal frame makes the plugin drop the connection and come back.
        const batch: Buffer[] = [];
        for (let i = 0; i < 50 && sent < FRAMES; i++, sent++) batch.push(mutateKeepingFraming(corpus, random));
        socket.write(Buffer.concat(batch), () => {
          setTimeout(() => socket.destroy(), 2);
          if (sent >= FRAMES) resolve();
        });
      });
    });

    const heapBefore = process.memoryUsage().heapUsed;
    const plugin = nri.plugin({
      socketPath,
      reconnect: { initialDelayMs: 1, maxDelayMs: 5 },
      handlers: { createContainer: (_p, c) => ({ adjust: { env: [{ key: 'FUZZ', value: c.name.slice(0, 32) }] } }), removeContainer: () => undefined },
    });
    plugin.start();
    await done;
    expect(sent).toBe(FRAMES);
    expect(connections).toBe(FRAMES / 50);
    // The plugin registered on every connection and answered the requests it could read.
    expect(replies).toBeGreaterThan(FRAMES / 4);
    console.log(`live fuzz: ${sent} frames over ${connections} connections, ${replies} frames answered`);
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(256 * MiB);
    await new Promise<void>((r) => server.close(() => r()));

    // Still a working plugin: a real runtime gets its registration and its adjustments.
    const sim = await nri.simulator({ socketPath });
    await sim.waitForPlugins(1, 10_000);
    await sim.runPodSandbox(pod('p'));
    const created = await sim.createContainer('p', container('c', 'p'));
    expect(created.outcome === 'created' && created.container.env).toEqual(['FUZZ=ctr-c']);
  });
});
