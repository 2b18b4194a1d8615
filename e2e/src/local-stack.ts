import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TRAPS_BUCKET } from '@beesting/bus';
import { decodeMessage, TrapRegistrationSchema } from '@beesting/events';
import type { TrapRegistration } from '@beesting/events';
import { ContainerSandbox, NriRuntimeSimulator } from '@beesting/nri';
import type { ContainerRun, PodSandbox } from '@beesting/nri';
import { freeLoopbackPort, startNatsServer, startWebhookReceiver } from '@beesting/testing';
import type { NatsServer, WebhookDelivery } from '@beesting/testing';
import { readMountPoints } from '@beesting/traps';
import { connect } from 'nats';
import type { NatsConnection } from 'nats';
import { AppProcess } from './app-process.js';

export interface LocalStackOptions {
  node?: string;
  cluster?: string;
  /** A policy file's text; unset: the built-in policy (the EKS token everywhere but kube-system). */
  policyYaml?: string;
  logLevel?: string;
  webhookSecret?: string;
  /** Extra environment per app. */
  env?: Partial<Record<'injector' | 'monitor' | 'alert-router', Record<string, string>>>;
}

export interface CreatedContainer {
  id: string;
  outcome: 'created' | 'failed';
  destinations: string[];
  tookMs: number;
}

/**
 * Everything of one Beesting node on this machine, as separate processes: nats-server,
 * the alert-router, the monitor and the injector (the built apps, configured as design.md
 * §7 says), a webhook receiver that checks signatures, and the NRI runtime simulator whose
 * containers run in real mount namespaces with the injector's mounts applied.
 */
export class LocalStack {
  private seq = 0;

  private constructor(
    readonly workDir: string,
    readonly stateDir: string,
    readonly node: string,
    readonly nats: NatsServer,
    readonly nc: NatsConnection,
    readonly webhook: Awaited<ReturnType<typeof startWebhookReceiver>>,
    readonly runtime: NriRuntimeSimulator,
    readonly sandbox: ContainerSandbox,
    readonly router: AppProcess,
    readonly monitor: AppProcess,
    readonly injector: AppProcess,
    private readonly bpffs: string,
  ) {}

  static async start(options: LocalStackOptions = {}): Promise<LocalStack> {
    const workDir = mkdtempSync(join(tmpdir(), 'beesting-stack-'));
    const stateDir = join(workDir, 'state');
    const bpffs = join(workDir, 'bpffs');
    mkdirSync(stateDir);
    mkdirSync(bpffs);
    // A bpffs of the stack's own, so the monitor's pins (detection across its restarts) go with it.
    execFileSync('mount', ['-t', 'bpf', 'bpf', bpffs]);
    const node = options.node ?? 'node-e2e';
    const secret = options.webhookSecret ?? randomBytes(16).toString('hex');
    const nats = await startNatsServer();
    const webhook = await startWebhookReceiver(secret);
    const runtime = await NriRuntimeSimulator.start({ socketPath: join(workDir, 'nri.sock') });
    const sandbox = new ContainerSandbox({ cgroupParent: `beesting-stack-${process.pid}-${randomBytes(3).toString('hex')}` });
    const common = { BEESTING_NATS_URL: nats.url, BEESTING_LOG_LEVEL: options.logLevel ?? 'info', BEESTING_NODE_NAME: node, BEESTING_CLUSTER_NAME: options.cluster ?? 'e2e-cluster' };
    const policy = options.policyYaml ? join(workDir, 'policy.yaml') : undefined;
    if (policy) writeFileSync(policy, options.policyYaml ?? '');
    const app = async (name: 'injector' | 'monitor' | 'alert-router', env: Record<string, string>) =>
      new AppProcess(name, await freeLoopbackPort(), { ...common, ...env, ...options.env?.[name] }, join(workDir, `${name}.log`));
    const router = await app('alert-router', { BEESTING_WEBHOOK_URL: webhook.url, BEESTING_WEBHOOK_SECRET: secret, BEESTING_GRPC_ADDR: `127.0.0.1:${await freeLoopbackPort()}` });
    const monitor = await app('monitor', { BEESTING_STATE_DIR: stateDir, BEESTING_BPF_PIN_DIR: join(bpffs, 'beesting') });
    const injector = await app('injector', { BEESTING_STATE_DIR: stateDir, BEESTING_NRI_SOCKET: runtime.socketPath, ...(policy ? { BEESTING_POLICY: policy } : {}) });
    const nc = await connect({ servers: nats.url, maxReconnectAttempts: -1, reconnectTimeWait: 100 });
    const stack = new LocalStack(workDir, stateDir, node, nats, nc, webhook, runtime, sandbox, router, monitor, injector, bpffs);

    // The router provisions the streams and buckets; the monitor then follows the inventory.
    router.start();
    await router.ready();
    monitor.start();
    await monitor.ready();
    injector.start();
    await stack.injectorReady();
    return stack;
  }

  async injectorReady(): Promise<void> {
    await this.injector.ready();
    await this.runtime.waitForPlugins(1, 10_000);
  }

  async pod(name: string, namespace = 'default', labels: Record<string, string> = { app: name }, annotations: Record<string, string> = {}): Promise<PodSandbox> {
    const id = `pod-${namespace}-${name}`;
    return this.runtime.pods.get(id) ?? this.runtime.runPodSandbox({ id, name, namespace, uid: `${randomBytes(4).toString('hex')}-0000-4000-8000-${randomBytes(6).toString('hex')}`, labels, annotations });
  }

  async createContainer(pod: PodSandbox, name = 'app'): Promise<CreatedContainer> {
    const id = randomBytes(32).toString('hex');
    this.seq++;
    const started = performance.now();
    const result = await this.runtime.createContainer(pod.id, { id, name, mounts: [] });
    const tookMs = performance.now() - started;
    if (result.outcome === 'failed') return { id, outcome: 'failed', destinations: [], tookMs };
    await this.runtime.startContainer(id);
    return { id, outcome: 'created', destinations: result.container.mounts.map((m) => m.destination), tookMs };
  }

  /** Runs a command inside a container: its mount namespace, its root, its cgroup. */
  run(containerId: string, command: string[]): Promise<ContainerRun> {
    const container = this.runtime.containers.get(containerId);
    if (!container) throw new Error(`no container ${containerId}`);
    return this.sandbox.run(container, command);
  }

  async removeContainer(containerId: string): Promise<void> {
    await this.runtime.stopContainer(containerId);
    await this.runtime.removeContainer(containerId);
    this.sandbox.removeContainer(containerId);
  }

  /** The inventory entries of a container's traps. */
  async registrations(containerId: string): Promise<TrapRegistration[]> {
    const kv = await this.nc.jetstream().views.kv(TRAPS_BUCKET);
    const keys: string[] = [];
    for await (const k of await kv.keys()) keys.push(k);
    const out: TrapRegistration[] = [];
    for (const k of keys) {
      const entry = await kv.get(k);
      if (entry?.operation !== 'PUT') continue;
      const r = decodeMessage(TrapRegistrationSchema, entry.value);
      if (r.owner?.container?.id === containerId) out.push(r);
    }
    return out;
  }

  /** Signed alerts the webhook accepted, optionally only those about one container's traps. */
  alerts(containerId?: string): WebhookDelivery[] {
    return this.webhook.accepted().filter((d) => !containerId || (d.body['event'] as { owner?: { container?: { id?: string } } })?.owner?.container?.id === containerId);
  }

  async waitForAlert(predicate: (d: WebhookDelivery) => boolean, timeoutMs = 10_000): Promise<WebhookDelivery> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.webhook.accepted().find(predicate);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no matching alert within ${timeoutMs} ms (${this.webhook.accepted().length} alerts so far)`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /** Mounts under the state directory other than the injector's ready spares, and decoy directories. */
  decoyMounts(): string[] {
    return [...readMountPoints(join(this.stateDir, 'decoys'))].filter((p) => existsSync(join(p, '.owner.json')));
  }

  /** Stops everything it started and removes every container, mount, cgroup and file it made. */
  async stop(): Promise<{ leftoverMounts: string[] }> {
    for (const id of [...this.runtime.containers.keys()]) {
      if (this.injector.running) await this.removeContainer(id).catch(() => {});
    }
    const leftoverMounts = this.decoyMounts();
    await this.injector.stop();
    await this.monitor.stop();
    await this.router.stop();
    await this.runtime.stop();
    this.sandbox.dispose();
    await this.nc.close();
    await this.webhook.close();
    await this.nats.dispose();
    // Safety net: nothing stays mounted, whatever happened above.
    for (const point of [...readMountPoints(this.stateDir), ...readMountPoints(this.bpffs)].sort().reverse()) {
      try {
        execFileSync('umount', [point]);
      } catch {
        execFileSync('umount', ['--lazy', point]);
      }
    }
    if (!process.env['BEESTING_KEEP_STACK']) rmSync(this.workDir, { recursive: true, force: true });
    return { leftoverMounts };
  }
}
