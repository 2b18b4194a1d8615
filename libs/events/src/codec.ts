import { fromJson, toJson } from '@bufbuild/protobuf';
import type { DescMessage, MessageShape } from '@bufbuild/protobuf';
import { MessageValidationError } from './message-error.js';
import { validateMessageJson } from './validate-json.js';

// The wire form is the protobuf JSON mapping, UTF-8 encoded: readable with `nats sub`,
// checked on the way out as strictly as on the way in.

const utf8 = new TextDecoder('utf-8', { fatal: true });
const utf8Encoder = new TextEncoder();

export function encodeMessage<Desc extends DescMessage>(schema: Desc, message: MessageShape<Desc>): Uint8Array {
  const json = toJson(schema, message);
  validateMessageJson(schema, json);
  return utf8Encoder.encode(JSON.stringify(json));
}

export function decodeMessage<Desc extends DescMessage>(schema: Desc, payload: Uint8Array | string): MessageShape<Desc> {
  const json = parsePayload(schema, payload);
  validateMessageJson(schema, json);
  try {
    return fromJson(schema, json as Parameters<typeof fromJson>[1]);
  } catch (cause) {
    // The walker accepts only what protobuf-es can read; reaching here is a gap in it.
    throw new MessageValidationError(schema.typeName, '', (cause as Error).message, { cause });
  }
}

function parsePayload(schema: DescMessage, payload: Uint8Array | string): unknown {
  let text: string;
  try {
    text = typeof payload === 'string' ? payload : utf8.decode(payload);
  } catch (cause) {
    throw new MessageValidationError(schema.typeName, '', 'payload is not UTF-8', { cause });
  }
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new MessageValidationError(schema.typeName, '', `payload is not JSON: ${(cause as Error).message}`, { cause });
  }
}
