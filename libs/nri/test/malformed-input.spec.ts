import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { NriConnection } from '../src/nri-connection.js';
import { decodeResponse, encodeRequest } from '../src/ttrpc/envelope.js';
import { encodeTtrpcMessage, MessageType, TtrpcMessageReader } from '../src/ttrpc/ttrpc-message.js';
import { createMuxReader, encodeMuxFrame } from '../src/wire/mux.js';
import { PLUGIN_SERVICE } from '../src/nri-schemas.js';
import { unixSocketPair } from './socket-pair.js';

const request = (streamId: number, service: string, method: string, payload = new Uint8Array()) =>
  encodeMuxFrame(1, encodeTtrpcMessage(streamId, MessageType.Request, encodeRequest({ service, method, payload })));

describe('malformed input to a plugin connection', () => {
  let dispose: (() => void) | undefined;
  afterEach(() => dispose?.());

  /** A plugin-side connection serving Configure, and the raw socket of a "runtime" talking to it. */
  async function setup() {
    const pair = await unixSocketPair();
    dispose = pair.dispose;
    const errors: string[] = [];
    const plugin = new NriConnection(pair.b, { role: 'plugin', onProtocolError: (e) => errors.push(e.code) });
    plugin.server.register(PLUGIN_SERVICE, 'Configure', async () => Buffer.from([0x10, 0x08]));
    const replies = collectReplies(pair.a);
    return { runtime: pair.a, plugin, replies, errors };
  }

  function collectReplies(socket: Socket) {
    const mux = createMuxReader();
    const ttrpc = new TtrpcMessageReader();
    const out: Array<{ streamId: number; code: number | undefined; message: string | undefined; payload: string }> = [];
    socket.on('data', (chunk: Buffer) => {
      for (const frame of mux.push(chunk).filter((f) => f.connId === 1))
        for (const m of ttrpc.push(frame.payload, () => {})) {
          const r = decodeResponse(m.data);
          out.push({ streamId: m.streamId, code: r.status?.code, message: r.status?.message, payload: Buffer.from(r.payload).toString('hex') });
        }
    });
    return out;
  }

  const until = async (check: () => boolean) => {
    for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 5));
    expect(check()).toBe(true);
  };

  it('answers a request with garbage protobuf with INVALID_ARGUMENT and keeps serving', async () => {
    const t = await setup();
    t.runtime.write(encodeMuxFrame(1, encodeTtrpcMessage(1, MessageType.Request, Buffer.from([0x0a, 0xff, 0xff, 0xff, 0x0f, 0x01]))));
    t.runtime.write(request(3, PLUGIN_SERVICE, 'Configure'));
    await until(() => t.replies.length === 2);
    expect(t.replies[0]).toMatchObject({ streamId: 1, code: 3, message: expect.stringMatching(/unmarshal request error: BEESTING_ERR_NRI_BAD_PROTOBUF/) });
    expect(t.replies[1]).toEqual({ streamId: 3, code: undefined, message: undefined, payload: '1008' });
    expect(t.plugin.isOpen).toBe(true);
  });

  it('answers UNIMPLEMENTED, as the Go server words it, for an unknown service or method', async () => {
    const t = await setup();
    t.runtime.write(Buffer.concat([request(1, PLUGIN_SERVICE, 'StartContainer'), request(3, 'nri.pkg.api.v1alpha1.Nope', 'X')]));
    await until(() => t.replies.length === 2);
    expect(t.replies).toEqual([
      { streamId: 1, code: 12, message: 'method StartContainer', payload: '' },
      { streamId: 3, code: 12, message: 'service nri.pkg.api.v1alpha1.Nope', payload: '' },
    ]);
  });

  it('refuses even and reused stream ids', async () => {
    const t = await setup();
    t.runtime.write(Buffer.concat([request(2, PLUGIN_SERVICE, 'Configure'), request(5, PLUGIN_SERVICE, 'Configure'), request(5, PLUGIN_SERVICE, 'Configure')]));
    await until(() => t.replies.length === 3);
    // Refusals go out at once; the served request when its handler resolves.
    expect(t.replies.map((r) => [r.streamId, r.code])).toEqual([[2, 3], [5, 3], [5, undefined]]);
    expect(t.replies[1]!.message).toBe('StreamID cannot be re-used and must increment');
  });

  it('discards frames for connection ids nobody opened, and counts them', async () => {
    const t = await setup();
    t.runtime.write(Buffer.concat([encodeMuxFrame(0, Buffer.from('zero')), encodeMuxFrame(7, Buffer.from('seven')), request(1, PLUGIN_SERVICE, 'Configure')]));
    await until(() => t.replies.length === 1);
    expect(t.plugin.stats.framesDiscarded).toBe(2);
    expect(t.plugin.isOpen).toBe(true);
  });

  it('counts a response nobody asked for and a message type NRI never uses', async () => {
    const t = await setup();
    t.runtime.write(encodeMuxFrame(2, encodeTtrpcMessage(9, MessageType.Response, Buffer.alloc(0))));
    t.runtime.write(encodeMuxFrame(1, encodeTtrpcMessage(1, MessageType.Data, Buffer.alloc(0))));
    await until(() => t.plugin.stats.protocolErrors === 2);
    expect(t.errors).toEqual(['BEESTING_ERR_NRI_PROTOCOL', 'BEESTING_ERR_NRI_PROTOCOL']);
    expect(t.plugin.isOpen).toBe(true);
  });

  it('answers a request over 4 MiB with RESOURCE_EXHAUSTED without buffering it', async () => {
    const t = await setup();
    const header = Buffer.alloc(10);
    header.writeUInt32BE((4 << 20) + 100, 0);
    header.writeUInt32BE(1, 4);
    header.writeUInt8(MessageType.Request, 8);
    const body = Buffer.alloc((4 << 20) + 100, 0x61);
    // Cut as the Go writer would: the first 4096 bytes, then the rest.
    const message = Buffer.concat([header, body]);
    t.runtime.write(Buffer.concat([encodeMuxFrame(1, message.subarray(0, 4096)), encodeMuxFrame(1, message.subarray(4096)), request(3, PLUGIN_SERVICE, 'Configure')]));
    await until(() => t.replies.length === 2);
    expect(t.replies[0]).toMatchObject({ streamId: 1, code: 8 });
    expect(t.replies[1]).toMatchObject({ streamId: 3, payload: '1008' });
  });

  it('closes the connection on a frame length past the limit, with a coded error', async () => {
    const t = await setup();
    const header = Buffer.alloc(8);
    header.writeUInt32BE(1, 0);
    header.writeUInt32BE(0xfffffff0, 4);
    t.runtime.write(header);
    const error = await t.plugin.closed;
    expect(error).toMatchObject({ code: 'BEESTING_ERR_NRI_FRAME_TOO_LARGE' });
  });

  it('reports a stream that ends inside a frame as truncated', async () => {
    const t = await setup();
    t.runtime.end(request(1, PLUGIN_SERVICE, 'Configure').subarray(0, 20));
    const error = await t.plugin.closed;
    expect(error).toMatchObject({ code: 'BEESTING_ERR_NRI_TRUNCATED' });
  });

  it('fails pending calls with a coded error when the connection goes', async () => {
    const t = await setup();
    const call = t.plugin.client.call('nri.pkg.api.v1alpha1.Runtime', 'RegisterPlugin', new Uint8Array(), { timeoutMs: 5000 });
    t.runtime.destroy();
    await expect(call).rejects.toMatchObject({ code: 'BEESTING_ERR_NRI_CLOSED' });
  });

  it('times a call out with a coded error and never reuses its stream id', async () => {
    const t = await setup();
    const seen: number[] = [];
    const mux = createMuxReader();
    const ttrpc = new TtrpcMessageReader();
    t.runtime.on('data', (c: Buffer) => mux.push(c).forEach((f) => f.connId === 2 && ttrpc.push(f.payload, () => {}).forEach((m) => seen.push(m.streamId))));
    await expect(t.plugin.client.call('nri.pkg.api.v1alpha1.Runtime', 'RegisterPlugin', new Uint8Array(), { timeoutMs: 50 })).rejects.toMatchObject({ code: 'BEESTING_ERR_NRI_TIMEOUT' });
    await expect(t.plugin.client.call('nri.pkg.api.v1alpha1.Runtime', 'RegisterPlugin', new Uint8Array(), { timeoutMs: 50 })).rejects.toMatchObject({ code: 'BEESTING_ERR_NRI_TIMEOUT' });
    expect(seen).toEqual([1, 3]);
  });
});
