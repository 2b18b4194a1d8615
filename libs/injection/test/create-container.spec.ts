import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadSharedConfigFiles } from '@smithy/shared-ini-file-loader';
import { create, decodeMessage, toJsonString, TrapRegistrationSchema } from '@beesting/events';
import { ContainerSchema } from '@beesting/nri';
import type { Container, ContainerAdjustment } from '@beesting/nri';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NODE, podSpec, runtimeMounts, standInMonitor, startInjectorFixture } from './injector-fixture.js';
import type { ArmStandIn, InjectorFixture } from './injector-fixture.js';

const EKS_DIR = '/var/run/secrets/eks.amazonaws.com/serviceaccount';
const EKS = `${EKS_DIR}/token`;
const AWS = '/root/.aws/credentials';

let f: InjectorFixture;
let monitor: ArmStandIn;
let seq = 0;

beforeAll(async () => {
  f = await startInjectorFixture();
  monitor = standInMonitor(f.nc);
});
afterAll(async () => {
  monitor.stop();
  await f?.dispose();
});

async function createIn(pod: ReturnType<typeof podSpec>, init: { name?: string; mounts?: ReturnType<typeof runtimeMounts> } = {}) {
  if (!f.runtime.pods.has(pod.id)) await f.runtime.runPodSandbox(pod);
  const id = `${(++seq).toString(16).padStart(4, '0')}${'c'.repeat(60)}`;
  const outcome = await f.runtime.createContainer(pod.id, { id, name: init.name ?? 'app', mounts: init.mounts ?? runtimeMounts() });
  if (outcome.outcome !== 'created') throw new Error(`container failed: ${outcome.error}`);
  return { id, ...outcome };
}

/** The container as the runtime would start it, with only the plugin's mounts (the host has no kubelet files). */
const withPluginMounts = (container: Container, adjustments: ContainerAdjustment[]) => create(ContainerSchema, { id: container.id, name: container.name, mounts: adjustments.flatMap((a) => a.mounts) });

describe('CreateContainer: a decoy the container can read, that looks like kubelet put it there', () => {
  it('mounts the EKS token and the AWS credentials file read-only, and they read as what they claim to be', async () => {
    const before = Date.now();
    const { id, container, adjustments } = await createIn(podSpec('web-6d4cf56db6-x2x7q'));
    expect(adjustments.flatMap((a) => a.mounts).map((m) => [m.destination, m.type, m.options])).toEqual([
      [EKS_DIR, 'bind', ['bind', 'ro', 'rprivate']],
      [AWS, 'bind', ['bind', 'ro', 'rprivate']],
    ]);
    const script = [
      `cat ${EKS}`,
      'echo "<<>>"',
      `cat ${AWS}`,
      'echo "<<>>"',
      'cat /proc/self/mountinfo',
      'echo "<<>>"',
      `stat -L -c '%u %g %a %Y %s' ${EKS} ${AWS}`,
      'echo "<<>>"',
      `ls -a ${EKS_DIR}; readlink ${EKS_DIR}/..data; readlink ${EKS}`,
      'echo "<<>>"',
      `echo x > ${EKS} 2>&1 || echo refused; echo x > ${AWS} 2>&1 || echo refused`,
    ].join('; ');
    const run = await f.sandbox.run(withPluginMounts(container, adjustments), ['sh', '-c', script]);
    expect(run.code, run.stderr).toBe(0);
    const [token = '', credentials = '', mountinfo = '', stats = '', listing = '', writes = ''] = run.stdout.split('<<>>\n');

    // The content is what it claims to be, for this pod, and traceable to its trap.
    const claims = decodeJwt(token);
    expect(decodeProtectedHeader(token)).toMatchObject({ alg: 'RS256' });
    expect(claims).toMatchObject({ aud: ['sts.amazonaws.com'], 'kubernetes.io': { namespace: 'shop', pod: { name: 'web-6d4cf56db6-x2x7q', uid: 'uid-web-6d4cf56db6-x2x7q' } } });
    const credentialsFile = join(f.stateDir, '..', 'credentials-read-back');
    writeFileSync(credentialsFile, credentials);
    const ini = (await loadSharedConfigFiles({ filepath: credentialsFile, configFilepath: join(f.stateDir, '..', 'absent') })).credentialsFile;
    expect(Object.keys(ini).length).toBeGreaterThan(1);
    expect(ini['default']?.['aws_access_key_id']).toMatch(/^A[KS]IA[A-Z0-9]{16}$/);

    // mountinfo inside: tmpfs, a short root, no host path, no product name.
    // /var/run is a symlink to /run in the container's root, as in most images.
    const lines = mountinfo.split('\n').filter((l) => [EKS_DIR.replace('/var/run', '/run'), AWS].includes(l.split(' ')[4] ?? ''));
    expect(lines).toHaveLength(2);
    for (const line of lines) {
      const [, , , root = '', point = '', options = ''] = line.split(' ');
      expect(line.split(' - ')[1]).toMatch(/^tmpfs tmpfs rw,/);
      expect(options.split(',')).toContain('ro');
      expect(root.length, root).toBeLessThanOrEqual(20);
      expect(root).not.toContain(f.stateDir);
      expect(point).not.toMatch(/beesting|decoy|honey|trap/i);
      expect(line).not.toMatch(/beesting|decoy|honey|trap|\/var\/lib|\/tmp/i);
    }
    expect(mountinfo).not.toMatch(/beesting|decoy|honey/i);

    // Owner, mode and mtime: a fresh projected token; a credentials file that has been there a while.
    const [eksStat = '', awsStat = ''] = stats.trim().split('\n');
    const [uid, gid, mode, mtime] = eksStat.split(' ').map(Number);
    expect([uid, gid, mode]).toEqual([0, 0, 644]);
    expect(mtime! * 1000).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
    const awsFields = awsStat.split(' ').map(Number);
    expect(awsFields.slice(0, 3)).toEqual([0, 0, 644]);
    expect(Date.now() / 1000 - awsFields[3]!).toBeGreaterThan(29 * 86400);
    expect(listing.split('\n')).toEqual(expect.arrayContaining(['..data', 'token', 'token', expect.stringMatching(/^\.\.\d{4}_\d\d_\d\d_/), '..data/token']));
    expect(writes.trim().split('\n').filter((l) => l === 'refused')).toHaveLength(2);

    // The inventory names the trap and its owner, never the content.
    const kv = await f.nc.jetstream().views.kv('beesting_traps');
    const keys: string[] = [];
    for await (const k of await kv.keys(`${NODE}.*`)) keys.push(k);
    const mine = [];
    for (const k of keys) {
      const entry = await kv.get(k);
      const registration = entry ? decodeMessage(TrapRegistrationSchema, entry.value) : undefined;
      if (registration?.owner?.container?.id === id) mine.push(registration);
    }
    expect(mine.map((r) => [r.trap?.name, r.owner?.pod?.name, r.owner?.pod?.namespace, r.owner?.container?.name]).sort()).toEqual([
      ['aws', 'web-6d4cf56db6-x2x7q', 'shop', 'app'],
      ['eks-token', 'web-6d4cf56db6-x2x7q', 'shop', 'app'],
    ]);
    for (const r of mine) {
      const json = toJsonString(TrapRegistrationSchema, r);
      expect(json).not.toContain(token.slice(-20));
      expect(json).not.toContain(String(ini['default']?.['aws_secret_access_key']));
      expect(r.trap?.contentSha256Prefix).toMatch(/^[0-9a-f]{16}$/);
    }
    await f.runtime.removeContainer(id);
  });

  it('answers only after the monitor acknowledged the arm request', async () => {
    monitor.delayMs = 120;
    try {
      const pod = podSpec('orders-0');
      await f.runtime.runPodSandbox(pod);
      const started = performance.now();
      const outcome = await f.runtime.createContainer(pod.id, { id: 'order'.padEnd(64, '0'), name: 'app', mounts: runtimeMounts() });
      const replied = performance.now();
      expect(outcome.outcome).toBe('created');
      const acks = monitor.requests.filter((r) => r.registration.owner?.container?.id === 'order'.padEnd(64, '0'));
      expect(acks).toHaveLength(2);
      for (const ack of acks) {
        expect(ack.ackedAt).toBeGreaterThan(started + 100);
        expect(ack.ackedAt).toBeLessThan(replied);
      }
      expect(await f.metric('beesting_injector_arm_misses_total')).toBe(0);
      await f.runtime.removeContainer('order'.padEnd(64, '0'));
    } finally {
      monitor.delayMs = 0;
    }
  });

  it('removes the decoys, their tmpfs and their inventory entries with the container', async () => {
    const { id } = await createIn(podSpec('tidy'));
    const slot = f.injector.store.get(id)?.slot ?? '';
    expect(execFileSync('findmnt', ['-n', '-o', 'FSTYPE', slot], { encoding: 'utf8' }).trim()).toBe('tmpfs');
    await f.runtime.removeContainer(id);
    expect(f.injector.store.get(id)).toBeUndefined();
    expect(() => execFileSync('findmnt', ['-n', slot], { stdio: 'pipe' })).toThrow();
    const kv = await f.nc.jetstream().views.kv('beesting_traps');
    const left: string[] = [];
    for await (const k of await kv.keys(`${NODE}.*`)) left.push(k);
    for (const k of left) expect((await kv.get(k))?.operation === 'PUT' ? decodeMessage(TrapRegistrationSchema, (await kv.get(k))!.value).owner?.container?.id : '').not.toBe(id);
  });

  it('serves /healthz, /readyz and /metrics', async () => {
    const base = `http://127.0.0.1:${f.injector.httpPort}`;
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect(await (await fetch(`${base}/readyz`)).json()).toEqual({ status: 'ready' });
    const text = await (await fetch(`${base}/metrics`)).text();
    for (const name of ['beesting_injector_containers_seen_total', 'beesting_injector_traps_planted_total', 'beesting_injector_traps_skipped_total', 'beesting_injector_arm_misses_total', 'beesting_injector_handler_seconds_bucket', 'beesting_injector_active_traps'])
      expect(text).toContain(name);
    expect(await f.metric('beesting_injector_traps_planted_total', { kind: 'eks-token' })).toBeGreaterThanOrEqual(3);
  });
});

