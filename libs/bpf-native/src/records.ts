// Byte layouts of bpf/beesting.h, little endian (x86_64). A test compares these offsets
// with the BTF of the built object.

export const BACKENDS = ['lsm', 'fentry', 'tracepoint'] as const;
export type Backend = (typeof BACKENDS)[number];

export const AccessKindCode = { open: 1, exec: 2 } as const;
export const COUNTERS = ['hits', 'records', 'suppressed', 'drops', 'excluded'] as const;
export type BpfCounters = Record<(typeof COUNTERS)[number], bigint>;

export const EVENT_SIZE = 104;
export const EVENT_LAYOUT = {
  ts_ns: 0,
  cookie: 8,
  dev: 16,
  ino: 24,
  cgroup_id: 32,
  suppressed: 40,
  mnt_ns: 48,
  pid_ns: 52,
  pid: 56,
  tgid: 60,
  ppid: 64,
  uid: 68,
  gid: 72,
  kind: 76,
  backend: 80,
  f_flags: 84,
  comm: 88,
} as const;
export const COMM_LENGTH = 16;

export interface AccessRecord {
  /** bpf_ktime_get_ns(): CLOCK_MONOTONIC nanoseconds. */
  monotonicNs: bigint;
  cookie: bigint;
  dev: bigint;
  ino: bigint;
  cgroupId: bigint;
  suppressed: bigint;
  mountNs: number;
  pidNs: number;
  pid: number;
  tgid: number;
  ppid: number;
  uid: number;
  gid: number;
  kind: 'open' | 'exec';
  backend: Backend;
  flags: number;
  comm: string;
}

export function decodeRecords(buffer: Buffer): AccessRecord[] {
  const out: AccessRecord[] = [];
  for (let at = 0; at + EVENT_SIZE <= buffer.length; at += EVENT_SIZE) {
    const u64 = (field: keyof typeof EVENT_LAYOUT) => buffer.readBigUInt64LE(at + EVENT_LAYOUT[field]);
    const u32 = (field: keyof typeof EVENT_LAYOUT) => buffer.readUInt32LE(at + EVENT_LAYOUT[field]);
    const comm = buffer.subarray(at + EVENT_LAYOUT.comm, at + EVENT_LAYOUT.comm + COMM_LENGTH);
    const nul = comm.indexOf(0);
    out.push({
      monotonicNs: u64('ts_ns'),
      cookie: u64('cookie'),
      dev: u64('dev'),
      ino: u64('ino'),
      cgroupId: u64('cgroup_id'),
      suppressed: u64('suppressed'),
      mountNs: u32('mnt_ns'),
      pidNs: u32('pid_ns'),
      pid: u32('pid'),
      tgid: u32('tgid'),
      ppid: u32('ppid'),
      uid: u32('uid'),
      gid: u32('gid'),
      kind: u32('kind') === AccessKindCode.exec ? 'exec' : 'open',
      backend: BACKENDS[u32('backend') - 1] ?? 'tracepoint',
      flags: u32('f_flags'),
      comm: comm.subarray(0, nul < 0 ? COMM_LENGTH : nul).toString('utf8'),
    });
  }
  return out;
}

export function trapKey(dev: bigint, ino: bigint): Buffer {
  const b = Buffer.alloc(16);
  b.writeBigUInt64LE(dev, 0);
  b.writeBigUInt64LE(ino, 8);
  return b;
}

export function u64(value: bigint): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(value, 0);
  return b;
}

export function u32(value: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(value, 0);
  return b;
}
