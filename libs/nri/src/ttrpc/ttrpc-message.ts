import { NriError, NriErrorCode } from '../nri-error.js';
import { LengthPrefixedReader } from '../wire/length-prefixed-reader.js';
import type { OversizedRecord } from '../wire/length-prefixed-reader.js';

// One ttRPC message: u32 BE length | u32 BE stream id | u8 type | u8 flags | data.

export const TTRPC_HEADER_BYTES = 10;
export const TTRPC_MAX_DATA = 4 << 20;

export const MessageType = { Request: 1, Response: 2, Data: 3 } as const;

export interface TtrpcMessage {
  streamId: number;
  type: number;
  flags: number;
  data: Buffer;
}

export interface OversizedMessage {
  streamId: number;
  type: number;
  length: number;
}

export function encodeTtrpcMessage(streamId: number, type: number, data: Uint8Array, flags = 0): Buffer {
  if (data.length > TTRPC_MAX_DATA) throw new NriError(NriErrorCode.MessageTooLarge, `ttRPC message of ${data.length} bytes exceeds ${TTRPC_MAX_DATA}`);
  const message = Buffer.allocUnsafe(TTRPC_HEADER_BYTES + data.length);
  message.writeUInt32BE(data.length, 0);
  message.writeUInt32BE(streamId, 4);
  message.writeUInt8(type, 8);
  message.writeUInt8(flags, 9);
  message.set(data, TTRPC_HEADER_BYTES);
  return message;
}

/** Reassembles the ttRPC messages of one logical connection from its mux payloads. */
export class TtrpcMessageReader {
  private readonly reader = new LengthPrefixedReader({
    headerBytes: TTRPC_HEADER_BYTES,
    lengthOffset: 0,
    maxLength: TTRPC_MAX_DATA,
    onOversized: 'skip',
    what: 'ttRPC message',
  });

  /** Messages over 4 MiB are dropped unbuffered and reported, as the Go receiver does. */
  push(payload: Buffer, oversized: (message: OversizedMessage) => void): TtrpcMessage[] {
    const report = (r: OversizedRecord) => oversized({ streamId: r.header.readUInt32BE(4), type: r.header.readUInt8(8), length: r.length });
    return this.reader.push(payload, report).map((r) => ({
      streamId: r.header.readUInt32BE(4),
      type: r.header.readUInt8(8),
      flags: r.header.readUInt8(9),
      data: r.body,
    }));
  }

  end(): void {
    this.reader.end();
  }
}
