import { decodeMessage, encodeMessage } from '@beesting/events';
import type { DescMessage, MessageShape } from '@beesting/events';
import { headers } from 'nats';
import type { Msg, NatsConnection, Subscription } from 'nats';
import { BusError, BusErrorCode } from './bus-error.js';
import { silentLogger } from './bus-logger.js';
import type { BusLogger } from './bus-logger.js';
import { isNoResponders, isTimeout } from './nats-errors.js';

// Request/reply with typed messages and a deadline. A responder that cannot answer
// replies with an empty body and two headers naming the error, so the requester gets
// a BusError with the responder's code instead of waiting for its deadline.

export const ERROR_CODE_HEADER = 'Beesting-Error-Code';
export const ERROR_MESSAGE_HEADER = 'Beesting-Error-Message';

export async function requestMessage<Req extends DescMessage, Rep extends DescMessage>(
  nc: NatsConnection,
  subject: string,
  request: { schema: Req; message: MessageShape<Req> },
  replySchema: Rep,
  options: { timeoutMs: number },
): Promise<MessageShape<Rep>> {
  let reply: Msg;
  try {
    reply = await nc.request(subject, encodeMessage(request.schema, request.message), { timeout: options.timeoutMs });
  } catch (err) {
    if (isNoResponders(err)) throw new BusError(BusErrorCode.NoResponders, `no responder on ${subject}`, { cause: err });
    if (isTimeout(err)) throw new BusError(BusErrorCode.Timeout, `no reply on ${subject} within ${options.timeoutMs} ms`, { cause: err });
    throw err;
  }
  const code = reply.headers?.get(ERROR_CODE_HEADER);
  if (code) throw new BusError(BusErrorCode.Remote, `${subject} answered ${code}: ${reply.headers?.get(ERROR_MESSAGE_HEADER) ?? ''}`);
  return decodeMessage(replySchema, reply.data);
}

export interface ServeOptions {
  /** Queue group: one of several responders answers each request. */
  queue?: string;
  logger?: BusLogger;
}

export function serveRequests<Req extends DescMessage, Rep extends DescMessage>(
  nc: NatsConnection,
  subject: string,
  schemas: { request: Req; reply: Rep },
  handler: (request: MessageShape<Req>, msg: Msg) => Promise<MessageShape<Rep>>,
  options: ServeOptions = {},
): Subscription {
  const logger = options.logger ?? silentLogger;
  const answerError = (msg: Msg, code: string, message: string) => {
    const h = headers();
    h.set(ERROR_CODE_HEADER, code);
    h.set(ERROR_MESSAGE_HEADER, message.replace(/[\r\n]+/g, ' ').slice(0, 1024));
    msg.respond(new Uint8Array(0), { headers: h });
  };
  return nc.subscribe(subject, {
    ...(options.queue ? { queue: options.queue } : {}),
    callback: (err, msg) => {
      if (err) {
        logger.error({ err, subject }, 'request subscription failed');
        return;
      }
      let request: MessageShape<Req>;
      try {
        request = decodeMessage(schemas.request, msg.data);
      } catch (e) {
        const error = e as Error & { code?: string };
        logger.warn({ subject, code: error.code, err: error.message }, 'malformed request');
        answerError(msg, error.code ?? 'BEESTING_ERR_MESSAGE_INVALID', error.message);
        return;
      }
      handler(request, msg).then(
        (reply) => msg.respond(encodeMessage(schemas.reply, reply)),
        (e: Error & { code?: string }) => {
          logger.error({ subject, code: e.code, err: e.message }, 'request handler failed');
          answerError(msg, e.code ?? 'BEESTING_ERR_INTERNAL', e.message);
        },
      );
    },
  });
}
