import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { podSpec, runtimeMounts, standInMonitor, startInjectorFixture } from './injector-fixture.js';
import type { ArmStandIn, InjectorFixture } from './injector-fixture.js';

const EKS_DIR = '/var/run/secrets/eks.amazonaws.com/serviceaccount';
let f: InjectorFixture;
let monitor: ArmStandIn;
let seq = 0;

beforeAll(async () => {
  f = await startInjectorFixture({ armTimeoutMs: 200 });
  monitor = standInMonitor(f.nc);
});
afterAll(async () => {
  monitor.stop();
  await f?.dispose();
});

/** Creates a container; it must be created (never an error status); returns the plugin's mounts. */
async function create(pod: ReturnType<typeof podSpec>, mounts = runtimeMounts()) {
  if (!f.runtime.pods.has(pod.id)) await f.runtime.runPodSandbox(pod);
  const id = `${(++seq).toString(16).padStart(4, '0')}${'d'.repeat(60)}`;
  const started = performance.now();
  const outcome = await f.runtime.createContainer(pod.id, { id, name: 'app', mounts });
  const tookMs = performance.now() - started;
  expect(outcome.outcome).toBe('created');
  if (outcome.outcome !== 'created') throw new Error(outcome.error);
  return { id, tookMs, destinations: outcome.adjustments.flatMap((a) => a.mounts.map((m) => m.destination)) };
}
const skipped = (reason: string) => f.metric('beesting_injector_traps_skipped_total', { reason });

describe('the injector never breaks a workload: every problem is a counted skip', () => {
  it('skips a trap where a mount already is, and plants the rest', async () => {
    const mounts = [...runtimeMounts(), { destination: EKS_DIR, type: 'bind', source: '/var/lib/kubelet/pods/u/volumes/aws-iam-token', options: ['rbind', 'ro'] }];
    const { destinations } = await create(podSpec('irsa-pod'), mounts);
    expect(destinations).toEqual(['/root/.aws/credentials']);
    expect(await skipped('mount-collision')).toBe(1);
  });

  it('skips a trap inside a read-only volume', async () => {
    const mounts = [...runtimeMounts(), { destination: '/root', type: 'bind', source: '/var/lib/kubelet/pods/u/volumes/home', options: ['rbind', 'ro'] }];
    const { destinations } = await create(podSpec('ro-home'), mounts);
    expect(destinations).toEqual([EKS_DIR]);
    expect(await skipped('read-only-volume')).toBe(1);
  });

  it('plants nothing in a pod the policy excludes, or one that opted out', async () => {
    expect((await create(podSpec('coredns', 'kube-system'))).destinations).toEqual([]);
    expect(await f.metric('beesting_injector_containers_seen_total', { outcome: 'no-match' })).toBe(1);
    expect((await create(podSpec('payroll', 'shop', { annotations: { 'beesting.dev/disable': 'true' } }))).destinations).toEqual([]);
    expect(await skipped('opted-out')).toBe(1);
    expect(await f.metric('beesting_injector_containers_seen_total', { outcome: 'opted-out' })).toBe(1);
  });

  it('answers within its deadline when the monitor is silent or absent; the miss is counted, the trap still planted', async () => {
    monitor.mode = 'silent';
    const silent = await create(podSpec('silent-monitor'));
    expect(silent.destinations).toHaveLength(2);
    expect(silent.tookMs).toBeLessThan(1000);
    expect(await f.metric('beesting_injector_arm_misses_total', { reason: 'timeout' })).toBe(2);
    monitor.stop();
    const absent = await create(podSpec('no-monitor'));
    expect(absent.destinations).toHaveLength(2);
    expect(await f.metric('beesting_injector_arm_misses_total', { reason: 'no-monitor' })).toBe(2);
    // Registered all the same: a monitor arms from the inventory when it comes back.
    const kv = await f.nc.jetstream().views.kv('beesting_traps');
    // Keys first: awaiting inside the keys() iterator ends it early.
    const keys: string[] = [];
    for await (const k of await kv.keys()) keys.push(k);
    const owners = new Set<string>();
    for (const k of keys) {
      const e = await kv.get(k);
      if (e?.operation === 'PUT') owners.add(JSON.parse(e.string()).owner.pod.name);
    }
    expect([...owners]).toEqual(expect.arrayContaining(['silent-monitor', 'no-monitor']));
    monitor = standInMonitor(f.nc);
  });

  it('skips every trap of a container when the state directory is full, and goes on once there is room', async () => {
    const full = mkdtempSync(join(tmpdir(), 'full-state-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k,nr_inodes=16', 'tmpfs', full]);
    const cramped = await startInjectorFixture({ stateDir: full, spares: 0 });
    try {
      const fillers = join(full, 'fill');
      mkdirSync(fillers);
      for (let i = 0; ; i++) {
        try {
          writeFileSync(join(fillers, String(i)), '');
        } catch {
          break;
        }
      }
      await cramped.runtime.runPodSandbox(podSpec('crowded'));
      const outcome = await cramped.runtime.createContainer('pod-crowded', { id: 'e'.repeat(64), name: 'app', mounts: runtimeMounts() });
      expect(outcome.outcome).toBe('created');
      expect(outcome.outcome === 'created' && outcome.adjustments.flatMap((a) => a.mounts)).toEqual([]);
      expect(await cramped.metric('beesting_injector_traps_skipped_total', { reason: 'store-failed' })).toBe(2);
      rmSync(fillers, { recursive: true });
      const after = await cramped.runtime.createContainer('pod-crowded', { id: 'f'.repeat(64), name: 'app', mounts: runtimeMounts() });
      expect(after.outcome === 'created' && after.adjustments.flatMap((a) => a.mounts)).toHaveLength(2);
      await cramped.runtime.removeContainer('f'.repeat(64));
    } finally {
      await cramped.dispose();
      execFileSync('umount', [full]);
      rmSync(full, { recursive: true, force: true });
    }
  });

  it('never answered with an error: the runtime logged no failure', () => {
    expect(f.runtime.log.filter((l) => /failed|error/i.test(l))).toEqual([]);
  });
});
