import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { armSubject, serveRequests } from '@beesting/bus';
import { createLogger, createMetricsRegistry } from '@beesting/config';
import { ArmReplySchema, create, DetectionBackend, TrapRegistrationSchema } from '@beesting/events';
import type { TrapRegistration } from '@beesting/events';
import { ContainerSandbox, NriRuntimeSimulator } from '@beesting/nri';
import { startNatsServer } from '@beesting/testing';
import type { NatsServer } from '@beesting/testing';
import { parsePolicy, readMountPoints } from '@beesting/traps';
import { connect } from 'nats';
import type { NatsConnection, Subscription } from 'nats';
import { startInjector } from '../src/index.js';
import type { InjectorConfig, RunningInjector } from '../src/index.js';

export const NODE = 'node-a';

/** The monitor's side of the arm request, as a test stand-in that records what it got and when. */
export interface ArmStandIn {
  requests: Array<{ registration: TrapRegistration; ackedAt: number }>;
  mode: 'ack' | 'silent';
  delayMs: number;
  stop(): void;
}

export function standInMonitor(nc: NatsConnection): ArmStandIn {
  const standIn: ArmStandIn = { requests: [], mode: 'ack', delayMs: 0, stop: () => sub.unsubscribe() };
  const sub: Subscription = serveRequests(nc, armSubject(NODE), { request: TrapRegistrationSchema, reply: ArmReplySchema }, async (registration) => {
    if (standIn.mode === 'silent') await new Promise(() => {});
    if (standIn.delayMs) await new Promise((r) => setTimeout(r, standIn.delayMs));
    standIn.requests.push({ registration, ackedAt: performance.now() });
    return create(ArmReplySchema, { trapId: registration.trap?.id ?? '', armed: true, backend: DetectionBackend.TRACEPOINT, node: NODE });
  });
  return standIn;
}

export interface InjectorFixture {
  nats: NatsServer;
  nc: NatsConnection;
  runtime: NriRuntimeSimulator;
  sandbox: ContainerSandbox;
  injector: RunningInjector;
  config: InjectorConfig;
  stateDir: string;
  restartInjector(): Promise<void>;
  metric(name: string, labels?: Record<string, string>): Promise<number>;
  dispose(): Promise<void>;
}

export const TEST_POLICY = parsePolicy(`
traps:
  - name: eks-token
    kind: eks-token
    path: /var/run/secrets/eks.amazonaws.com/serviceaccount/token
    selector: { namespaces: { exclude: [kube-system] } }
  - name: aws
    kind: aws-credentials
    path: /root/.aws/credentials
    selector: { namespaces: { include: [shop] } }
`);

export async function startInjectorFixture(options: { stateDir?: string; spares?: number; armTimeoutMs?: number } = {}): Promise<InjectorFixture> {
  const dir = mkdtempSync(join(tmpdir(), 'injector-'));
  const stateDir = options.stateDir ?? join(dir, 'state');
  const nats = await startNatsServer();
  const nc = await connect({ servers: nats.url });
  const runtime = await NriRuntimeSimulator.start({ socketPath: join(dir, 'nri.sock') });
  const config: InjectorConfig = {
    natsUrl: nats.url,
    httpAddr: { host: '127.0.0.1', port: 0 },
    logLevel: 'error',
    nodeName: NODE,
    stateDir,
    nriSocket: runtime.socketPath,
    policyFile: undefined,
    armTimeoutMs: options.armTimeoutMs ?? 250,
    clusterName: 'shop-prod',
    decoySpares: options.spares ?? 2,
  };
  const launch = async () => {
    const injector = await startInjector(config, { logger: createLogger({ app: 'injector', level: process.env['BEESTING_TEST_LOG'] ?? 'error' }), registry: createMetricsRegistry({ app: 'injector' }), policy: TEST_POLICY });
    await injector.plugin.waitSynchronized(10_000);
    await runtime.waitForPlugins(1, 10_000);
    return injector;
  };
  const fixture: InjectorFixture = {
    nats,
    nc,
    runtime,
    sandbox: new ContainerSandbox({ cgroupParent: `beesting-injector-spec-${process.pid}` }),
    injector: await launch(),
    config,
    stateDir,
    async restartInjector() {
      await fixture.injector.stop();
      fixture.injector = await launch();
    },
    async metric(name, labels = {}) {
      const text = await (await fetch(`http://127.0.0.1:${fixture.injector.httpPort}/metrics`)).text();
      const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
      let sum = 0;
      for (const line of text.split('\n')) {
        if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
        if (want.every((w) => line.includes(w))) sum += Number(line.split(' ').pop());
      }
      return sum;
    },
    async dispose() {
      await fixture.injector.stop();
      for (const c of fixture.injector.store.containers()) await fixture.injector.store.remove(c.containerId);
      await runtime.stop();
      fixture.sandbox.dispose();
      await nc.close();
      await nats.stop();
      if ([...readMountPoints(stateDir)].some((p) => p !== stateDir)) throw new Error(`mounts left under ${stateDir}`);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return fixture;
}

/** The mounts every Kubernetes container gets from the runtime and kubelet. */
export function runtimeMounts(withServiceAccount = true) {
  return [
    { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] },
    { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
    { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'ro'] },
    { destination: '/etc/hosts', type: 'bind', source: '/var/lib/kubelet/pods/uid/etc-hosts', options: ['rbind', 'rprivate', 'rw'] },
    ...(withServiceAccount
      ? [{ destination: '/var/run/secrets/kubernetes.io/serviceaccount', type: 'bind', source: '/var/lib/kubelet/pods/uid/volumes/kubernetes.io~projected/kube-api-access', options: ['rbind', 'rprivate', 'ro'] }]
      : []),
  ];
}

export const podSpec = (name: string, namespace = 'shop', extra: { labels?: Record<string, string>; annotations?: Record<string, string> } = {}) => ({
  id: `pod-${name}`,
  name,
  namespace,
  uid: `uid-${name}`,
  labels: extra.labels ?? { app: name },
  annotations: extra.annotations ?? {},
});
