import type { Socket } from 'node:net';
import { create, toBinary } from '@bufbuild/protobuf';
import type { DescMessage, MessageInitShape, MessageShape } from '@bufbuild/protobuf';
import * as api from '../gen/nri/pkg/api/v1alpha1/api_pb.js';
import { NriConnection } from '../nri-connection.js';
import { GrpcCode, NriError, NriErrorCode, StatusError } from '../nri-error.js';
import { PLUGIN_SERVICE, RUNTIME_SERVICE } from '../nri-schemas.js';
import { decodeProto } from '../ttrpc/envelope.js';
import { ALL_VALID_EVENTS, eventBit, LEGACY_VALID_EVENTS, runtimeKnowsNewEvents, runtimeUsesDedicatedEvents } from '../plugin/events.js';

export interface RuntimeSettings {
  runtimeName: string;
  runtimeVersion: string;
  /** '' for runtimes before NRI v0.12.0, which do not send it (containerd 1.7.15 speaks v0.6.0). */
  nriVersion: string;
  registrationTimeoutMs: number;
  requestTimeoutMs: number;
  configureBeforeRegisterReply: boolean;
  maxSyncMessageBytes: number;
  config: string;
}

export type CallResult<T> = { ok: true; value: T } | { ok: false; fatal: boolean; error: NriError };

/**
 * The runtime's side of one plugin connection, behaving as containerd's NRI adaptation
 * does: registration within a timeout, Configure (possibly before the RegisterPlugin
 * answer), Synchronize (split when too large), then calls with the request timeout. A
 * timeout or a lost connection closes the plugin; an error status is returned to the caller.
 */
export class RuntimePlugin {
  name = '';
  index = '';
  events = 0;
  /** After an UNIMPLEMENTED answer to a per-event method, events go through StateChange. */
  stateChangeOnly: boolean;
  readonly connection: NriConnection;
  readonly ready: Promise<void>;

  constructor(
    socket: Socket,
    private readonly settings: RuntimeSettings,
    private readonly snapshot: () => { pods: api.PodSandbox[]; containers: api.Container[] },
    private readonly log: (line: string) => void,
  ) {
    this.stateChangeOnly = !runtimeUsesDedicatedEvents(settings.nriVersion);
    this.connection = new NriConnection(socket, { role: 'runtime' });
    let registered!: () => void;
    const registration = new Promise<void>((resolve) => (registered = resolve));
    const timer = setTimeout(() => {
      this.log('plugin registration timed out');
      this.connection.close(new NriError(NriErrorCode.Timeout, 'plugin registration timed out'));
    }, settings.registrationTimeoutMs);
    void this.connection.closed.then(() => clearTimeout(timer));

    this.connection.server.register(RUNTIME_SERVICE, 'RegisterPlugin', async (r) => {
      const req = decodeProto(api.RegisterPluginRequestSchema, r.payload);
      if (!/^[0-9]{2}$/.test(req.pluginIdx)) throw new StatusError(GrpcCode.UNKNOWN, `invalid plugin index "${req.pluginIdx}", must be 2 digits`);
      if (!req.pluginName) throw new StatusError(GrpcCode.UNKNOWN, 'invalid (empty) plugin name');
      this.name = req.pluginName;
      this.index = req.pluginIdx;
      clearTimeout(timer);
      this.log(`plugin "${this.id}" registered`);
      if (settings.configureBeforeRegisterReply) registered();
      else setImmediate(registered);
      return new Uint8Array(0);
    });
    this.connection.server.register(RUNTIME_SERVICE, 'UpdateContainers', async () => toBinary(api.UpdateContainersResponseSchema, create(api.UpdateContainersResponseSchema)));

    this.ready = registration.then(() => this.handshake());
    this.ready.catch(() => {});
  }

  get id(): string {
    return `${this.index}-${this.name}`;
  }

  subscribed(event: api.Event): boolean {
    return (this.events & eventBit(event)) !== 0;
  }

  async call<Req extends DescMessage, Res extends DescMessage>(method: string, request: Req, init: MessageInitShape<Req>, response: Res): Promise<CallResult<MessageShape<Res>>> {
    try {
      const payload = await this.connection.client.call(PLUGIN_SERVICE, method, toBinary(request, create(request, init)), { timeoutMs: this.settings.requestTimeoutMs });
      return { ok: true, value: decodeProto(response, payload) };
    } catch (err) {
      const error = err instanceof NriError ? err : new NriError(NriErrorCode.Protocol, (err as Error).message);
      const fatal = error.code === NriErrorCode.Timeout || error.code === NriErrorCode.Closed || error.code === NriErrorCode.Protocol;
      if (fatal) {
        const why = error.code === NriErrorCode.Timeout ? 'context deadline exceeded' : 'ttrpc: closed';
        this.log(`closing plugin ${this.id}, failed to handle ${method} request: ${why}`);
        this.connection.close(error);
      }
      return { ok: false, fatal, error };
    }
  }

  private async handshake(): Promise<void> {
    const s = this.settings;
    const knowsTimeouts = runtimeKnowsNewEvents(s.nriVersion) || /^v?0\.(7|8|9)\./.test(s.nriVersion);
    const configured = await this.call(
      'Configure',
      api.ConfigureRequestSchema,
      {
        config: s.config,
        runtimeName: s.runtimeName,
        runtimeVersion: s.runtimeVersion,
        ...(knowsTimeouts ? { registrationTimeout: BigInt(s.registrationTimeoutMs), requestTimeout: BigInt(s.requestTimeoutMs) } : {}),
        NRIVersion: s.nriVersion,
      },
      api.ConfigureResponseSchema,
    );
    if (!configured.ok) throw this.fail(`failed to configure plugin: ${configured.error.message}`);
    const valid = runtimeKnowsNewEvents(s.nriVersion) ? ALL_VALID_EVENTS : LEGACY_VALID_EVENTS;
    const events = configured.value.events;
    if (events & ~valid) throw this.fail(`invalid plugin events: 0x${events.toString(16)}`);
    this.events = events === 0 ? valid : events;
    await this.synchronize();
    this.log(`plugin "${this.id}" connected and synchronized`);
  }

  private async synchronize(): Promise<void> {
    const { pods, containers } = this.snapshot();
    const chunks = splitForSync(pods, containers, this.settings.maxSyncMessageBytes);
    if (chunks.length > 1) this.log(`synchronizing plugin ${this.id} in ${chunks.length} chunks`);
    for (const [i, chunk] of chunks.entries()) {
      const more = i < chunks.length - 1;
      const result = await this.call('Synchronize', api.SynchronizeRequestSchema, { ...chunk, more }, api.SynchronizeResponseSchema);
      if (!result.ok) throw this.fail(`failed to synchronize plugin: ${result.error.message}`);
      if (more && (!result.value.more || result.value.update.length > 0)) throw this.fail('plugin does not handle split sync requests');
    }
  }

  private fail(line: string): NriError {
    this.log(line);
    const error = new NriError(NriErrorCode.Protocol, line);
    this.connection.close(error);
    return error;
  }
}

/** One message if it fits, else chunks that each fit, as NRI >= v0.7.0 splits. */
function splitForSync(pods: api.PodSandbox[], containers: api.Container[], maxBytes: number) {
  // An embedded message costs its bytes, a one-byte tag and its length as a varint; "more" costs 2.
  const cost = (bytes: number) => bytes + 1 + Math.max(1, Math.ceil(Math.log2(bytes + 1) / 7));
  const items = [
    ...pods.map((pod) => ({ pod, bytes: cost(toBinary(api.PodSandboxSchema, pod).length) })),
    ...containers.map((container) => ({ container, bytes: cost(toBinary(api.ContainerSchema, container).length) })),
  ];
  const chunks: Array<{ pods: api.PodSandbox[]; containers: api.Container[] }> = [];
  let current = { pods: [] as api.PodSandbox[], containers: [] as api.Container[] };
  let size = 2;
  for (const item of items) {
    if (size + item.bytes > maxBytes && (current.pods.length || current.containers.length)) {
      chunks.push(current);
      current = { pods: [], containers: [] };
      size = 2;
    }
    if ('pod' in item && item.pod) current.pods.push(item.pod);
    if ('container' in item && item.container) current.containers.push(item.container);
    size += item.bytes;
  }
  chunks.push(current);
  return chunks;
}
