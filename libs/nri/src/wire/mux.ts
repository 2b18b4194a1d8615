import { LengthPrefixedReader } from './length-prefixed-reader.js';

// The NRI connection multiplexer: every byte on the socket is in a frame
//   u32 BE connection id | u32 BE payload length | payload
// Connection 1 carries the Plugin service, 2 the Runtime service.

export const PLUGIN_SERVICE_CONN = 1;
export const RUNTIME_SERVICE_CONN = 2;
export const MUX_HEADER_BYTES = 8;
/** The Go reader takes any length; ours refuses more than this (NRI v0.3-v0.6 writers cut at 16 MiB). */
export const MUX_MAX_PAYLOAD = 16 << 20;
/** The Go side reads through a 4096-byte buffer and fails (ENOMEM) on a larger frame that starts a message. */
export const GO_READ_BUFFER = 4096;
/** NRI >= v0.7.0 writers split frames above 10 + 4 MiB. */
export const MUX_WRITE_SPLIT = 10 + (4 << 20);

export interface MuxFrame {
  connId: number;
  payload: Buffer;
}

export function createMuxReader(maxPayload = MUX_MAX_PAYLOAD): { push(chunk: Buffer): MuxFrame[]; end(): void; readonly bufferedBytes: number } {
  const reader = new LengthPrefixedReader({ headerBytes: MUX_HEADER_BYTES, lengthOffset: 4, maxLength: maxPayload, onOversized: 'throw', what: 'mux frame' });
  return {
    push: (chunk) => reader.push(chunk).map((r) => ({ connId: r.header.readUInt32BE(0), payload: r.body })),
    end: () => reader.end(),
    get bufferedBytes() {
      return reader.bufferedBytes;
    },
  };
}

export function encodeMuxFrame(connId: number, payload: Uint8Array): Buffer {
  const frame = Buffer.allocUnsafe(MUX_HEADER_BYTES + payload.length);
  frame.writeUInt32BE(connId, 0);
  frame.writeUInt32BE(payload.length, 4);
  frame.set(payload, MUX_HEADER_BYTES);
  return frame;
}

/**
 * The frames for one whole ttRPC message, cut the way the Go runtime can read them:
 * the first 4096 bytes, then the rest (split again only past the mux write limit).
 */
export function cutMessageIntoFrames(connId: number, message: Uint8Array): Buffer[] {
  if (message.length <= GO_READ_BUFFER) return [encodeMuxFrame(connId, message)];
  const frames = [encodeMuxFrame(connId, message.subarray(0, GO_READ_BUFFER))];
  for (let at = GO_READ_BUFFER; at < message.length; at += MUX_WRITE_SPLIT) {
    frames.push(encodeMuxFrame(connId, message.subarray(at, Math.min(message.length, at + MUX_WRITE_SPLIT))));
  }
  return frames;
}
