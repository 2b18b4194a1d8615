import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BpfDetector } from '../src/bpf-detector.js';
import { devMinor, kernelDev } from '../src/kernel-dev.js';
import type { AccessRecord } from '../src/records.js';
import { MountNamespace } from './namespace-helper.js';
import { testBackend } from './test-backend.js';

// In the running kernel, as root: natively the tracepoint backend (the only one that
// loads here); in the qemu kernel matrix BEESTING_TEST_BACKEND=lsm or fentry.
// Each decoy is a copy of /bin/true, so it can be read and executed. (A #! script would
// be seen executed too, but as the interpreter's open of it: by the time the exec
// tracepoint fires, the kernel has swapped the script for its interpreter.)
const FILLER_TMPFS = 240; // anonymous device minors are handed out lowest first

let detector: BpfDetector;
let ns: MountNamespace;
const records: AccessRecord[] = [];
const dir = mkdtempSync(join(tmpdir(), 'beesting-bpf-'));

beforeAll(async () => {
  const loaded = BpfDetector.load({ backend: testBackend() });
  detector = loaded.detector;
  expect(detector.backend).toBe(process.env['BEESTING_TEST_BACKEND'] ?? 'tracepoint');
  detector.onRecords((batch) => records.push(...batch));
  ns = await MountNamespace.create();
});

afterAll(() => {
  detector?.close();
  ns?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

/** Runs `action`, then returns the records of `cookie` it caused. */
async function recordsOf(cookie: bigint, action: () => void): Promise<AccessRecord[]> {
  records.length = 0;
  action();
  await new Promise((r) => setTimeout(r, 30));
  detector.drain();
  return records.filter((r) => r.cookie === cookie);
}

interface Decoy {
  name: string;
  path: string;
  cookie: bigint;
  /** Runs a shell script where the decoy's file system is mounted. */
  sh: (script: string) => string;
}

const decoys: Decoy[] = [];

describe(`the ${process.env['BEESTING_TEST_BACKEND'] ?? 'tracepoint'} backend`, () => {
  beforeAll(() => {
    // On the host's ext4 root.
    const ext4 = join(dir, 'ext4-decoy');
    copyFileSync('/bin/true', ext4);
    chmodSync(ext4, 0o755);
    decoys.push({ name: 'ext4', path: ext4, cookie: 1001n, sh: (s) => execFileSync('sh', ['-c', s]).toString() });
    // On a tmpfs whose minor is above 255, in a namespace of its own.
    const fillers = join(dir, 'fillers');
    const tmpfs = join(dir, 'tmpfs');
    ns.sh(`mkdir -p ${tmpfs} && for i in $(seq ${FILLER_TMPFS}); do mkdir -p ${fillers}/$i && mount -t tmpfs f ${fillers}/$i; done && mount -t tmpfs decoys ${tmpfs} && cp /bin/true ${tmpfs}/decoy && chmod 755 ${tmpfs}/decoy`);
    decoys.push({ name: 'tmpfs', path: join(tmpfs, 'decoy'), cookie: 1002n, sh: (s) => ns.sh(s) });
  });

  it('keys decoys as the kernel does: ext4 254:0 and a tmpfs minor above 255', () => {
    const ext4 = BpfDetector.fileIdentity(decoys[0]!.path);
    expect(ext4.dev).toBe(kernelDev(BigInt(execFileSync('stat', ['-c', '%d', decoys[0]!.path]).toString().trim())));
    const [devHex, ino] = decoys[1]!.sh(`stat -c '%d %i' ${decoys[1]!.path}`).trim().split(' ');
    const stDev = BigInt(devHex!);
    expect(devMinor(stDev)).toBeGreaterThan(255n);
    // The raw st_dev and the kernel's encoding differ here: arming by st_dev would miss.
    expect(kernelDev(stDev)).not.toBe(stDev);
    for (const d of decoys) {
      const identity = d.name === 'ext4' ? ext4 : { dev: kernelDev(stDev), ino: BigInt(ino!) };
      detector.arm(identity, d.cookie);
    }
    expect(detector.armed()).toHaveLength(2);
  });

  const ways: Array<[string, (d: Decoy) => string, 'open' | 'exec']> = [
    ['opened by path', (d) => `cat ${d.path} > /dev/null`, 'open'],
    ['opened through a symlink', (d) => `ln -sf ${d.path} ${d.path}.link && cat ${d.path}.link > /dev/null`, 'open'],
    ['opened through a hardlink', (d) => `ln -f ${d.path} ${d.path}.hard && cat ${d.path}.hard > /dev/null`, 'open'],
    [
      'opened through a bind mount seen from another mount namespace',
      (d) => `unshare -m --propagation private sh -c 'touch /tmp/bst-bind-$$ && mount --bind ${d.path} /tmp/bst-bind-$$ && cat /tmp/bst-bind-$$ > /dev/null; umount /tmp/bst-bind-$$; rm -f /tmp/bst-bind-$$'`,
      'open',
    ],
    ['re-opened through /proc/self/fd from an O_PATH descriptor', (d) => `python3 -c "import os; fd = os.open('${d.path}', os.O_PATH); os.close(os.open(f'/proc/self/fd/{fd}', os.O_RDONLY))"`, 'open'],
    ['executed', (d) => d.path, 'exec'],
  ];

  for (const [how, script, kind] of ways) {
    it.each(['ext4', 'tmpfs'])(`detects a decoy on %s ${how}`, async (fs) => {
      const d = decoys.find((x) => x.name === fs)!;
      const found = await recordsOf(d.cookie, () => d.sh(script(d)));
      expect(found.length, `${fs}: ${how}`).toBeGreaterThanOrEqual(1);
      expect(found.some((r) => r.kind === kind)).toBe(true);
      expect(found.every((r) => r.backend === detector.backend && r.tgid > 0 && r.comm.length > 0)).toBe(true);
    });
  }

  it('reports the opener: pid, parent, uid, comm, namespaces, cgroup', async () => {
    const d = decoys[0]!;
    const [r] = await recordsOf(d.cookie, () => execFileSync('cat', [d.path]));
    expect(r).toMatchObject({ comm: 'cat', uid: 0, gid: 0, ppid: process.pid, kind: 'open', dev: BpfDetector.fileIdentity(d.path).dev });
    expect(r!.mountNs).toBeGreaterThan(0);
    expect(r!.cgroupId).toBeGreaterThan(0n);
  });

  it.each(['ext4', 'tmpfs'])('reports nothing for an O_PATH open or a stat of the decoy on %s', async (fs) => {
    const d = decoys.find((x) => x.name === fs)!;
    const found = await recordsOf(d.cookie, () => d.sh(`python3 -c "import os; os.close(os.open('${d.path}', os.O_PATH))" && stat ${d.path} > /dev/null && ls -l ${d.path} > /dev/null`));
    expect(found).toEqual([]);
  });

  it('reports nothing for an unrelated file', async () => {
    const other = join(dir, 'unrelated');
    writeFileSync(other, 'nothing to see');
    records.length = 0;
    execFileSync('cat', [other]);
    await new Promise((r) => setTimeout(r, 30));
    detector.drain();
    expect(records).toEqual([]);
  });

  it("reports nothing for the agent's own reads, identified by its tgid, and counts them", async () => {
    const d = decoys[0]!;
    const before = detector.counters().excluded;
    detector.exclude(process.pid);
    const found = await recordsOf(d.cookie, () => readFileSync(d.path));
    expect(found).toEqual([]);
    expect(detector.counters().excluded).toBe(before + 1n);
    // A child of the agent is not the agent: its reads are reported.
    expect(await recordsOf(d.cookie, () => execFileSync('cat', [d.path]))).toHaveLength(1);
  });

  it('forgets a disarmed decoy', async () => {
    const d = decoys[0]!;
    expect(detector.disarm(BpfDetector.fileIdentity(d.path))).toBe(true);
    expect(await recordsOf(d.cookie, () => execFileSync('cat', [d.path]))).toEqual([]);
  });
});
