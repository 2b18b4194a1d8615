import { GrpcCode, NriError, NriErrorCode } from '../nri-error.js';
import { decodeResponse, encodeRequest } from './envelope.js';

interface Pending {
  method: string;
  resolve: (payload: Uint8Array) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

/**
 * The calling half of a logical ttRPC connection: odd stream ids 1, 3, 5, ... never
 * reused, a local deadline per call that is also sent as timeout_nano, and every
 * pending call failed when the connection goes.
 */
export class TtrpcClient {
  private nextStreamId = 1;
  private readonly pending = new Map<number, Pending>();
  private closedWith: Error | undefined;

  constructor(private readonly send: (streamId: number, request: Uint8Array) => void) {}

  get inFlight(): number {
    return this.pending.size;
  }

  call(service: string, method: string, payload: Uint8Array, options: { timeoutMs: number }): Promise<Uint8Array> {
    if (this.closedWith) return Promise.reject(this.closedWith);
    const streamId = this.nextStreamId;
    this.nextStreamId += 2;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(streamId);
        reject(new NriError(NriErrorCode.Timeout, `${method} got no answer within ${options.timeoutMs} ms`, GrpcCode.DEADLINE_EXCEEDED));
      }, options.timeoutMs);
      this.pending.set(streamId, { method, resolve, reject, timer });
      try {
        this.send(streamId, encodeRequest({ service, method, payload, timeoutNano: BigInt(options.timeoutMs) * 1_000_000n }));
      } catch (err) {
        this.fail(streamId, err as Error);
      }
    });
  }

  /** Returns false for a response to no pending call (late, or never asked for). */
  handle(streamId: number, data: Uint8Array): boolean {
    const call = this.pending.get(streamId);
    if (!call) return false;
    this.pending.delete(streamId);
    clearTimeout(call.timer);
    try {
      const response = decodeResponse(data);
      if (response.status && response.status.code !== GrpcCode.OK) {
        call.reject(new NriError(NriErrorCode.Status, `${call.method}: ${response.status.message}`, response.status.code));
      } else {
        call.resolve(response.payload);
      }
    } catch (err) {
      call.reject(err as Error);
    }
    return true;
  }

  fail(streamId: number, error: Error): void {
    const call = this.pending.get(streamId);
    if (!call) return;
    this.pending.delete(streamId);
    clearTimeout(call.timer);
    call.reject(error);
  }

  close(error: Error): void {
    this.closedWith = error;
    for (const [streamId] of this.pending) this.fail(streamId, error);
  }
}
