import { createRequire } from 'node:module';

/** The compiled addon (libs/bpf-native/build/Release), the same from src/ and dist/. */
export interface NativeBpfObject {
  mapUpdate(map: string, key: Buffer, value: Buffer): void;
  mapDelete(map: string, key: Buffer): boolean;
  mapLookup(map: string, key: Buffer): Buffer | null;
  mapKeys(map: string): Buffer[];
  counters(): bigint[];
  startEvents(onRecords: (records: Buffer) => void): void;
  stopEvents(): void;
  consumeEvents(): number;
  unpin(): void;
  reusedLinks(): number;
  close(): void;
}

interface Addon {
  BpfObject: new (objectPath: string, backend: number, pinDir?: string) => NativeBpfObject;
  possibleCpus: number;
}

export const addon: Addon = createRequire(import.meta.url)('../build/Release/beesting_bpf.node');
