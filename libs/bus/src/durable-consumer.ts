import { decodeMessage, MessageValidationError } from '@beesting/events';
import type { DescMessage, MessageShape } from '@beesting/events';
import type { ConsumerMessages, JetStreamClient, JsMsg, MsgHdrs } from 'nats';
import { BusError, BusErrorCode } from './bus-error.js';
import type { BusConnection } from './bus-connection.js';
import { silentLogger } from './bus-logger.js';
import type { BusLogger } from './bus-logger.js';
import type { BusMetrics } from './bus-metrics.js';
import { publishDeadLetter } from './dead-letter.js';
import { ensureConsumer } from './provision.js';
import type { ConsumerSpec } from './provision.js';

export interface Delivery {
  subject: string;
  streamSeq: number;
  /** 1 on the first delivery, more on redeliveries. */
  deliveryCount: number;
  msgId: string | undefined;
  headers: MsgHdrs | undefined;
  /** Tells the server the message is still being worked on: resets its ack wait. */
  working: () => void;
}

export interface DurableConsumerOptions<Desc extends DescMessage> {
  bus: BusConnection;
  spec: ConsumerSpec;
  schema: Desc;
  /** Resolves: the message is acked. Throws: it is redelivered after nakDelayMs. */
  handle: (message: MessageShape<Desc>, delivery: Delivery) => Promise<void>;
  nakDelayMs?: number;
  batch?: number;
  /** Messages handled at once; their acks are independent. */
  concurrency?: number;
  /** How long stop() waits for the message in hand before leaving it to redelivery. */
  stopTimeoutMs?: number;
  retryDelayMs?: number;
  metrics?: BusMetrics;
  logger?: BusLogger;
}

export interface DurableConsumer {
  stop(): Promise<void>;
  /** Settles when the consumer stopped; rejects on a fatal error (a conflicting consumer config). */
  readonly done: Promise<void>;
}

// A durable pull consumer: explicit ack after the handler succeeds, nak (redelivery)
// when it throws, and a payload that is not a valid message is counted, dead-lettered
// with the reason and terminated, so one bad message never stalls the stream.
// A message in hand when the process dies is redelivered after the ack wait.
export function runDurableConsumer<Desc extends DescMessage>(options: DurableConsumerOptions<Desc>): DurableConsumer {
  const logger = options.logger ?? silentLogger;
  const { spec } = options;
  let stopped = false;
  let messages: ConsumerMessages | undefined;
  const inFlight = new Set<Promise<void>>();
  const concurrency = options.concurrency ?? 1;
  let wake: (() => void) | undefined;

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  const process = async (m: JsMsg, js: JetStreamClient) => {
    const delivery: Delivery = {
      subject: m.subject,
      streamSeq: m.seq,
      deliveryCount: m.info.redeliveryCount,
      msgId: m.headers?.get('Nats-Msg-Id') || undefined,
      headers: m.headers,
      working: () => m.working(),
    };
    let message: MessageShape<Desc>;
    try {
      message = decodeMessage(options.schema, m.data);
    } catch (err) {
      if (!(err instanceof MessageValidationError)) throw err;
      options.metrics?.malformed.inc({ consumer: spec.durable });
      logger.warn({ consumer: spec.durable, seq: m.seq, code: err.code, field: err.field, reason: err.reason }, 'malformed message');
      try {
        await publishDeadLetter(js, {
          origin: `malformed.${spec.durable}`,
          code: err.code,
          reason: err.message,
          payload: m.data,
          source: { stream: spec.stream, seq: m.seq, subject: m.subject },
        });
        options.metrics?.deadLettered.inc({ origin: `malformed.${spec.durable}` });
        m.term();
      } catch (dlqErr) {
        logger.error({ consumer: spec.durable, seq: m.seq, err: (dlqErr as Error).message }, 'dead-letter failed; will retry');
        m.nak(options.nakDelayMs ?? 1000);
      }
      return;
    }
    try {
      await options.handle(message, delivery);
    } catch (err) {
      options.metrics?.handlerFailures.inc({ consumer: spec.durable });
      logger.warn({ consumer: spec.durable, seq: m.seq, err: (err as Error).message }, 'handler failed; message will be redelivered');
      m.nak(options.nakDelayMs ?? 1000);
      return;
    }
    await m.ackAck();
  };

  const loop = async () => {
    while (!stopped) {
      try {
        const nc = await options.bus.ready();
        await ensureConsumer(await nc.jetstreamManager(), spec);
        const js = nc.jetstream();
        const consumer = await js.consumers.get(spec.stream, spec.durable);
        messages = await consumer.consume({ max_messages: options.batch ?? 64 });
        for await (const m of messages) {
          if (stopped) break;
          const task: Promise<void> = process(m, js)
            .catch((err: Error) => logger.error({ consumer: spec.durable, err: err.message }, 'message processing failed'))
            .finally(() => inFlight.delete(task));
          inFlight.add(task);
          if (inFlight.size >= concurrency) await Promise.race(inFlight);
        }
      } catch (err) {
        if (err instanceof BusError && err.code === BusErrorCode.Conflict) throw err;
        if (stopped) break;
        logger.warn({ consumer: spec.durable, err: (err as Error).message }, 'consumer interrupted; restarting');
      }
      if (!stopped) await sleep(options.retryDelayMs ?? 1000);
    }
  };

  const done = loop();
  done.catch(() => {});
  return {
    done,
    stop: async () => {
      stopped = true;
      wake?.();
      // Not close(): it waits for the loop, which may sit in a handler that never returns.
      messages?.stop();
      if (inFlight.size > 0) {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([Promise.all(inFlight), new Promise((r) => (timer = setTimeout(r, options.stopTimeoutMs ?? 5000)))]);
        clearTimeout(timer);
      } else {
        await done.catch(() => {});
      }
    },
  };
}
