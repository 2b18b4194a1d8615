import type { KV } from 'nats';
import { decodeWindow, encodeWindow } from './alert-window.js';
import type { AlertWindow } from './alert-window.js';

export const WINDOWS_BUCKET = 'beesting_alert_windows';

export type Change = (current: AlertWindow | undefined) => AlertWindow | undefined | 'delete';

/** Compare-and-set on window records: `change` is re-run on the fresh value until the write wins. */
export class WindowStore {
  constructor(private readonly kv: KV) {}

  async get(key: string): Promise<AlertWindow | undefined> {
    const entry = await this.kv.get(key);
    return entry && entry.operation === 'PUT' && entry.length > 0 ? decodeWindow(entry.value) : undefined;
  }

  async keys(): Promise<string[]> {
    const out: string[] = [];
    for await (const k of await this.kv.keys()) out.push(k);
    return out;
  }

  /** Applies `change` atomically; returns the value written (undefined if nothing was). */
  async update(key: string, change: Change): Promise<AlertWindow | undefined> {
    for (let attempt = 0; attempt < 1000; attempt++) {
      const entry = await this.kv.get(key);
      const current = entry && entry.operation === 'PUT' && entry.length > 0 ? decodeWindow(entry.value) : undefined;
      const next = change(current);
      if (next === undefined) return undefined;
      try {
        if (next === 'delete') {
          if (entry) await this.kv.delete(key, { previousSeq: entry.revision });
          return undefined;
        }
        if (entry) await this.kv.update(key, encodeWindow(next), entry.revision);
        else await this.kv.create(key, encodeWindow(next));
        return next;
      } catch (err) {
        if (!isConflict(err)) throw err;
      }
    }
    throw new Error(`window ${key}: too much contention`);
  }
}

function isConflict(err: unknown): boolean {
  const message = (err as Error).message ?? '';
  return /wrong last sequence|key exists|10071/.test(message) || (err as { api_error?: { err_code?: number } }).api_error?.err_code === 10071;
}
