import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertBody, LocalStack } from '../src/index.js';

const TOKEN = '/var/run/secrets/eks.amazonaws.com/serviceaccount/token';
const body = alertBody;

let stack: LocalStack;
beforeAll(async () => {
  stack = await LocalStack.start();
}, 120_000);
afterAll(async () => {
  const { leftoverMounts } = await stack.stop();
  expect(leftoverMounts).toEqual([]);
});

describe('end to end: decoy planted through NRI, read in a container, alert at the webhook', () => {
  it('alerts within 1 s of a read inside the container, naming the pod, the container, the process and its parent', async () => {
    const pod = await stack.pod('payments-api-7d9c5b6f4-qx2lp', 'payments');
    const c = await stack.createContainer(pod, 'api');
    expect(c.outcome).toBe('created');
    expect(c.destinations).toEqual(['/var/run/secrets/eks.amazonaws.com/serviceaccount']);
    const readAt = Date.now();
    // A reader that outlives the kernel event by a moment, as an attacker's tool does: its
    // exe, argv and parent are still in /proc when the monitor looks (a `cat` that exits at
    // once may leave only the kernel's comm and pid).
    const run = await stack.run(c.id, ['sh', '-c', `python3 -c 'import time; open("${TOKEN}").read(); time.sleep(0.5)' && echo read`]);
    expect(run.stdout.trim(), run.stderr).toBe('read');
    const delivery = await stack.waitForAlert((d) => body(d).event.owner.container.id === c.id, 5000);
    expect(delivery.request.at - readAt).toBeLessThan(1000);
    expect(delivery.signatureValid).toBe(true);
    const alert = body(delivery);
    expect(alert.severity).toBe('SEVERITY_CRITICAL');
    expect(alert.event.owner).toMatchObject({ pod: { name: 'payments-api-7d9c5b6f4-qx2lp', namespace: 'payments' }, container: { id: c.id, name: 'api' }, node: 'node-e2e' });
    expect(alert.event.trap).toMatchObject({ name: 'eks-token', path: TOKEN });
    expect(alert.event.opener.classification).toBe('OPENER_CLASSIFICATION_OWN_CONTAINER');
    expect(alert.event.opener.containerId).toBe(c.id);
    expect(alert.event.opener.process.comm).toBe('python3');
    expect(alert.event.opener.process.exe).toMatch(/python3/);
    expect(alert.event.opener.process.argv?.slice(0, 2)).toEqual(['python3', '-c']);
    // The parent is the container's shell that ran it.
    expect(alert.event.opener.ancestors?.[0]?.comm).toMatch(/^(sh|dash|bash)$/);
  });

  it('was armed before the CreateContainer answer left: a read right after the answer is reported', async () => {
    const pod = await stack.pod('eager-1', 'default');
    const c = await stack.createContainer(pod);
    const run = await stack.run(c.id, ['cat', TOKEN]);
    expect(run.code).toBe(0);
    await stack.waitForAlert((d) => body(d).event.owner.container.id === c.id, 5000);
    const injectorMetrics = await stack.injector.metrics();
    expect(injectorMetrics).toMatch(/beesting_injector_arm_misses_total\{reason="timeout"[^}]*\} 0/);
    expect(injectorMetrics).toMatch(/beesting_injector_arm_misses_total\{reason="no-monitor"[^}]*\} 0/);
  });

  it('alerts for a read through a symlink made inside the container', async () => {
    const pod = await stack.pod('linker', 'default');
    const c = await stack.createContainer(pod);
    const run = await stack.run(c.id, ['sh', '-c', `ln -s ${TOKEN} /tmp/innocent && head -c 10 /tmp/innocent >/dev/null && echo ok`]);
    expect(run.stdout.trim(), run.stderr).toBe('ok');
    const alert = body(await stack.waitForAlert((d) => body(d).event.owner.container.id === c.id, 5000));
    expect(alert.event.opener.process.comm).toBe('head');
  });

  it('alerts, classified host, when a host process reads the host-side file', async () => {
    const pod = await stack.pod('victim', 'default');
    const c = await stack.createContainer(pod);
    const [registration] = await stack.registrations(c.id);
    expect(registration?.hostPath).toBeTruthy();
    readFileSync(registration?.hostPath ?? '');
    const alert = body(await stack.waitForAlert((d) => body(d).event.owner.container.id === c.id, 5000));
    expect(alert.event.opener.classification).toBe('OPENER_CLASSIFICATION_HOST');
    expect(alert.event.opener.process.tgid).toBe(process.pid);
  });

  it('leaves nothing behind when the container is removed: no decoy, no tmpfs, no inventory entry', async () => {
    const pod = await stack.pod('short-lived', 'default');
    const c = await stack.createContainer(pod);
    const [registration] = await stack.registrations(c.id);
    expect(existsSync(registration?.hostPath ?? '')).toBe(true);
    const before = stack.decoyMounts().length;
    await stack.removeContainer(c.id);
    expect(existsSync(registration?.hostPath ?? '')).toBe(false);
    expect(stack.decoyMounts()).toHaveLength(before - 1);
    expect(await stack.registrations(c.id)).toEqual([]);
  });
});
