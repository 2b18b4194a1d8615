import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import type { DescMessage, MessageInitShape, MessageShape } from '@bufbuild/protobuf';
import { RequestSchema, ResponseSchema } from '../gen/ttrpc/ttrpc_pb.js';
import type { KeyValue } from '../gen/ttrpc/ttrpc_pb.js';
import { NriError, NriErrorCode } from '../nri-error.js';

export interface TtrpcRequest {
  service: string;
  method: string;
  payload: Uint8Array;
  /** Remaining budget of the caller in nanoseconds; 0n: none. */
  timeoutNano: bigint;
  metadata: KeyValue[];
}

export interface TtrpcResponse {
  /** Undefined, or code 0: success. */
  status: { code: number; message: string } | undefined;
  payload: Uint8Array;
}

/** Decodes protobuf bytes, turning any failure into BEESTING_ERR_NRI_BAD_PROTOBUF. */
export function decodeProto<Desc extends DescMessage>(schema: Desc, bytes: Uint8Array): MessageShape<Desc> {
  try {
    return fromBinary(schema, bytes);
  } catch (cause) {
    throw new NriError(NriErrorCode.BadProtobuf, `not a valid ${schema.typeName}: ${(cause as Error).message}`, undefined, { cause });
  }
}

export function encodeProto<Desc extends DescMessage>(schema: Desc, init: MessageInitShape<Desc>): Uint8Array {
  return toBinary(schema, create(schema, init));
}

export function decodeRequest(bytes: Uint8Array): TtrpcRequest {
  const r = decodeProto(RequestSchema, bytes);
  return { service: r.service, method: r.method, payload: r.payload, timeoutNano: r.timeoutNano, metadata: r.metadata };
}

export function encodeRequest(request: { service: string; method: string; payload: Uint8Array; timeoutNano?: bigint }): Uint8Array {
  return encodeProto(RequestSchema, {
    service: request.service,
    method: request.method,
    payload: request.payload,
    timeoutNano: request.timeoutNano ?? 0n,
  });
}

export function decodeResponse(bytes: Uint8Array): TtrpcResponse {
  const r = decodeProto(ResponseSchema, bytes);
  return { status: r.status && { code: r.status.code, message: r.status.message }, payload: r.payload };
}

/** A success carries only the payload; an error only the status (as the Go server writes them). */
export function encodeResponse(response: { payload: Uint8Array } | { status: { code: number; message: string } }): Uint8Array {
  return 'status' in response
    ? encodeProto(ResponseSchema, { status: { code: response.status.code, message: response.status.message } })
    : encodeProto(ResponseSchema, { payload: response.payload });
}
