import { GrpcCode, NriError, NriErrorCode, StatusError } from '../nri-error.js';
import { decodeRequest, encodeResponse } from './envelope.js';
import type { TtrpcRequest } from './envelope.js';

export type UnaryHandler = (request: TtrpcRequest) => Promise<Uint8Array>;

/**
 * The serving half of a logical ttRPC connection: dispatches requests to handlers and
 * answers each on its stream id, in whatever order handlers finish. Answers mirror the
 * Go server: UNIMPLEMENTED "service X" / "method X" for what is not served, UNKNOWN
 * with the message for a failing handler, no status at all on success.
 */
export class TtrpcServer {
  private readonly services = new Map<string, Map<string, UnaryHandler>>();
  private lastStreamId = 0;

  constructor(private readonly send: (streamId: number, response: Uint8Array) => void) {}

  register(service: string, method: string, handler: UnaryHandler): void {
    let methods = this.services.get(service);
    if (!methods) this.services.set(service, (methods = new Map()));
    methods.set(method, handler);
  }

  handle(streamId: number, data: Uint8Array): void {
    const refuse = (code: number, message: string) => this.send(streamId, encodeResponse({ status: { code, message } }));
    if (streamId % 2 === 0) return refuse(GrpcCode.INVALID_ARGUMENT, 'StreamID must be odd for client initiated streams');
    if (streamId <= this.lastStreamId) return refuse(GrpcCode.INVALID_ARGUMENT, 'StreamID cannot be re-used and must increment');
    this.lastStreamId = streamId;
    let request: TtrpcRequest;
    try {
      request = decodeRequest(data);
    } catch (err) {
      return refuse(GrpcCode.INVALID_ARGUMENT, `unmarshal request error: ${(err as Error).message}`);
    }
    const methods = this.services.get(request.service);
    if (!methods) return refuse(GrpcCode.UNIMPLEMENTED, `service ${request.service}`);
    const handler = methods.get(request.method);
    if (!handler) return refuse(GrpcCode.UNIMPLEMENTED, `method ${request.method}`);
    handler(request).then(
      (payload) => {
        try {
          this.send(streamId, encodeResponse({ payload }));
        } catch (err) {
          refuse(GrpcCode.RESOURCE_EXHAUSTED, (err as Error).message);
        }
      },
      (err: unknown) => refuse(...statusOf(err)),
    );
  }

  /** A request over ttRPC's size limit was dropped unread: answer as the Go receiver does. */
  refuseOversized(streamId: number, length: number): void {
    this.send(streamId, encodeResponse({ status: { code: GrpcCode.RESOURCE_EXHAUSTED, message: `message length ${length} exceeds maximum message size` } }));
  }
}

function statusOf(err: unknown): [number, string] {
  if (err instanceof StatusError) return [err.grpcCode, err.message];
  if (err instanceof NriError && err.code === NriErrorCode.BadProtobuf) return [GrpcCode.INVALID_ARGUMENT, err.message];
  return [GrpcCode.UNKNOWN, err instanceof Error ? err.message : String(err)];
}
