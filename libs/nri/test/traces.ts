import { readFileSync } from 'node:fs';
import { join } from 'node:path';

// The real containerd 1.7.15 <-> NRI plugin byte traces, copied from shared/nri-traces.

export const SESSIONS = ['main', 'timeout', 'error'] as const;
export type Session = (typeof SESSIONS)[number];
export type Direction = 'plugin->runtime' | 'runtime->plugin';

const prefix = (session: Session) => `containerd-1.7.15-nri-0.6.0${session === 'main' ? '' : `.${session}`}`;
const fixture = (name: string) => join(import.meta.dirname, 'fixtures', name);

export interface TraceFrame {
  index: number;
  dir: Direction;
  mux_conn_id: number;
  mux_payload_len: number;
  mux_hex: string;
  ttrpc: {
    stream_id: number;
    type: number;
    service?: string;
    method?: string;
    timeout_nano?: number;
    status?: { code: number; message: string };
    request_method?: string;
    payload_hex: string;
    payload_type: string;
    event?: string;
  };
}

export function traceStream(session: Session, dir: Direction): Buffer {
  const name = dir === 'plugin->runtime' ? 'plugin-to-runtime' : 'runtime-to-plugin';
  return readFileSync(fixture(`${prefix(session)}.${name}.bin`));
}

export function traceFrames(session: Session): TraceFrame[] {
  return JSON.parse(readFileSync(fixture(`${prefix(session)}.session.json`), 'utf8'));
}

/** The chunk sizes the recording proxy read, per direction, in order. */
export function traceChunks(session: Session, dir: Direction): Array<{ off: number; len: number }> {
  return readFileSync(fixture(`${prefix(session)}.chunks.jsonl`), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line))
    .filter((r) => r.ev === 'data' && r.dir === dir)
    .map((r) => ({ off: r.off, len: r.len }));
}
