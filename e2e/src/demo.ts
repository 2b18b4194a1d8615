// npm run demo: one Beesting node on this machine, a pod, an attacker, the alert.
import { existsSync, statSync } from 'node:fs';
import { alertBody } from './alert-body.js';
import { LocalStack } from './local-stack.js';

const TOKEN = '/var/run/secrets/eks.amazonaws.com/serviceaccount/token';
const NRI_SOCKET = '/var/run/nri/nri.sock';
const say = (line = '') => process.stdout.write(`${line}\n`);


say('== Beesting demo: a decoy credential planted through NRI, an attacker in the pod, the alert ==\n');
if (existsSync(NRI_SOCKET) && statSync(NRI_SOCKET).isSocket()) say(`(a runtime's NRI socket is at ${NRI_SOCKET}; the demo leaves real workloads alone and uses its own runtime simulator)`);
const stack = await LocalStack.start({ logLevel: 'warn', cluster: 'demo-cluster', node: 'ip-10-0-12-34.eu-west-1.compute.internal' });
let ok = false;
try {
  say(`nats-server (JetStream) on ${stack.nats.url}`);
  const monitor = (await stack.monitor.ready()) as { backend?: string };
  say(`monitor      ready: eBPF backend "${monitor.backend}" in the kernel, its canary seen`);
  say('alert-router ready: webhook sink (signed) and NATS alert subjects');
  say(`injector     registered with the NRI runtime (simulated: ${stack.runtime.socketPath})\n`);

  const pod = await stack.pod('payments-api-7d9c5b6f4-qx2lp', 'payments', { app: 'payments-api' });
  const c = await stack.createContainer(pod, 'api');
  if (c.outcome !== 'created') throw new Error('the container was not created');
  say(`kubelet creates pod payments/payments-api-7d9c5b6f4-qx2lp, container "api": CreateContainer answered in ${c.tookMs.toFixed(1)} ms`);
  say(`  the injector planted an EKS web-identity token, armed it, and mounted it read-only at ${c.destinations.join(', ')}\n`);

  say('attacker, in a shell inside the container, looks around and takes the token:');
  const script = `ls -la ${TOKEN.replace(/\/token$/, '')} | tail -n +2; grep serviceaccount /proc/self/mountinfo; python3 -c 'import time; print(open("${TOKEN}").read()[:60] + "..."); time.sleep(1)'`;
  const look = await stack.run(c.id, ['sh', '-c', script]);
  for (const line of look.stdout.trim().split('\n')) say(`  $ ${line}`);
  say('  (looks like what kubelet puts there: a tmpfs, the ..data layout, a JWT for this pod)\n');

  const delivery = await stack.waitForAlert((d) => alertBody(d).event.owner.container.id === c.id, 10_000);
  const alert = alertBody(delivery);
  const e = alert.event;
  const p = e.opener.process;
  const parent = e.opener.ancestors?.[0];
  say(`ALERT ${alert.severity.replace('SEVERITY_', '')} at the webhook ${delivery.request.at - Date.parse(e.observedAt)} ms after the kernel saw the read; signature ${delivery.signatureValid ? 'valid' : 'INVALID'}`);
  say(`  decoy     ${e.trap.name} at ${e.trap.path} (sha256 ${e.trap.contentSha256Prefix}…)`);
  say(`  pod       ${e.owner.pod.namespace}/${e.owner.pod.name}, container ${e.owner.container.name}, node ${e.owner.node}, cluster ${alert.cluster}`);
  say(`  opener    ${p.exe || p.comm} (pid ${p.tgid}, uid ${p.uid ?? 0}): ${(p.argv ?? []).join(' ')}`);
  say(`  parent    ${parent ? `${parent.exe || parent.comm} (pid ${parent.pid}): ${(parent.argv ?? []).join(' ')}` : 'gone before it could be read'}`);
  say(`  where     ${e.opener.classification.replace('OPENER_CLASSIFICATION_', '').toLowerCase().replace('_', ' ')} (container ${e.opener.containerId.slice(0, 12)})`);
  say(`  detected  by ${e.backend.replace('DETECTION_BACKEND_', '').toLowerCase()}; Beesting-Delivery ${delivery.deliveryId}\n`);
  ok = delivery.signatureValid && alert.severity === 'SEVERITY_CRITICAL' && e.opener.classification === 'OPENER_CLASSIFICATION_OWN_CONTAINER';

  await stack.removeContainer(c.id);
  say(`the pod goes away: its decoy, its tmpfs and its inventory entry are removed (${stack.decoyMounts().length} decoy mounts left)`);
} finally {
  const { leftoverMounts } = await stack.stop();
  say(`stopped the injector, the monitor, the alert-router and nats-server; ${leftoverMounts.length} mounts left behind`);
}
process.exitCode = ok ? 0 : 1;
