import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeRequest } from '../src/ttrpc/envelope.js';
import type { NriHandlers } from '../src/plugin/handlers.js';
import { createMuxReader } from '../src/wire/mux.js';
import type { MuxFrame } from '../src/wire/mux.js';
import { traceStream } from './traces.js';
import type { Session } from './traces.js';
import { useNri } from './plugin-fixture.js';

// Plays containerd's recorded bytes, in its recorded chunks and order, to a live plugin
// built on the library, and compares what the plugin sends with what the Go plugin sent.

const TOKEN_SOURCE = '/var/lib/nri-trace-demo/cdd9cf7813d4df48596c3599dbf5840aa356d1d706caa48d018fed7c075a42f7/token';
const noop = () => undefined;

/** The handlers of the recorded Go plugin: all 11 events of NRI v0.6.0. */
function goPluginHandlers(session: Session): NriHandlers {
  return {
    runPodSandbox: noop,
    stopPodSandbox: noop,
    removePodSandbox: noop,
    createContainer: (_pod, container) => {
      if (session === 'error') throw new Error(`nri-trace-bin: refusing container ${container.name} (demo error)`);
      return {
        adjust: {
          annotations: { 'nri-trace.example.com/token-mounted': 'true' },
          mounts: [{ destination: '/var/run/secrets/eks.amazonaws.com/serviceaccount/token', type: 'bind', source: TOKEN_SOURCE, options: ['bind', 'ro', 'rprivate'] }],
          env: [{ key: 'NRI_TRACE_DEMO', value: 'injected' }],
        },
      };
    },
    postCreateContainer: noop,
    startContainer: noop,
    postStartContainer: noop,
    updateContainer: noop,
    postUpdateContainer: noop,
    stopContainer: noop,
    removeContainer: noop,
  };
}

function frames(bytes: Buffer): MuxFrame[] {
  const mux = createMuxReader();
  const out = mux.push(bytes);
  mux.end();
  return out;
}

/** The recorded chunks in the order the proxy read them, each runtime chunk with the plugin frames sent before it. */
function schedule(session: Session) {
  const name = `containerd-1.7.15-nri-0.6.0${session === 'main' ? '' : `.${session}`}.chunks.jsonl`;
  const records = readFileSync(join(import.meta.dirname, 'fixtures', name), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  const pluginFrameEnds: number[] = [];
  let end = 0;
  for (const f of frames(traceStream(session, 'plugin->runtime'))) pluginFrameEnds.push((end += 8 + f.payload.length));
  let pluginBytes = 0;
  const steps: Array<{ off: number; len: number; pluginFramesBefore: number }> = [];
  for (const r of records.filter((x) => x.ev === 'data')) {
    if (r.dir === 'plugin->runtime') pluginBytes += r.len;
    else steps.push({ off: r.off, len: r.len, pluginFramesBefore: pluginFrameEnds.filter((e) => e <= pluginBytes).length });
  }
  return steps;
}

describe.each(['main', 'error'] as const)('replaying the %s session to a live plugin', (session) => {
  const nri = useNri();

  it("answers containerd's recorded bytes with the recorded plugin's bytes", async () => {
    const socketPath = nri.socketPath();
    const runtimeBytes = traceStream(session, 'runtime->plugin');
    const expected = frames(traceStream(session, 'plugin->runtime'));
    const sent: MuxFrame[] = [];
    const server = createServer();
    await new Promise<void>((r) => server.listen(socketPath, r));
    const accepted = new Promise<Socket>((r) => server.once('connection', r));

    const plugin = nri.plugin({ socketPath, name: 'nri-trace', index: '20', handlers: goPluginHandlers(session), reconnect: false });
    plugin.start();
    const socket = await accepted;
    const mux = createMuxReader();
    socket.on('data', (chunk: Buffer) => sent.push(...mux.push(chunk)));
    const waitFrames = async (n: number) => {
      for (let i = 0; i < 400 && sent.length < n; i++) await new Promise((r) => setTimeout(r, 5));
      expect(sent.length, `plugin frames before the next runtime chunk`).toBeGreaterThanOrEqual(n);
    };
    for (const step of schedule(session)) {
      await waitFrames(step.pluginFramesBefore);
      socket.write(runtimeBytes.subarray(step.off, step.off + step.len));
    }
    await waitFrames(expected.length);
    socket.destroy();
    server.close();

    expect(sent).toHaveLength(expected.length);
    // RegisterPlugin: the same request; only the deadline it carries is the plugin's own.
    const ours = decodeRequest(sent[0]!.payload.subarray(10));
    const theirs = decodeRequest(expected[0]!.payload.subarray(10));
    expect({ ...ours, timeoutNano: 0n }).toEqual({ ...theirs, timeoutNano: 0n });
    expect(ours.timeoutNano).toBe(5_000_000_000n);
    // Everything else, byte for byte.
    for (let i = 1; i < expected.length; i++) {
      expect(sent[i]!.connId).toBe(expected[i]!.connId);
      expect(sent[i]!.payload.toString('hex'), `frame ${i}`).toBe(expected[i]!.payload.toString('hex'));
    }
  });
});
