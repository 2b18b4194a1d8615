import { rmSync } from 'node:fs';
import { createServer } from 'node:net';
import type { Server } from 'node:net';
import { clone, create } from '@bufbuild/protobuf';
import type { DescMessage, MessageInitShape } from '@bufbuild/protobuf';
import * as api from '../gen/nri/pkg/api/v1alpha1/api_pb.js';
import type { Container, ContainerAdjustment, PodSandbox } from '../gen/nri/pkg/api/v1alpha1/api_pb.js';
import { GrpcCode, NriError, NriErrorCode } from '../nri-error.js';
import { applyAdjustment } from './apply-adjustment.js';
import { RuntimePlugin } from './runtime-plugin.js';
import type { RuntimeSettings } from './runtime-plugin.js';

export interface RuntimeSimulatorOptions extends Partial<RuntimeSettings> {
  socketPath: string;
}

export type CreateContainerOutcome =
  | { outcome: 'created'; container: Container; adjustments: ContainerAdjustment[] }
  | { outcome: 'failed'; error: string };

const CONTAINERD_1_7_15: RuntimeSettings = {
  runtimeName: 'containerd',
  runtimeVersion: 'v1.7.15',
  nriVersion: '',
  registrationTimeoutMs: 5000,
  requestTimeoutMs: 2000,
  configureBeforeRegisterReply: false,
  maxSyncMessageBytes: 4 << 20,
  config: '',
};

// Which per-event method stands for which StateChange event, for runtimes with NRI >= v0.12.
const DEDICATED: Partial<Record<api.Event, { method: string; request: DescMessage }>> = {
  [api.Event.RUN_POD_SANDBOX]: { method: 'RunPodSandbox', request: api.RunPodSandboxRequestSchema },
  [api.Event.STOP_POD_SANDBOX]: { method: 'StopPodSandbox', request: api.StopPodSandboxRequestSchema },
  [api.Event.REMOVE_POD_SANDBOX]: { method: 'RemovePodSandbox', request: api.RemovePodSandboxRequestSchema },
  [api.Event.POST_CREATE_CONTAINER]: { method: 'PostCreateContainer', request: api.PostCreateContainerRequestSchema },
  [api.Event.START_CONTAINER]: { method: 'StartContainer', request: api.StartContainerRequestSchema },
  [api.Event.POST_START_CONTAINER]: { method: 'PostStartContainer', request: api.PostStartContainerRequestSchema },
  [api.Event.POST_UPDATE_CONTAINER]: { method: 'PostUpdateContainer', request: api.PostUpdateContainerRequestSchema },
  [api.Event.REMOVE_CONTAINER]: { method: 'RemoveContainer', request: api.RemoveContainerRequestSchema },
};

/**
 * The runtime side of NRI on a real unix socket, for testing plugins where no containerd
 * runs: it accepts plugins, registers, configures and synchronizes them with its pods and
 * containers, and drives the pod and container lifecycle through them in either event
 * style, reacting as containerd 1.7.15 did in the recorded traces (a plugin that times
 * out is closed and the container is created without it; an error status fails the
 * container, which is then stopped and removed).
 */
export class NriRuntimeSimulator {
  readonly log: string[] = [];
  readonly pods = new Map<string, PodSandbox>();
  readonly containers = new Map<string, Container>();
  private readonly plugins: RuntimePlugin[] = [];
  private readonly waiters = new Set<() => void>();
  private server: Server | undefined;
  private readonly settings: RuntimeSettings;

  private constructor(private readonly options: RuntimeSimulatorOptions) {
    this.settings = { ...CONTAINERD_1_7_15, ...options };
  }

  static async start(options: RuntimeSimulatorOptions): Promise<NriRuntimeSimulator> {
    const simulator = new NriRuntimeSimulator(options);
    await simulator.listen();
    return simulator;
  }

  get socketPath(): string {
    return this.options.socketPath;
  }

  /** Plugins that are registered, configured and synchronized, in index order. */
  get activePlugins(): Array<{ name: string; index: string; events: number; stateChangeOnly: boolean }> {
    return this.plugins.map((p) => ({ name: p.name, index: p.index, events: p.events, stateChangeOnly: p.stateChangeOnly }));
  }

  async waitForPlugins(count: number, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.plugins.length < count) {
      const left = deadline - Date.now();
      if (left <= 0) throw new NriError(NriErrorCode.Timeout, `${this.plugins.length} of ${count} plugins synchronized after ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.add(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  async runPodSandbox(init: MessageInitShape<typeof api.PodSandboxSchema>): Promise<PodSandbox> {
    const pod = create(api.PodSandboxSchema, init);
    this.pods.set(pod.id, pod);
    await this.event(api.Event.RUN_POD_SANDBOX, pod);
    return pod;
  }

  async createContainer(podId: string, init: MessageInitShape<typeof api.ContainerSchema>): Promise<CreateContainerOutcome> {
    const pod = this.pod(podId);
    let container = create(api.ContainerSchema, { ...init, podSandboxId: podId, state: api.ContainerState.CONTAINER_UNKNOWN });
    const adjustments: ContainerAdjustment[] = [];
    for (const plugin of this.subscribers(api.Event.CREATE_CONTAINER)) {
      const result = await plugin.call('CreateContainer', api.CreateContainerRequestSchema, { pod, container }, api.CreateContainerResponseSchema);
      if (!result.ok) {
        if (result.fatal) continue; // fail open: created without that plugin's changes
        const error = `failed to get NRI adjustment for container: rpc error: code = ${grpcName(result.error.grpcCode)} desc = ${result.error.message.replace(/^.*?CreateContainer: /, '')}`;
        this.log.push(`CreateContainer ${container.name} failed: ${error}`);
        await this.undoCreate(pod, container);
        return { outcome: 'failed', error };
      }
      if (result.value.adjust) adjustments.push(result.value.adjust);
      container = applyAdjustment(container, result.value.adjust);
    }
    container.state = api.ContainerState.CONTAINER_CREATED;
    this.containers.set(container.id, container);
    await this.event(api.Event.POST_CREATE_CONTAINER, pod, container);
    return { outcome: 'created', container: clone(api.ContainerSchema, container), adjustments };
  }

  async startContainer(id: string): Promise<void> {
    const container = this.container(id);
    await this.event(api.Event.START_CONTAINER, this.pod(container.podSandboxId), container);
    container.state = api.ContainerState.CONTAINER_RUNNING;
    await this.event(api.Event.POST_START_CONTAINER, this.pod(container.podSandboxId), container);
  }

  async updateContainer(id: string, linuxResources: MessageInitShape<typeof api.LinuxResourcesSchema>): Promise<void> {
    const container = this.container(id);
    const pod = this.pod(container.podSandboxId);
    for (const plugin of this.subscribers(api.Event.UPDATE_CONTAINER)) {
      await plugin.call('UpdateContainer', api.UpdateContainerRequestSchema, { pod, container, linuxResources }, api.UpdateContainerResponseSchema);
    }
    await this.event(api.Event.POST_UPDATE_CONTAINER, pod, container);
  }

  async stopContainer(id: string): Promise<void> {
    const container = this.container(id);
    await this.stopCall(this.pod(container.podSandboxId), container);
    container.state = api.ContainerState.CONTAINER_STOPPED;
  }

  async removeContainer(id: string): Promise<void> {
    const container = this.container(id);
    await this.event(api.Event.REMOVE_CONTAINER, this.pod(container.podSandboxId), container);
    this.containers.delete(id);
  }

  async stopPodSandbox(id: string): Promise<void> {
    await this.event(api.Event.STOP_POD_SANDBOX, this.pod(id));
  }

  async removePodSandbox(id: string): Promise<void> {
    await this.event(api.Event.REMOVE_POD_SANDBOX, this.pod(id));
    this.pods.delete(id);
  }

  /** Adds a pod or container without telling plugins: state that exists before a plugin connects. */
  seed(pods: Array<MessageInitShape<typeof api.PodSandboxSchema>>, containers: Array<MessageInitShape<typeof api.ContainerSchema>>): void {
    for (const p of pods) {
      const pod = create(api.PodSandboxSchema, p);
      this.pods.set(pod.id, pod);
    }
    for (const c of containers) {
      const container = create(api.ContainerSchema, c);
      this.containers.set(container.id, container);
    }
  }

  /** Closes every plugin connection, as a runtime restart does; plugins must reconnect. */
  disconnectPlugins(): void {
    for (const plugin of this.plugins.splice(0)) plugin.connection.close();
  }

  async stop(): Promise<void> {
    this.disconnectPlugins();
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(this.options.socketPath, { force: true });
  }

  /** Stops and listens again on the same path, with the same pods and containers. */
  async restart(): Promise<void> {
    await this.stop();
    await this.listen();
  }

  private listen(): Promise<void> {
    rmSync(this.options.socketPath, { force: true });
    const server = createServer((socket) => this.accept(socket));
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.socketPath, () => resolve());
    });
  }

  private accept(socket: import('node:net').Socket): void {
    const plugin = new RuntimePlugin(socket, this.settings, () => ({ pods: [...this.pods.values()], containers: [...this.containers.values()] }), (line) => this.log.push(line));
    void plugin.connection.closed.then(() => {
      const at = this.plugins.indexOf(plugin);
      if (at >= 0) this.plugins.splice(at, 1);
      this.log.push(`connection to plugin "${plugin.id}" closed`);
    });
    plugin.ready.then(
      () => {
        if (!plugin.connection.isOpen) return;
        this.plugins.push(plugin);
        this.plugins.sort((a, b) => a.index.localeCompare(b.index));
        for (const wake of this.waiters) wake();
        this.waiters.clear();
      },
      () => {},
    );
  }

  private subscribers(event: api.Event): RuntimePlugin[] {
    return this.plugins.filter((p) => p.subscribed(event) && p.connection.isOpen);
  }

  /** A StateChange-type event: its own method first on new runtimes, StateChange after UNIMPLEMENTED. */
  private async event(event: api.Event, pod: PodSandbox, container?: Container): Promise<void> {
    for (const plugin of this.subscribers(event)) {
      const dedicated = DEDICATED[event];
      if (dedicated && !plugin.stateChangeOnly) {
        const result = await plugin.call(dedicated.method, dedicated.request, { pod, ...(container ? { container } : {}) } as never, api.EmptySchema);
        if (result.ok || result.fatal) continue;
        if (result.error.grpcCode !== GrpcCode.UNIMPLEMENTED) {
          this.log.push(`plugin ${plugin.id} failed ${dedicated.method}: ${result.error.message}`);
          continue;
        }
        this.log.push(`plugin ${plugin.id} does not implement ${dedicated.method}; using StateChange from now on`);
        plugin.stateChangeOnly = true;
      }
      await plugin.call('StateChange', api.StateChangeEventSchema, { event, pod, ...(container ? { container } : {}) }, api.EmptySchema);
    }
  }

  private async stopCall(pod: PodSandbox, container: Container): Promise<void> {
    for (const plugin of this.subscribers(api.Event.STOP_CONTAINER)) {
      await plugin.call('StopContainer', api.StopContainerRequestSchema, { pod, container }, api.StopContainerResponseSchema);
    }
  }

  /** containerd undoes a failed create: StopContainer and RemoveContainer for the container that never was. */
  private async undoCreate(pod: PodSandbox, container: Container): Promise<void> {
    await this.stopCall(pod, container);
    await this.event(api.Event.REMOVE_CONTAINER, pod, container);
  }

  private pod(id: string): PodSandbox {
    const pod = this.pods.get(id);
    if (!pod) throw new Error(`no pod ${id}`);
    return pod;
  }

  private container(id: string): Container {
    const container = this.containers.get(id);
    if (!container) throw new Error(`no container ${id}`);
    return container;
  }
}

const GRPC_NAMES: Record<number, string> = { 1: 'Canceled', 2: 'Unknown', 3: 'InvalidArgument', 4: 'DeadlineExceeded', 8: 'ResourceExhausted', 12: 'Unimplemented', 13: 'Internal', 14: 'Unavailable' };
const grpcName = (code: number | undefined) => GRPC_NAMES[code ?? 2] ?? String(code);
