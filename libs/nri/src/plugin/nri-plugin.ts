import { EventEmitter } from 'node:events';
import { createConnection, Socket } from 'node:net';
import { NriError, NriErrorCode } from '../nri-error.js';
import { silentNriLogger } from '../nri-logger.js';
import type { NriLogger } from '../nri-logger.js';
import type { NriHandlers } from './handlers.js';
import { PluginSession, subscribedEvents } from './plugin-session.js';

export const DEFAULT_NRI_SOCKET = '/var/run/nri/nri.sock';
const PLUGIN_NAME = /^[a-zA-Z0-9_.+-]+$/;
const PLUGIN_INDEX = /^[0-9]{2}$/;

export interface NriPluginOptions {
  name: string;
  /** Two digits; the runtime calls plugins in ascending index order. */
  index: string;
  handlers: NriHandlers;
  socketPath?: string;
  /** Deadline for each handler; by default the runtime's request timeout less a margin. */
  handlerTimeoutMs?: number;
  registrationTimeoutMs?: number;
  /** false: do not reconnect (a plugin the runtime launched has nothing to reconnect to). */
  reconnect?: { initialDelayMs?: number; maxDelayMs?: number } | false;
  logger?: NriLogger;
  onHandlerTimeout?: (method: string) => void;
  /** For a plugin the runtime launched: the socket it passed (fd 3). */
  socket?: Socket;
}

export interface NriPluginEvents {
  /** Registered, configured and synchronized: events flow from here on. */
  synchronized: [];
  disconnected: [error: Error | undefined];
  /** A connect or registration attempt failed; a retry follows unless stopped. */
  retry: [error: Error, delayMs: number];
}

/**
 * An NRI plugin in the spirit of NRI's Go stub: give it a name, an index and handlers;
 * it subscribes to the events it has handlers for, and keeps itself registered with the
 * runtime, reconnecting with backoff whenever the runtime closes the socket or restarts.
 */
export class NriPlugin extends EventEmitter<NriPluginEvents> {
  readonly events: number[];
  private session: PluginSession | undefined;
  private stopped = true;
  private attempt = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private readonly logger: NriLogger;

  constructor(private readonly options: NriPluginOptions) {
    super();
    if (!PLUGIN_NAME.test(options.name)) throw new NriError(NriErrorCode.InvalidPlugin, `invalid plugin name ${JSON.stringify(options.name)}: use [a-zA-Z0-9_.+-]`);
    if (!PLUGIN_INDEX.test(options.index)) throw new NriError(NriErrorCode.InvalidPlugin, `invalid plugin index ${JSON.stringify(options.index)}: use two digits`);
    this.events = subscribedEvents(options.handlers);
    if (this.events.length === 0) throw new NriError(NriErrorCode.InvalidPlugin, 'a plugin needs a handler for at least one event');
    this.logger = options.logger ?? silentNriLogger;
  }

  /** A plugin the runtime launched: socket on fd 3, name and index from NRI_PLUGIN_NAME and NRI_PLUGIN_IDX. */
  static launched(handlers: NriHandlers, options: Partial<NriPluginOptions> = {}, env = process.env): NriPlugin | undefined {
    const fd = Number(env['NRI_PLUGIN_SOCKET']);
    if (!Number.isInteger(fd) || fd < 0) return undefined;
    return new NriPlugin({
      ...options,
      name: env['NRI_PLUGIN_NAME'] ?? '',
      index: env['NRI_PLUGIN_IDX'] ?? '',
      handlers,
      socket: new Socket({ fd, readable: true, writable: true }),
      reconnect: false,
    });
  }

  get isSynchronized(): boolean {
    return !!this.session?.connection.isOpen && this.synchronizedNow;
  }

  private synchronizedNow = false;

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    void this.connect();
  }

  /** Resolves at the next completed synchronization. */
  waitSynchronized(timeoutMs: number): Promise<void> {
    if (this.isSynchronized) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.off('synchronized', done);
        reject(new NriError(NriErrorCode.Timeout, `not synchronized with the runtime within ${timeoutMs} ms`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      this.once('synchronized', done);
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    const session = this.session;
    this.session = undefined;
    if (session) {
      session.connection.close();
      await session.connection.closed;
    }
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    let socket: Socket;
    try {
      socket = this.options.socket ?? (await dial(this.options.socketPath ?? DEFAULT_NRI_SOCKET));
    } catch (err) {
      this.retry(err as Error);
      return;
    }
    if (this.stopped) {
      socket.destroy();
      return;
    }
    const session = new PluginSession(socket, {
      name: this.options.name,
      index: this.options.index,
      handlers: this.options.handlers,
      ...(this.options.handlerTimeoutMs !== undefined ? { handlerTimeoutMs: this.options.handlerTimeoutMs } : {}),
      registrationTimeoutMs: this.options.registrationTimeoutMs ?? 5000,
      logger: this.logger,
      ...(this.options.onHandlerTimeout ? { onHandlerTimeout: this.options.onHandlerTimeout } : {}),
    });
    this.session = session;
    this.synchronizedNow = false;
    void session.connection.closed.then((err) => {
      if (this.session !== session) return;
      this.session = undefined;
      this.synchronizedNow = false;
      this.logger.warn({ err: err?.message }, 'NRI connection closed');
      this.emit('disconnected', err);
      this.retry(err ?? new NriError(NriErrorCode.Closed, 'runtime closed the connection'));
    });
    try {
      await session.register();
      await session.synchronized;
      this.attempt = 0;
      this.synchronizedNow = true;
      this.logger.info({ name: this.options.name, index: this.options.index, events: this.events }, 'registered and synchronized with the runtime');
      this.emit('synchronized');
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'registration with the runtime failed');
      session.connection.close(err as Error);
    }
  }

  private retry(error: Error): void {
    if (this.stopped) return;
    if (this.options.reconnect === false) {
      this.stopped = true;
      return;
    }
    const initial = this.options.reconnect?.initialDelayMs ?? 100;
    const max = this.options.reconnect?.maxDelayMs ?? 5000;
    const delay = Math.min(max, initial * 2 ** this.attempt) * (0.8 + Math.random() * 0.4);
    this.attempt += 1;
    this.emit('retry', error, delay);
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => void this.connect(), delay);
  }
}

function dial(path: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ path });
    socket.once('connect', () => {
      socket.off('error', reject);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}
