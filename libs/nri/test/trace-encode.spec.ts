import { create, toBinary } from '@bufbuild/protobuf';
import type { DescMessage, MessageInitShape } from '@bufbuild/protobuf';
import { describe, expect, it } from 'vitest';
import { ConfigureResponseSchema, CreateContainerResponseSchema, EmptySchema, RegisterPluginRequestSchema } from '../src/gen/nri/pkg/api/v1alpha1/api_pb.js';
import { encodeRequest, encodeResponse } from '../src/ttrpc/envelope.js';
import { encodeTtrpcMessage, MessageType } from '../src/ttrpc/ttrpc-message.js';
import { cutMessageIntoFrames } from '../src/wire/mux.js';
import { SESSIONS, traceFrames } from './traces.js';

const hex = (frames: Buffer[]) => Buffer.concat(frames).toString('hex');
const proto = <D extends DescMessage>(schema: D, init: MessageInitShape<D>) => toBinary(schema, create(schema, init));
const reply = (conn: number, stream: number, payload: Uint8Array) => hex(cutMessageIntoFrames(conn, encodeTtrpcMessage(stream, MessageType.Response, encodeResponse({ payload }))));

const TOKEN_SOURCE = '/var/lib/nri-trace-demo/cdd9cf7813d4df48596c3599dbf5840aa356d1d706caa48d018fed7c075a42f7/token';

describe.each(SESSIONS)("the plugin's frames of the %s session", (session) => {
  const frames = traceFrames(session);
  const fromPlugin = frames.filter((f) => f.dir === 'plugin->runtime');

  it('RegisterPlugin is produced byte for byte', () => {
    const recorded = fromPlugin[0]!;
    const payload = proto(RegisterPluginRequestSchema, { pluginName: 'nri-trace', pluginIdx: '20' });
    const request = encodeRequest({ service: 'nri.pkg.api.v1alpha1.Runtime', method: 'RegisterPlugin', payload, timeoutNano: BigInt(recorded.ttrpc.timeout_nano!) });
    expect(hex(cutMessageIntoFrames(2, encodeTtrpcMessage(1, MessageType.Request, request)))).toBe(recorded.mux_hex);
  });

  it('the Configure reply (all 11 events of NRI v0.6.0) is produced byte for byte', () => {
    const recorded = fromPlugin.find((f) => f.ttrpc.request_method === 'Configure')!;
    expect(reply(1, recorded.ttrpc.stream_id, proto(ConfigureResponseSchema, { events: 0x7ff }))).toBe(recorded.mux_hex);
  });

  it('every empty reply is produced byte for byte', () => {
    const empties = fromPlugin.filter((f) => f.mux_payload_len === 10);
    expect(empties.length).toBeGreaterThanOrEqual(2);
    for (const recorded of empties) expect(reply(recorded.mux_conn_id, recorded.ttrpc.stream_id, proto(EmptySchema, {}))).toBe(recorded.mux_hex);
  });
});

describe('the CreateContainer answers', () => {
  it('the adjustment of the main session (mount, env, annotation) is produced byte for byte', () => {
    const recorded = traceFrames('main')[9]!;
    const payload = proto(CreateContainerResponseSchema, {
      adjust: {
        annotations: { 'nri-trace.example.com/token-mounted': 'true' },
        mounts: [{ destination: '/var/run/secrets/eks.amazonaws.com/serviceaccount/token', type: 'bind', source: TOKEN_SOURCE, options: ['bind', 'ro', 'rprivate'] }],
        env: [{ key: 'NRI_TRACE_DEMO', value: 'injected' }],
      },
    });
    expect(reply(1, 7, payload)).toBe(recorded.mux_hex);
  });

  it('the error answer of the error session (status UNKNOWN, no payload) is produced byte for byte', () => {
    const recorded = traceFrames('error')[9]!;
    const status = { code: 2, message: 'nri-trace-bin: refusing container error-sleeper (demo error)' };
    expect(recorded.ttrpc.status).toEqual(status);
    const bytes = cutMessageIntoFrames(1, encodeTtrpcMessage(recorded.ttrpc.stream_id, MessageType.Response, encodeResponse({ status })));
    expect(hex(bytes)).toBe(recorded.mux_hex);
  });
});

describe('frames are cut the way the Go runtime reads them', () => {
  const message = (total: number) => Buffer.alloc(total, 7);
  it.each([
    [10, [10]],
    [4096, [4096]],
    [4097, [4096, 1]],
    [10066, [4096, 5970]],
    [10 + (4 << 20), [4096, 10 + (4 << 20) - 4096]],
  ])('a %d-byte message goes out as frames of %j', (total, sizes) => {
    const frames = cutMessageIntoFrames(2, message(total));
    expect(frames.map((f) => f.readUInt32BE(4))).toEqual(sizes);
    expect(frames.map((f) => f.length - 8)).toEqual(sizes);
    expect(frames.every((f) => f.readUInt32BE(0) === 2)).toBe(true);
  });

  it('refuses a ttRPC message over 4 MiB', () => {
    expect(() => encodeTtrpcMessage(1, MessageType.Request, Buffer.alloc((4 << 20) + 1))).toThrow(/BEESTING_ERR_NRI_MESSAGE_TOO_LARGE/);
  });
});
