import type { Socket } from 'node:net';
import { create, toBinary } from '@bufbuild/protobuf';
import type { DescMessage, MessageInitShape } from '@bufbuild/protobuf';
import * as api from '../gen/nri/pkg/api/v1alpha1/api_pb.js';
import type { Container, PodSandbox } from '../gen/nri/pkg/api/v1alpha1/api_pb.js';
import { NriConnection } from '../nri-connection.js';
import type { NriLogger } from '../nri-logger.js';
import { PLUGIN_SERVICE, RUNTIME_SERVICE } from '../nri-schemas.js';
import { decodeProto } from '../ttrpc/envelope.js';
import { eventMask, LEGACY_VALID_EVENTS, runtimeKnowsNewEvents } from './events.js';
import type { HandlerContext, NriHandlers } from './handlers.js';

const DEFAULT_REQUEST_TIMEOUT_MS = 2000;
/** Room left between the handler deadline and the runtime's, for encoding and the socket. */
const DEADLINE_MARGIN_MS = 300;

type LifecycleHandler = 'runPodSandbox' | 'stopPodSandbox' | 'removePodSandbox' | 'postUpdatePodSandbox' | 'postCreateContainer' | 'startContainer' | 'postStartContainer' | 'postUpdateContainer' | 'removeContainer';

// The events older runtimes deliver through StateChange and newer ones through their own
// methods. Every such request carries pod as field 1 and container as field 2; every
// answer is empty.
const LIFECYCLE: Array<{ event: api.Event; handler: LifecycleHandler; method: string; request: DescMessage }> = [
  { event: api.Event.RUN_POD_SANDBOX, handler: 'runPodSandbox', method: 'RunPodSandbox', request: api.RunPodSandboxRequestSchema },
  { event: api.Event.STOP_POD_SANDBOX, handler: 'stopPodSandbox', method: 'StopPodSandbox', request: api.StopPodSandboxRequestSchema },
  { event: api.Event.REMOVE_POD_SANDBOX, handler: 'removePodSandbox', method: 'RemovePodSandbox', request: api.RemovePodSandboxRequestSchema },
  { event: api.Event.POST_UPDATE_POD_SANDBOX, handler: 'postUpdatePodSandbox', method: 'PostUpdatePodSandbox', request: api.PostUpdatePodSandboxRequestSchema },
  { event: api.Event.POST_CREATE_CONTAINER, handler: 'postCreateContainer', method: 'PostCreateContainer', request: api.PostCreateContainerRequestSchema },
  { event: api.Event.START_CONTAINER, handler: 'startContainer', method: 'StartContainer', request: api.StartContainerRequestSchema },
  { event: api.Event.POST_START_CONTAINER, handler: 'postStartContainer', method: 'PostStartContainer', request: api.PostStartContainerRequestSchema },
  { event: api.Event.POST_UPDATE_CONTAINER, handler: 'postUpdateContainer', method: 'PostUpdateContainer', request: api.PostUpdateContainerRequestSchema },
  { event: api.Event.REMOVE_CONTAINER, handler: 'removeContainer', method: 'RemoveContainer', request: api.RemoveContainerRequestSchema },
];

/** The events a set of handlers subscribes to. */
export function subscribedEvents(handlers: NriHandlers): api.Event[] {
  const events = LIFECYCLE.filter((l) => handlers[l.handler]).map((l) => l.event);
  if (handlers.createContainer) events.push(api.Event.CREATE_CONTAINER);
  if (handlers.updateContainer) events.push(api.Event.UPDATE_CONTAINER);
  if (handlers.stopContainer) events.push(api.Event.STOP_CONTAINER);
  return events.sort((a, b) => a - b);
}

export interface PluginSessionOptions {
  name: string;
  index: string;
  handlers: NriHandlers;
  /** Overrides the deadline derived from the runtime's request timeout. */
  handlerTimeoutMs?: number;
  registrationTimeoutMs: number;
  logger: NriLogger;
  onHandlerTimeout?: (method: string) => void;
}

/** One connection's worth of the plugin protocol: register, configure, synchronize, serve events. */
export class PluginSession {
  readonly connection: NriConnection;
  /** Resolves after the final Synchronize was answered. */
  readonly synchronized: Promise<void>;
  private markSynchronized!: () => void;
  private requestTimeoutMs = DEFAULT_REQUEST_TIMEOUT_MS;
  private syncPods: PodSandbox[] = [];
  private syncContainers: Container[] = [];

  constructor(
    socket: Socket,
    private readonly options: PluginSessionOptions,
  ) {
    this.connection = new NriConnection(socket, {
      role: 'plugin',
      onProtocolError: (err) => options.logger.warn({ code: err.code, err: err.message }, 'NRI protocol error'),
    });
    this.synchronized = new Promise((resolve, reject) => {
      this.markSynchronized = resolve;
      void this.connection.closed.then((err) => reject(err ?? new Error('connection closed before synchronization')));
    });
    this.synchronized.catch(() => {});
    this.serve();
  }

  async register(): Promise<void> {
    const request = toBinary(api.RegisterPluginRequestSchema, create(api.RegisterPluginRequestSchema, { pluginName: this.options.name, pluginIdx: this.options.index }));
    await this.connection.client.call(RUNTIME_SERVICE, 'RegisterPlugin', request, { timeoutMs: this.options.registrationTimeoutMs });
  }

  private serve(): void {
    const { handlers } = this.options;
    const on = <Req extends DescMessage, Res extends DescMessage>(
      method: string,
      request: Req,
      response: Res,
      run: (req: ReturnType<typeof decodeProto<Req>>, ctx: HandlerContext) => Promise<MessageInitShape<Res> | void | undefined>,
    ) => {
      this.connection.server.register(PLUGIN_SERVICE, method, async (r) => {
        const decoded = decodeProto(request, r.payload);
        const answer = await this.withDeadline(method, (ctx) => run(decoded, ctx));
        return toBinary(response, create(response, answer ?? undefined));
      });
    };

    on('Configure', api.ConfigureRequestSchema, api.ConfigureResponseSchema, async (req) => {
      this.requestTimeoutMs = Number(req.requestTimeout) || DEFAULT_REQUEST_TIMEOUT_MS;
      let mask = eventMask(subscribedEvents(handlers));
      if (!runtimeKnowsNewEvents(req.NRIVersion) && mask & ~LEGACY_VALID_EVENTS) {
        this.options.logger.warn({ runtime: `${req.runtimeName} ${req.runtimeVersion}` }, 'runtime predates NRI v0.10: not subscribing to newer events');
        mask &= LEGACY_VALID_EVENTS;
      }
      await handlers.configure?.(req);
      this.options.logger.info({ runtime: req.runtimeName, version: req.runtimeVersion, nri: req.NRIVersion, events: mask }, 'configured by runtime');
      return { events: mask };
    });

    on('Synchronize', api.SynchronizeRequestSchema, api.SynchronizeResponseSchema, async (req, ctx) => {
      this.syncPods.push(...req.pods);
      this.syncContainers.push(...req.containers);
      // A chunk of a split synchronization: say "more" and wait for the rest.
      if (req.more) return { more: true };
      const [pods, containers] = [this.syncPods, this.syncContainers];
      this.syncPods = [];
      this.syncContainers = [];
      const update = (await handlers.synchronize?.(pods, containers, ctx)) ?? [];
      setImmediate(() => this.markSynchronized());
      return { update };
    });

    on('Shutdown', api.EmptySchema, api.EmptySchema, async () => {
      await handlers.shutdown?.();
    });

    if (handlers.createContainer) {
      const handle = handlers.createContainer;
      on('CreateContainer', api.CreateContainerRequestSchema, api.CreateContainerResponseSchema, (req, ctx) => Promise.resolve(handle(req.pod ?? create(api.PodSandboxSchema), req.container ?? create(api.ContainerSchema), ctx)));
    }
    if (handlers.updateContainer) {
      const handle = handlers.updateContainer;
      on('UpdateContainer', api.UpdateContainerRequestSchema, api.UpdateContainerResponseSchema, (req, ctx) =>
        Promise.resolve(handle(req.pod ?? create(api.PodSandboxSchema), req.container ?? create(api.ContainerSchema), req.linuxResources, ctx)),
      );
    }
    if (handlers.stopContainer) {
      const handle = handlers.stopContainer;
      on('StopContainer', api.StopContainerRequestSchema, api.StopContainerResponseSchema, (req, ctx) => Promise.resolve(handle(req.pod ?? create(api.PodSandboxSchema), req.container ?? create(api.ContainerSchema), ctx)));
    }

    for (const l of LIFECYCLE) {
      if (!handlers[l.handler]) continue; // not served: UNIMPLEMENTED, and a v0.12 runtime falls back to StateChange
      on(l.method, l.request, api.EmptySchema, async (req, ctx) => this.lifecycle(l.handler, req as { pod?: PodSandbox; container?: Container }, ctx));
    }
    on('StateChange', api.StateChangeEventSchema, api.EmptySchema, async (req, ctx) => {
      const l = LIFECYCLE.find((x) => x.event === req.event);
      if (l) await this.lifecycle(l.handler, req, ctx);
    });
  }

  private async lifecycle(name: LifecycleHandler, req: { pod?: PodSandbox; container?: Container }, ctx: HandlerContext): Promise<void> {
    const pod = req.pod ?? create(api.PodSandboxSchema);
    const handler = this.options.handlers[name];
    if (!handler) return;
    if (name.endsWith('PodSandbox')) await (handler as (p: PodSandbox, c: HandlerContext) => unknown)(pod, ctx);
    else await (handler as (p: PodSandbox, c: Container, x: HandlerContext) => unknown)(pod, req.container ?? create(api.ContainerSchema), ctx);
  }

  /** Runs a handler against its deadline; past it, answers empty so the runtime does not drop the plugin. */
  private async withDeadline<T>(method: string, run: (ctx: HandlerContext) => Promise<T>): Promise<T | undefined> {
    const budget = this.options.handlerTimeoutMs ?? Math.max(50, this.requestTimeoutMs - DEADLINE_MARGIN_MS);
    const controller = new AbortController();
    const ctx = { signal: controller.signal, deadline: Date.now() + budget };
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => {
        controller.abort();
        this.options.logger.warn({ method, budgetMs: budget }, 'handler missed its deadline; answered empty');
        this.options.onHandlerTimeout?.(method);
        resolve(undefined);
      }, budget);
    });
    const work = run(ctx);
    work.catch(() => {});
    try {
      return await Promise.race([work, late]);
    } finally {
      clearTimeout(timer);
    }
  }
}
