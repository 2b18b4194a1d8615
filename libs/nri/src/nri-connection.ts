import type { Socket } from 'node:net';
import { NriError, NriErrorCode } from './nri-error.js';
import { TtrpcClient } from './ttrpc/ttrpc-client.js';
import { TtrpcServer } from './ttrpc/ttrpc-server.js';
import { encodeTtrpcMessage, MessageType, TtrpcMessageReader } from './ttrpc/ttrpc-message.js';
import { createMuxReader, cutMessageIntoFrames, MUX_MAX_PAYLOAD, PLUGIN_SERVICE_CONN, RUNTIME_SERVICE_CONN } from './wire/mux.js';

export type NriRole = 'plugin' | 'runtime';

export interface NriConnectionStats {
  framesIn: number;
  framesOut: number;
  /** Frames for a connection id nobody opened: dropped, as the Go mux does. */
  framesDiscarded: number;
  /** Messages that broke the protocol without killing the connection (bad type, stray response). */
  protocolErrors: number;
}

export interface NriConnectionOptions {
  role: NriRole;
  maxFramePayload?: number;
  onProtocolError?: (error: NriError) => void;
}

/**
 * One NRI socket: the multiplexer with its two logical ttRPC connections. The plugin
 * serves on connection 1 and calls on 2; the runtime the other way round. A fatal
 * fault (an absurd frame length, a stream that ends mid-frame, a socket error) closes
 * the whole socket, as the Go mux does; everything else is answered or counted.
 */
export class NriConnection {
  readonly server: TtrpcServer;
  readonly client: TtrpcClient;
  readonly stats: NriConnectionStats = { framesIn: 0, framesOut: 0, framesDiscarded: 0, protocolErrors: 0 };
  /** Resolves when the socket is gone, with the error that closed it, if any. */
  readonly closed: Promise<Error | undefined>;

  private readonly serverConn: number;
  private readonly clientConn: number;
  private readonly serverReader = new TtrpcMessageReader();
  private readonly clientReader = new TtrpcMessageReader();
  private isClosed = false;
  private resolveClosed!: (error: Error | undefined) => void;

  constructor(
    private readonly socket: Socket,
    private readonly options: NriConnectionOptions,
  ) {
    this.serverConn = options.role === 'plugin' ? PLUGIN_SERVICE_CONN : RUNTIME_SERVICE_CONN;
    this.clientConn = options.role === 'plugin' ? RUNTIME_SERVICE_CONN : PLUGIN_SERVICE_CONN;
    this.server = new TtrpcServer((streamId, response) => this.write(this.serverConn, streamId, MessageType.Response, response));
    this.client = new TtrpcClient((streamId, request) => this.write(this.clientConn, streamId, MessageType.Request, request));
    this.closed = new Promise((resolve) => (this.resolveClosed = resolve));

    const mux = createMuxReader(options.maxFramePayload ?? MUX_MAX_PAYLOAD);
    socket.on('data', (chunk: Buffer) => {
      if (this.isClosed) return;
      try {
        for (const frame of mux.push(chunk)) this.dispatch(frame.connId, frame.payload);
      } catch (err) {
        this.close(err as Error);
      }
    });
    socket.on('end', () => {
      try {
        mux.end();
        this.serverReader.end();
        this.clientReader.end();
        this.close();
      } catch (err) {
        this.close(err as Error);
      }
    });
    socket.on('error', (err) => this.close(err));
    socket.on('close', () => this.close());
  }

  get isOpen(): boolean {
    return !this.isClosed;
  }

  close(error?: Error): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.client.close(new NriError(NriErrorCode.Closed, error ? `connection closed: ${error.message}` : 'connection closed', undefined, { cause: error }));
    this.socket.destroy();
    this.resolveClosed(error);
  }

  private dispatch(connId: number, payload: Buffer): void {
    this.stats.framesIn += 1;
    if (connId === this.serverConn) {
      for (const m of this.serverReader.push(payload, (o) => o.type === MessageType.Request && this.server.refuseOversized(o.streamId, o.length))) {
        if (m.type === MessageType.Request) this.server.handle(m.streamId, m.data);
        else this.protocolError(`unexpected ttRPC message type ${m.type} on connection ${connId}`);
      }
    } else if (connId === this.clientConn) {
      const oversized = (o: { streamId: number; length: number }) =>
        this.client.fail(o.streamId, new NriError(NriErrorCode.MessageTooLarge, `response of ${o.length} bytes exceeds 4 MiB`));
      for (const m of this.clientReader.push(payload, oversized)) {
        if (m.type !== MessageType.Response) this.protocolError(`unexpected ttRPC message type ${m.type} on connection ${connId}`);
        else if (!this.client.handle(m.streamId, m.data)) this.protocolError(`response for stream ${m.streamId} that no call is waiting for`);
      }
    } else {
      this.stats.framesDiscarded += 1;
    }
  }

  private protocolError(message: string): void {
    this.stats.protocolErrors += 1;
    this.options.onProtocolError?.(new NriError(NriErrorCode.Protocol, message));
  }

  private write(connId: number, streamId: number, type: number, data: Uint8Array): void {
    if (this.isClosed) return;
    const frames = cutMessageIntoFrames(connId, encodeTtrpcMessage(streamId, type, data));
    this.stats.framesOut += frames.length;
    // Almost every message is one frame: write it as is rather than copy it.
    const [first, ...rest] = frames;
    if (first) this.socket.write(rest.length ? Buffer.concat(frames) : first);
  }
}
