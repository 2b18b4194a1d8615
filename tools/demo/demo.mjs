#!/usr/bin/env node
// npm run demo: the whole detection path on this machine, with the real parts.
// A decoy EKS token is planted for a pod (what the injector will do through NRI), the
// monitor arms it in the kernel, an "attacker" in a container-like process (own mount
// namespace with the decoy bind-mounted at the EKS token path, own containerd-style
// cgroup) reads it, and the alert-router delivers a signed alert to a local webhook.
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, rmdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { armSubject, beestingBusLayout, BusConnection, provision, requestMessage, trapKey } from '@beesting/bus';
import { ArmReplySchema, create, DecoyKind, encodeMessage, timestampNow, TrapRegistrationSchema } from '@beesting/events';
import { freeLoopbackPort, startNatsServer, startWebhookReceiver } from '@beesting/testing';

const NODE = 'demo-node';
const TOKEN_PATH = '/var/run/secrets/eks.amazonaws.com/serviceaccount/token';
const SECRET = 'demo-webhook-secret';
const say = (line = '') => console.log(line);
const work = mkdtempSync(join(tmpdir(), 'beesting-demo-'));
const containerId = createHash('sha256').update(`demo-${process.pid}`).digest('hex');
const cgroup = `/sys/fs/cgroup/unified/beesting-demo-${process.pid}/cri-containerd-${containerId}.scope`;
const children = [];
let server;
let webhook;
let bus;

function start(app, env) {
  const child = spawn(process.execPath, [`apps/${app}/dist/main.js`], { env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'ignore', 'ignore'] });
  children.push(child);
  return child;
}

async function ready(port, what) {
  for (let i = 0; i < 200; i++) {
    const body = await fetch(`http://127.0.0.1:${port}/readyz`).then((r) => (r.ok ? r.json() : undefined), () => undefined);
    if (body) return body;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${what} did not become ready`);
}

/** Runs a command without blocking the event loop (the webhook receiver lives in this process). */
function run(command, args) {
  return new Promise((resolve) => {
    const child = spawn(command, args);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.once('exit', (status) => resolve({ status, stdout, stderr }));
  });
}

function fakeEksToken() {
  const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const claims = { aud: ['sts.amazonaws.com'], exp: now + 86400, iat: now, iss: 'https://oidc.eks.us-west-2.amazonaws.com/id/5C3E9A0B1D2F4A6B8C7D9E0F1A2B3C4D', sub: 'system:serviceaccount:default:payments-api' };
  return `${b64({ alg: 'RS256', kid: randomBytes(20).toString('hex') })}.${b64(claims)}.${randomBytes(256).toString('base64url')}`;
}

try {
  say('== Beesting demo: a decoy credential, an attacker in a container, an alert ==\n');
  server = await startNatsServer();
  webhook = await startWebhookReceiver(SECRET);
  bus = BusConnection.start({ servers: server.url, name: 'beesting-demo' });
  const nc = await bus.ready(10_000);
  await provision(nc.jetstream(), await nc.jetstreamManager(), beestingBusLayout());
  say(`nats-server with JetStream on ${server.url}`);

  const [monitorHttp, routerHttp, routerGrpc] = [await freeLoopbackPort(), await freeLoopbackPort(), await freeLoopbackPort()];
  const common = { BEESTING_NATS_URL: server.url, BEESTING_NODE_NAME: NODE, BEESTING_LOG_LEVEL: 'warn' };
  start('monitor', { ...common, BEESTING_STATE_DIR: join(work, 'monitor'), BEESTING_HTTP_ADDR: `127.0.0.1:${monitorHttp}` });
  start('alert-router', { ...common, BEESTING_HTTP_ADDR: `127.0.0.1:${routerHttp}`, BEESTING_GRPC_ADDR: `127.0.0.1:${routerGrpc}`, BEESTING_WEBHOOK_URL: webhook.url, BEESTING_WEBHOOK_SECRET: SECRET, BEESTING_CLUSTER_NAME: 'demo-cluster' });
  const monitor = await ready(monitorHttp, 'the monitor');
  say(`monitor ready: eBPF backend "${monitor.backend}" loaded, its canary seen through the kernel`);
  await ready(routerHttp, 'the alert-router');
  say('alert-router ready: sinks webhook (signed) and NATS\n');

  // What the injector does on CreateContainer: plant, register, arm.
  const decoyDir = join(work, 'decoys', containerId.slice(0, 12));
  mkdirSync(decoyDir, { recursive: true });
  const decoy = join(decoyDir, 'token');
  const token = fakeEksToken();
  writeFileSync(decoy, token, { mode: 0o644 });
  const registration = create(TrapRegistrationSchema, {
    trap: { id: `trp-${containerId.slice(0, 12)}-eks`, name: 'eks-web-identity-token', kind: DecoyKind.EKS_WEB_IDENTITY_TOKEN, path: TOKEN_PATH, memo: 'Decoy planted by the Beesting demo', contentSha256Prefix: createHash('sha256').update(token).digest('hex').slice(0, 16) },
    owner: { pod: { name: 'payments-api-7d9c', namespace: 'default', uid: 'c0ffee00-0000-4000-8000-00000000demo', labels: { app: 'payments-api' } }, container: { id: containerId, name: 'app' }, node: NODE },
    hostPath: decoy,
    plantedAt: timestampNow(),
  });
  const kv = await nc.jetstream().views.kv('beesting_traps', { bindOnly: true });
  await kv.put(trapKey(NODE, registration.trap.id), encodeMessage(TrapRegistrationSchema, registration));
  const armed = await requestMessage(nc, armSubject(NODE), { schema: TrapRegistrationSchema, message: registration }, ArmReplySchema, { timeoutMs: 2000 });
  say(`planted a decoy EKS token for pod default/payments-api-7d9c, container "app": ${armed.armed ? 'armed' : 'NOT armed'} in the kernel`);

  // The attacker: a shell in the pod's container looks for credentials.
  mkdirSync(cgroup, { recursive: true });
  say(`attacker, inside the container: python3 -c 'print(open("${TOKEN_PATH}").read())'`);
  const attack = await run(
    'unshare',
    ['--mount', '--propagation', 'private', 'sh', '-c', `echo $$ > ${cgroup}/cgroup.procs && mount -t tmpfs tmpfs /run && mkdir -p $(dirname ${TOKEN_PATH}) && touch ${TOKEN_PATH} && mount --bind -o ro ${decoy} ${TOKEN_PATH} && python3 -c 'import time; print(open("${TOKEN_PATH}").read()[:40]); time.sleep(1)'`],
  );
  if (attack.status !== 0) throw new Error(`the attacker could not run: ${attack.stderr}`);
  say(`  ${attack.stdout.trim()}...  (a well-formed, useless JWT)\n`);

  for (let i = 0; i < 200 && webhook.accepted().length === 0; i++) await new Promise((r) => setTimeout(r, 25));
  const [delivery] = webhook.accepted();
  if (!delivery) throw new Error('no alert reached the webhook');
  const alert = delivery.body;
  const event = alert.event;
  const p = event.opener.process;
  const parent = event.opener.ancestors?.[0];
  const latency = delivery.request.at - Date.parse(event.observedAt);
  say(`ALERT ${alert.severity.replace('SEVERITY_', '')} at the webhook ${latency} ms after the kernel saw the read, signature ${delivery.signatureValid ? 'valid' : 'INVALID'}`);
  say(`  decoy     ${event.trap.name} at ${event.trap.path}`);
  say(`  pod       ${event.owner.pod.namespace}/${event.owner.pod.name}, container ${event.owner.container.name}, node ${event.owner.node}, cluster ${alert.cluster}`);
  say(`  opener    ${p.exe || p.comm} (pid ${p.tgid}, uid ${p.uid ?? 0}): ${(p.argv ?? []).join(' ')}`);
  say(`  parent    ${parent ? `${parent.exe} (pid ${parent.pid}): ${(parent.argv ?? []).join(' ')}` : 'gone before it could be read'}`);
  say(`  where     ${event.opener.classification.replace('OPENER_CLASSIFICATION_', '').toLowerCase().replace('_', ' ')} (container ${event.opener.containerId.slice(0, 12)})`);
  say(`  detected  by ${event.backend.replace('DETECTION_BACKEND_', '').toLowerCase()}, Beesting-Delivery ${delivery.deliveryId}`);
  process.exitCode = delivery.signatureValid && alert.severity === 'SEVERITY_CRITICAL' ? 0 : 1;
} finally {
  for (const c of children) c.kill('SIGTERM');
  await Promise.all(children.map((c) => new Promise((r) => (c.exitCode !== null || c.signalCode ? r() : c.once('exit', r)))));
  await bus?.close();
  await webhook?.close();
  await server?.dispose();
  for (const d of [cgroup, join(cgroup, '..')]) {
    try {
      rmdirSync(d);
    } catch {
      // already gone
    }
  }
  rmSync(work, { recursive: true, force: true });
  say('\nstopped the monitor, the alert-router and nats-server; removed the decoy, the cgroup and the demo files');
}
