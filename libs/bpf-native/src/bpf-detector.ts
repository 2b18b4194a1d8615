import { mkdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { BpfError } from './bpf-error.js';
import { kernelDev } from './kernel-dev.js';
import { addon } from './native-addon.js';
import type { NativeBpfObject } from './native-addon.js';
import { BACKENDS, COUNTERS, decodeRecords, trapKey, u32, u64 } from './records.js';
import type { AccessRecord, Backend, BpfCounters } from './records.js';

export const DEFAULT_OBJECT = fileURLToPath(new URL('../../../bpf/build/beesting.bpf.o', import.meta.url));

export interface LoadOptions {
  /** 'auto' tries lsm, then fentry, then tracepoint, and keeps the first that loads. */
  backend?: Backend | 'auto';
  objectPath?: string;
  /**
   * A directory in bpffs: maps and links are pinned there, so detection goes on while the
   * process is away, and a restart takes over what is pinned (queued records included).
   */
  pinDir?: string;
}

export interface LoadResult {
  detector: BpfDetector;
  backend: Backend;
  /** Why each backend tried before the chosen one did not load. */
  rejected: Array<{ backend: Backend; error: BpfError }>;
}

export interface ArmedFile {
  dev: bigint;
  ino: bigint;
}

/** The loaded BPF object of one backend: arm decoys, exclude the agent, read what the kernel saw. */
export class BpfDetector {
  private constructor(
    private readonly native: NativeBpfObject,
    readonly backend: Backend,
  ) {}

  static load(options: LoadOptions = {}): LoadResult {
    const objectPath = options.objectPath ?? process.env['BEESTING_BPF_OBJECT'] ?? DEFAULT_OBJECT;
    const order: Backend[] = !options.backend || options.backend === 'auto' ? [...BACKENDS] : [options.backend];
    const rejected: LoadResult['rejected'] = [];
    for (const backend of order) {
      try {
        if (options.pinDir) mkdirSync(options.pinDir, { recursive: true, mode: 0o700 });
        const native = new addon.BpfObject(objectPath, BACKENDS.indexOf(backend), options.pinDir);
        return { detector: new BpfDetector(native, backend), backend, rejected };
      } catch (err) {
        const error = BpfError.from(err);
        if (error.code === 'BEESTING_ERR_BPF_OPEN') throw error;
        rejected.push({ backend, error });
      }
    }
    const last = rejected.at(-1)?.error;
    throw new BpfError('BEESTING_ERR_BPF_NO_BACKEND', `no detection backend loads: ${rejected.map((r) => `${r.backend}: ${r.error.message.split('\n')[0]}`).join('; ')}`, last?.errno ?? 0, last?.libbpf ?? '');
  }

  /** The key the kernel will see for a file: its inode and its device in the kernel's encoding. */
  static fileIdentity(path: string): ArmedFile {
    const st = statSync(path, { bigint: true });
    return { dev: kernelDev(st.dev), ino: st.ino };
  }

  arm(file: ArmedFile, cookie: bigint): void {
    this.call(() => this.native.mapUpdate('bst_traps', trapKey(file.dev, file.ino), u64(cookie)));
  }

  disarm(file: ArmedFile): boolean {
    return this.call(() => this.native.mapDelete('bst_traps', trapKey(file.dev, file.ino)));
  }

  armed(): ArmedFile[] {
    return this.call(() => this.native.mapKeys('bst_traps')).map((k) => ({ dev: k.readBigUInt64LE(0), ino: k.readBigUInt64LE(8) }));
  }

  /** Never report opens by this process (the agent's own reads), by its tgid. */
  exclude(tgid: number): void {
    this.call(() => this.native.mapUpdate('bst_excluded', u32(tgid), Buffer.from([1])));
  }

  /** At most one record per (decoy, process) per interval; the rest are counted and ride on the next. */
  setRateLimit(intervalNs: bigint): void {
    this.call(() => this.native.mapUpdate('bst_config', u32(0), u64(intervalNs)));
  }

  /** The rate limiter's state: per (decoy, process), the opens folded since its last record. */
  rateEntries(): Array<{ cookie: bigint; tgid: number; lastNs: bigint; suppressed: bigint }> {
    return this.call(() => this.native.mapKeys('bst_rate')).flatMap((key) => {
      const value = this.native.mapLookup('bst_rate', key);
      return value ? [{ cookie: key.readBigUInt64LE(0), tgid: key.readUInt32LE(8), lastNs: value.readBigUInt64LE(0), suppressed: value.readBigUInt64LE(8) }] : [];
    });
  }

  /** Drops a rate-limiter entry: the process's next open of the decoy is reported at once. */
  forgetRate(cookie: bigint, tgid: number): boolean {
    const key = Buffer.alloc(16);
    key.writeBigUInt64LE(cookie, 0);
    key.writeUInt32LE(tgid, 8);
    return this.call(() => this.native.mapDelete('bst_rate', key));
  }

  counters(): BpfCounters {
    const values = this.call(() => this.native.counters());
    return Object.fromEntries(COUNTERS.map((name, i) => [name, values[i] ?? 0n])) as BpfCounters;
  }

  /** Delivers records as the ring buffer fills, on the event loop. */
  onRecords(listener: (records: AccessRecord[]) => void): void {
    this.call(() => this.native.startEvents((buffer) => listener(decodeRecords(buffer))));
  }

  /** Reads what is queued right now. */
  drain(): number {
    return this.call(() => this.native.consumeEvents());
  }

  /** Links taken over from an earlier run (0 on a fresh start). */
  get reusedLinks(): number {
    return this.native.reusedLinks();
  }

  /** Forgets every excluded process: pids of an earlier run may belong to anyone now. */
  clearExcluded(): void {
    for (const key of this.call(() => this.native.mapKeys('bst_excluded'))) this.native.mapDelete('bst_excluded', key);
  }

  /** Removes the pins (for an uninstall, or a test cleaning up). */
  unpin(): void {
    this.call(() => this.native.unpin());
  }

  close(): void {
    this.native.close();
  }

  private call<T>(run: () => T): T {
    try {
      return run();
    } catch (err) {
      throw BpfError.from(err);
    }
  }
}
