export { startNatsServer } from './nats-server.js';
export type { NatsServer } from './nats-server.js';
export { freeLoopbackPort } from './free-port.js';
