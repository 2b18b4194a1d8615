import { encodeMessage } from '@beesting/events';
import type { DescMessage, MessageShape } from '@beesting/events';
import type { JetStreamClient, MsgHdrs } from 'nats';

export interface PublishResult {
  seq: number;
  /** True when the stream already had this message id inside its duplicate window. */
  duplicate: boolean;
}

/** Publishes a message to a stream; the message id makes a repeated publish a no-op. */
export async function publishMessage<Desc extends DescMessage>(
  js: JetStreamClient,
  subject: string,
  schema: Desc,
  message: MessageShape<Desc>,
  options: { msgId: string; timeoutMs?: number; headers?: MsgHdrs },
): Promise<PublishResult> {
  const ack = await js.publish(subject, encodeMessage(schema, message), {
    msgID: options.msgId,
    timeout: options.timeoutMs ?? 5000,
    ...(options.headers ? { headers: options.headers } : {}),
  });
  return { seq: ack.seq, duplicate: ack.duplicate };
}
