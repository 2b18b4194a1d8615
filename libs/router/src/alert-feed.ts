import { Server, ServerCredentials, makeGenericClientConstructor, status } from '@grpc/grpc-js';
import type { ServerWritableStream, ServiceDefinition } from '@grpc/grpc-js';
import type { BusLogger } from '@beesting/bus';
import { AlertFeedService, AlertSchema, create, decodeMessage, WatchAlertsRequestSchema, WatchAlertsResponseSchema } from '@beesting/events';
import type { WatchAlertsRequest, WatchAlertsResponse } from '@beesting/events';
import { fromBinary, toBinary } from '@bufbuild/protobuf';
import type { NatsConnection, Subscription } from 'nats';

/** grpc-js service definition of beesting.v1.AlertFeedService, (de)serialized by protobuf-es. */
export const alertFeedDefinition: ServiceDefinition = {
  WatchAlerts: {
    path: `/${AlertFeedService.typeName}/${AlertFeedService.method.watchAlerts.name}`,
    requestStream: false,
    responseStream: true,
    requestSerialize: (m: WatchAlertsRequest) => Buffer.from(toBinary(WatchAlertsRequestSchema, m)),
    requestDeserialize: (b: Buffer) => fromBinary(WatchAlertsRequestSchema, b),
    responseSerialize: (m: WatchAlertsResponse) => Buffer.from(toBinary(WatchAlertsResponseSchema, m)),
    responseDeserialize: (b: Buffer) => fromBinary(WatchAlertsResponseSchema, b),
  },
};

export const AlertFeedClient = makeGenericClientConstructor(alertFeedDefinition, 'AlertFeedService');

/**
 * The server-streaming alert feed for SIEMs. It relays the alert subjects, so a client
 * connected to any replica sees the alerts of all of them.
 */
export async function startAlertFeed(nc: NatsConnection, address: { host: string; port: number }, logger: BusLogger) {
  const watchers = new Set<{ call: ServerWritableStream<WatchAlertsRequest, WatchAlertsResponse>; request: WatchAlertsRequest }>();
  const subscription: Subscription = nc.subscribe('beesting.v1.alerts.>', {
    callback: (err, msg) => {
      if (err) return;
      let alert;
      try {
        alert = decodeMessage(AlertSchema, msg.data);
      } catch {
        return;
      }
      const namespace = alert.event?.owner?.pod?.namespace ?? '';
      for (const w of watchers) {
        if (alert.severity < w.request.minSeverity) continue;
        if (w.request.namespaces.length && !w.request.namespaces.includes(namespace)) continue;
        w.call.write(create(WatchAlertsResponseSchema, { alert }));
      }
    },
  });
  const server = new Server();
  server.addService(alertFeedDefinition, {
    WatchAlerts: (call: ServerWritableStream<WatchAlertsRequest, WatchAlertsResponse>) => {
      const watcher = { call, request: call.request };
      watchers.add(watcher);
      call.on('cancelled', () => watchers.delete(watcher));
      call.on('close', () => watchers.delete(watcher));
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`${address.host}:${address.port}`, ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  logger.info({ port }, 'alert feed listening');
  return {
    port,
    get watchers() {
      return watchers.size;
    },
    stop: async () => {
      subscription.unsubscribe();
      for (const w of watchers) w.call.destroy(Object.assign(new Error('shutting down'), { code: status.UNAVAILABLE }));
      watchers.clear();
      server.forceShutdown();
    },
  };
}
