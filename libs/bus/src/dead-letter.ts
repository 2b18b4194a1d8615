import { headers } from 'nats';
import type { JetStreamClient, JsMsg } from 'nats';
import { dlqSubject } from './subjects.js';

// A dead letter keeps the original bytes untouched and says in headers where it came
// from and why it was given up on, so it can be inspected with `nats` and replayed.

export const DLQ_HEADERS = {
  origin: 'Beesting-Dlq-Origin',
  code: 'Beesting-Dlq-Code',
  reason: 'Beesting-Dlq-Reason',
  sourceStream: 'Beesting-Dlq-Source-Stream',
  sourceSeq: 'Beesting-Dlq-Source-Seq',
  sourceSubject: 'Beesting-Dlq-Source-Subject',
  time: 'Beesting-Dlq-Time',
} as const;

const MAX_REASON_CHARS = 1024;

export interface DeadLetter {
  /** Who gave up: "malformed.<consumer>", "sink.<id>". Becomes the subject's tail. */
  origin: string;
  /** A BEESTING_ERR_* code. */
  code: string;
  reason: string;
  payload: Uint8Array;
  source?: { stream: string; seq: number; subject: string };
}

export async function publishDeadLetter(js: JetStreamClient, letter: DeadLetter): Promise<void> {
  const h = headers();
  h.set(DLQ_HEADERS.origin, letter.origin);
  h.set(DLQ_HEADERS.code, letter.code);
  h.set(DLQ_HEADERS.reason, headerSafe(letter.reason));
  h.set(DLQ_HEADERS.time, new Date().toISOString());
  if (letter.source) {
    h.set(DLQ_HEADERS.sourceStream, letter.source.stream);
    h.set(DLQ_HEADERS.sourceSeq, String(letter.source.seq));
    h.set(DLQ_HEADERS.sourceSubject, letter.source.subject);
  }
  // Dead-lettering the same stream message twice (a redelivery) stores it once.
  const msgID = letter.source ? `dlq:${letter.origin}:${letter.source.stream}:${letter.source.seq}` : undefined;
  await js.publish(dlqSubject(letter.origin), letter.payload, { headers: h, ...(msgID ? { msgID } : {}) });
}

/** Reads a dead letter back from BEESTING_DLQ. */
export function readDeadLetter(msg: JsMsg): DeadLetter {
  const get = (name: string) => msg.headers?.get(name) ?? '';
  const stream = get(DLQ_HEADERS.sourceStream);
  return {
    origin: get(DLQ_HEADERS.origin),
    code: get(DLQ_HEADERS.code),
    reason: get(DLQ_HEADERS.reason),
    payload: msg.data,
    ...(stream ? { source: { stream, seq: Number(get(DLQ_HEADERS.sourceSeq)), subject: get(DLQ_HEADERS.sourceSubject) } } : {}),
  };
}

function headerSafe(text: string): string {
  const flat = text.replace(/[\r\n]+/g, ' ');
  return flat.length > MAX_REASON_CHARS ? `${flat.slice(0, MAX_REASON_CHARS - 3)}...` : flat;
}
