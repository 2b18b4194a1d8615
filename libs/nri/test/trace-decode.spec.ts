import { fromBinary } from '@bufbuild/protobuf';
import { describe, expect, it } from 'vitest';
import { ContainerState, CreateContainerRequestSchema, CreateContainerResponseSchema, Event, StateChangeEventSchema, SynchronizeRequestSchema, UpdateContainerRequestSchema } from '../src/gen/nri/pkg/api/v1alpha1/api_pb.js';
import { decodeRequest, decodeResponse } from '../src/ttrpc/envelope.js';
import { MessageType, TtrpcMessageReader } from '../src/ttrpc/ttrpc-message.js';
import type { TtrpcMessage } from '../src/ttrpc/ttrpc-message.js';
import { METHOD_SCHEMAS } from '../src/nri-schemas.js';
import { createMuxReader } from '../src/wire/mux.js';
import { SESSIONS, traceChunks, traceFrames, traceStream } from './traces.js';
import type { Direction, Session } from './traces.js';

interface Decoded {
  connId: number;
  message: TtrpcMessage;
}

/** Runs a byte stream through the mux and ttRPC readers, cut into the given chunks. */
function decodeStream(stream: Buffer, cuts: number[]): Decoded[] {
  const mux = createMuxReader();
  const readers = new Map<number, TtrpcMessageReader>();
  const out: Decoded[] = [];
  let at = 0;
  for (const size of cuts) {
    for (const frame of mux.push(stream.subarray(at, at + size))) {
      let reader = readers.get(frame.connId);
      if (!reader) readers.set(frame.connId, (reader = new TtrpcMessageReader()));
      for (const message of reader.push(frame.payload, () => expect.fail('no oversized message in the traces'))) out.push({ connId: frame.connId, message });
    }
    at += size;
  }
  expect(at).toBe(stream.length);
  mux.end();
  return out;
}

function seededCuts(length: number, seed: number, max: number): number[] {
  const cuts: number[] = [];
  let s = seed;
  for (let left = length; left > 0; ) {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    const n = Math.min(left, 1 + (s % max));
    cuts.push(n);
    left -= n;
  }
  return cuts;
}

const directions: Direction[] = ['plugin->runtime', 'runtime->plugin'];

describe.each(SESSIONS)('the %s trace session', (session: Session) => {
  const frames = traceFrames(session);

  it.each(directions)('decodes every frame %s, whole, in the recorded chunks and in 1 to 13 byte pieces', (dir) => {
    const stream = traceStream(session, dir);
    const expected = frames.filter((f) => f.dir === dir);
    const recorded = traceChunks(session, dir).map((c) => c.len);
    for (const cuts of [[stream.length], recorded, seededCuts(stream.length, 7, 13), Array(stream.length).fill(1)]) {
      const decoded = decodeStream(stream, cuts);
      expect(decoded).toHaveLength(expected.length);
      decoded.forEach(({ connId, message }, i) => {
        const frame = expected[i]!;
        expect(connId).toBe(frame.mux_conn_id);
        expect(message.streamId).toBe(frame.ttrpc.stream_id);
        expect(message.type).toBe(frame.ttrpc.type);
        const key = (m: { service?: string; method?: string }) => `${m.service}/${m.method}`;
        if (message.type === MessageType.Request) {
          const request = decodeRequest(message.data);
          expect(request.service).toBe(frame.ttrpc.service);
          expect(request.method).toBe(frame.ttrpc.method);
          expect(Number(request.timeoutNano)).toBe(frame.ttrpc.timeout_nano);
          expect(Buffer.from(request.payload).toString('hex')).toBe(frame.ttrpc.payload_hex);
          const schema = METHOD_SCHEMAS[key(request)]!.request;
          expect(schema.typeName).toBe(frame.ttrpc.payload_type);
          fromBinary(schema, request.payload);
        } else {
          const response = decodeResponse(message.data);
          expect(response.status).toEqual(frame.ttrpc.status);
          expect(Buffer.from(response.payload).toString('hex')).toBe(frame.ttrpc.payload_hex);
          if (response.status) {
            expect(response.payload).toHaveLength(0);
            return;
          }
          const schema = METHOD_SCHEMAS[`${(frame.ttrpc as any).request_service}/${frame.ttrpc.request_method}`]!.response;
          expect(schema.typeName).toBe(frame.ttrpc.payload_type);
          fromBinary(schema, response.payload);
        }
      });
    }
  });
});

describe('values carried by the main session', () => {
  const frames = traceFrames('main');
  const payload = (i: number) => Buffer.from(frames[i]!.ttrpc.payload_hex, 'hex');

  it('Synchronize carries the pod and container that existed before the plugin', () => {
    const sync = fromBinary(SynchronizeRequestSchema, payload(4));
    expect(sync.pods.map((p) => [p.name, p.namespace])).toEqual([['pre-existing', 'default']]);
    expect(sync.containers.map((c) => [c.name, c.state])).toEqual([['pre-sleeper', ContainerState.CONTAINER_RUNNING]]);
    expect(sync.containers[0]!.podSandboxId).toBe(sync.pods[0]!.id);
    expect(sync.more).toBe(false);
  });

  it('CreateContainer names the pod, its labels and annotations, and the container with its mounts', () => {
    const { pod, container } = fromBinary(CreateContainerRequestSchema, payload(8));
    expect(pod).toMatchObject({ name: 'demo-token', namespace: 'default', uid: 'nri-trace-demo-uid-1' });
    expect(pod!.labels).toMatchObject({ app: 'demo', tier: 'trace' });
    expect(pod!.annotations['eks.amazonaws.com/role-arn']).toBe('arn:aws:iam::111122223333:role/demo');
    expect(container).toMatchObject({ name: 'token-reader', state: ContainerState.CONTAINER_UNKNOWN, args: ['sleep', '3600'] });
    expect(container!.env).toContain('DEMO=1');
    expect(container!.mounts[0]).toMatchObject({ destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] });
    expect(container!.mounts.map((m) => m.destination)).toContain('/etc/hosts');
    expect(container!.linux!.oomScoreAdj).toBeDefined();
  });

  it("the plugin's answer holds the mount with its options, the env and the annotation", () => {
    const { adjust } = fromBinary(CreateContainerResponseSchema, payload(9));
    expect(adjust!.mounts).toEqual([
      expect.objectContaining({
        destination: '/var/run/secrets/eks.amazonaws.com/serviceaccount/token',
        type: 'bind',
        source: expect.stringMatching(/^\/var\/lib\/nri-trace-demo\/[0-9a-f]{64}\/token$/),
        options: ['bind', 'ro', 'rprivate'],
      }),
    ]);
    expect(adjust!.env).toEqual([expect.objectContaining({ key: 'NRI_TRACE_DEMO', value: 'injected' })]);
    expect(adjust!.annotations).toEqual({ 'nri-trace.example.com/token-mounted': 'true' });
  });

  it('later events see the adjusted container; StateChange carries its event; present empty wrappers stay present', () => {
    const postCreate = fromBinary(StateChangeEventSchema, payload(10));
    expect(postCreate.event).toBe(Event.POST_CREATE_CONTAINER);
    expect(postCreate.container!.env).toContain('NRI_TRACE_DEMO=injected');
    expect(postCreate.container!.mounts.some((m) => m.destination === '/var/run/secrets/eks.amazonaws.com/serviceaccount/token')).toBe(true);
    const update = fromBinary(UpdateContainerRequestSchema, payload(16));
    expect(update.linuxResources!.memory!.limit!.value).toBe(134217728n);
    expect(update.linuxResources!.cpu!.shares).toEqual(expect.objectContaining({ value: 0n }));
  });
});
