import type { MessageInitShape } from '@bufbuild/protobuf';
import type {
  ConfigureRequest,
  Container,
  ContainerUpdateSchema,
  CreateContainerResponseSchema,
  LinuxResources,
  PodSandbox,
  StopContainerResponseSchema,
  UpdateContainerResponseSchema,
} from '../gen/nri/pkg/api/v1alpha1/api_pb.js';

export interface HandlerContext {
  /** Aborted when the handler's deadline passed and an empty answer went out instead. */
  signal: AbortSignal;
  /** Epoch milliseconds by which the answer must be sent. */
  deadline: number;
}

type Maybe<T> = T | void | undefined | Promise<T | void | undefined>;
type PodHandler = (pod: PodSandbox, ctx: HandlerContext) => Maybe<void>;
type ContainerHandler = (pod: PodSandbox, container: Container, ctx: HandlerContext) => Maybe<void>;

/**
 * What a plugin does on each runtime event. The events a plugin subscribes to are the
 * handlers it defines; each is called the same way whether the runtime uses the old
 * StateChange method or the per-event methods of NRI >= v0.12.
 */
export interface NriHandlers {
  configure?: (request: ConfigureRequest) => Maybe<void>;
  /** The pods and containers that exist when the plugin connects, all chunks joined. */
  synchronize?: (pods: PodSandbox[], containers: Container[], ctx: HandlerContext) => Maybe<Array<MessageInitShape<typeof ContainerUpdateSchema>>>;
  shutdown?: () => Maybe<void>;
  runPodSandbox?: PodHandler;
  stopPodSandbox?: PodHandler;
  removePodSandbox?: PodHandler;
  postUpdatePodSandbox?: PodHandler;
  createContainer?: (pod: PodSandbox, container: Container, ctx: HandlerContext) => Maybe<MessageInitShape<typeof CreateContainerResponseSchema>>;
  postCreateContainer?: ContainerHandler;
  startContainer?: ContainerHandler;
  postStartContainer?: ContainerHandler;
  updateContainer?: (
    pod: PodSandbox,
    container: Container,
    resources: LinuxResources | undefined,
    ctx: HandlerContext,
  ) => Maybe<MessageInitShape<typeof UpdateContainerResponseSchema>>;
  postUpdateContainer?: ContainerHandler;
  stopContainer?: (pod: PodSandbox, container: Container, ctx: HandlerContext) => Maybe<MessageInitShape<typeof StopContainerResponseSchema>>;
  removeContainer?: ContainerHandler;
}
