import { connect, Events } from 'nats';
import type { JetStreamClient, JetStreamManager, NatsConnection } from 'nats';
import { BusError, BusErrorCode } from './bus-error.js';
import { silentLogger } from './bus-logger.js';
import type { BusLogger } from './bus-logger.js';

export interface BusConnectOptions {
  /** One URL or a comma-separated list, as BEESTING_NATS_URL holds it. */
  servers: string | string[];
  /** Connection name shown by the server (the app and node). */
  name: string;
  logger?: BusLogger;
  reconnectWaitMs?: number;
}

type StateListener = (connected: boolean) => void;

// A NATS connection that is never given up on: it keeps trying from the first
// connect on, so an app can start while NATS is down (its publishes spool) and
// reports each disconnect and reconnect to whoever listens.
export class BusConnection {
  private nc: NatsConnection | undefined;
  private jsClient: JetStreamClient | undefined;
  private isConnected = false;
  private closing = false;
  private readonly listeners = new Set<StateListener>();
  private readonly firstConnect: Promise<NatsConnection>;

  private constructor(private readonly options: BusConnectOptions) {
    this.firstConnect = this.open();
    this.firstConnect.catch(() => {});
  }

  static start(options: BusConnectOptions): BusConnection {
    return new BusConnection(options);
  }

  get connected(): boolean {
    return this.isConnected;
  }

  /** The connection, once made; undefined before the first connect succeeded. */
  get connection(): NatsConnection | undefined {
    return this.nc;
  }

  /** The JetStream client, once connected (its requests wait while reconnecting). */
  get jetstream(): JetStreamClient | undefined {
    return this.jsClient;
  }

  /** Waits for the first successful connect. */
  async ready(timeoutMs?: number): Promise<NatsConnection> {
    if (timeoutMs === undefined) return this.firstConnect;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new BusError(BusErrorCode.Unavailable, `no connection to ${String(this.options.servers)} within ${timeoutMs} ms`)),
        timeoutMs,
      );
    });
    try {
      return await Promise.race([this.firstConnect, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  async manager(): Promise<JetStreamManager> {
    return (await this.ready()).jetstreamManager();
  }

  onStateChange(listener: StateListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.closing = true;
    this.setConnected(false);
    if (this.nc && !this.nc.isClosed()) await this.nc.drain().catch(() => this.nc?.close());
  }

  private async open(): Promise<NatsConnection> {
    const logger = this.options.logger ?? silentLogger;
    const servers = typeof this.options.servers === 'string' ? this.options.servers.split(',').map((s) => s.trim()) : this.options.servers;
    const nc = await connect({
      servers,
      name: this.options.name,
      waitOnFirstConnect: true,
      maxReconnectAttempts: -1,
      reconnectTimeWait: this.options.reconnectWaitMs ?? 1000,
      reconnectJitter: 100,
      pingInterval: 10_000,
    });
    if (this.closing) {
      await nc.close();
      throw new BusError(BusErrorCode.Unavailable, 'connection closed before it was ready');
    }
    this.nc = nc;
    this.jsClient = nc.jetstream();
    logger.info({ server: nc.getServer() }, 'connected to NATS');
    this.setConnected(true);
    void this.watch(nc, logger);
    return nc;
  }

  private async watch(nc: NatsConnection, logger: BusLogger): Promise<void> {
    for await (const status of nc.status()) {
      if (status.type === Events.Disconnect) {
        logger.warn({ server: status.data }, 'disconnected from NATS');
        this.setConnected(false);
      } else if (status.type === Events.Reconnect) {
        logger.info({ server: status.data }, 'reconnected to NATS');
        this.setConnected(true);
      }
    }
    this.setConnected(false);
  }

  private setConnected(connected: boolean): void {
    if (this.isConnected === connected) return;
    this.isConnected = connected && !this.closing;
    for (const listener of this.listeners) listener(this.isConnected);
  }
}
