export { startNatsServer } from './nats-server.js';
export type { NatsServer } from './nats-server.js';
export { freeLoopbackPort } from './free-port.js';
export { startHttpReceiver } from './receivers/http-receiver.js';
export type { Answer, HttpReceiver, ReceivedRequest, Responder } from './receivers/http-receiver.js';
export { startWebhookReceiver } from './receivers/webhook-receiver.js';
export type { WebhookDelivery } from './receivers/webhook-receiver.js';
export { startSlackReceiver, blockKitProblems } from './receivers/slack-receiver.js';
export { startFakeKubernetesApi } from './receivers/fake-kubernetes-api.js';
