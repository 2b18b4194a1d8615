import type { AccessRecord } from '@beesting/bpf-native';
import { AccessEventSchema, AccessKind, create, DetectionBackend, newEventId, OpenerClassification, timestampFromDate } from '@beesting/events';
import type { AccessEvent, TrapRegistration } from '@beesting/events';
import type { CgroupResolver } from './cgroup-resolver.js';
import { ancestorsOf, containerIdFromCgroup, readProcess } from './process-info.js';
import type { ProcessInfo } from './process-info.js';

const BACKEND = { lsm: DetectionBackend.LSM_FILE_OPEN, fentry: DetectionBackend.FENTRY_SECURITY_FILE_OPEN, tracepoint: DetectionBackend.TRACEPOINT } as const;

/** bpf_ktime_get_ns() and process.hrtime() read the same clock (CLOCK_MONOTONIC). */
export function monotonicToDate(monotonicNs: bigint, nowMs = Date.now(), nowMonotonicNs = process.hrtime.bigint()): Date {
  return new Date(nowMs - Number(nowMonotonicNs - monotonicNs) / 1e6);
}

function classify(openerContainer: string, ownerContainer: string): OpenerClassification {
  if (!openerContainer) return OpenerClassification.HOST;
  return openerContainer === ownerContainer ? OpenerClassification.OWN_CONTAINER : OpenerClassification.OTHER_CONTAINER;
}

const asProcess = (p: ProcessInfo) => ({ pid: p.pid, tgid: p.pid, uid: p.uid, gid: p.gid, comm: p.comm, exe: p.exe, argv: p.argv, cwd: p.cwd });

/** The AccessEvent for one kernel record of an armed trap, with what /proc still tells of the opener. */
export function buildAccessEvent(record: AccessRecord, registration: TrapRegistration, cgroups?: CgroupResolver, readProc = readProcess): AccessEvent {
  const info = readProc(record.tgid);
  // The kernel's cgroup id first: it outlives a process that opened the decoy and exited.
  const cgroupPath = cgroups?.pathOf(record.cgroupId);
  const containerId = (cgroupPath !== undefined ? containerIdFromCgroup(`0::${cgroupPath}`) : undefined) ?? info?.containerId ?? '';
  const ancestors = ancestorsOf(record.ppid, containerId).map(asProcess);
  return create(AccessEventSchema, {
    id: newEventId(),
    trap: registration.trap,
    owner: registration.owner,
    opener: {
      process: {
        pid: record.pid,
        tgid: record.tgid,
        uid: record.uid,
        gid: record.gid,
        comm: record.comm,
        exe: info?.exe ?? '',
        argv: info?.argv ?? [],
        cwd: info?.cwd ?? '',
      },
      cgroupId: record.cgroupId,
      containerId,
      mountNs: BigInt(record.mountNs),
      pidNs: BigInt(record.pidNs),
      ancestors,
      classification: classify(containerId, registration.owner?.container?.id ?? ''),
    },
    backend: BACKEND[record.backend],
    accessKind: record.kind === 'exec' ? AccessKind.EXEC : AccessKind.OPEN,
    suppressedCount: record.suppressed,
    observedAt: timestampFromDate(monotonicToDate(record.monotonicNs)),
    reportedAt: timestampFromDate(new Date()),
  });
}

/**
 * The opens the rate limiter folded and no later record carried: one event standing for
 * all of them (itself one, suppressed_count the rest), from what is known of the process.
 */
export function buildFoldedEvent(
  entry: { cookie: bigint; tgid: number; suppressed: bigint },
  registration: TrapRegistration,
  backend: AccessRecord['backend'],
  cgroups?: CgroupResolver,
  readProc = readProcess,
): AccessEvent {
  const info = readProc(entry.tgid);
  const record: AccessRecord = {
    monotonicNs: process.hrtime.bigint(),
    cookie: entry.cookie,
    dev: 0n,
    ino: 0n,
    cgroupId: 0n,
    suppressed: entry.suppressed - 1n,
    mountNs: 0,
    pidNs: 0,
    pid: entry.tgid,
    tgid: entry.tgid,
    ppid: info?.ppid ?? 0,
    uid: info?.uid ?? 0,
    gid: info?.gid ?? 0,
    kind: 'open',
    backend,
    flags: 0,
    comm: info?.comm ?? '',
  };
  return buildAccessEvent(record, registration, cgroups, () => info);
}
