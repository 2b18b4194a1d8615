import { createHmac, timingSafeEqual } from 'node:crypto';
import { startHttpReceiver } from './http-receiver.js';
import type { ReceivedRequest, Responder } from './http-receiver.js';

export interface WebhookDelivery {
  deliveryId: string;
  /** The Beesting-Signature header checked against the raw body, as a receiver would. */
  signatureValid: boolean;
  body: Record<string, unknown>;
  /** The status the sender got: 0 while unanswered, or if it went away first. */
  readonly status: number;
  request: ReceivedRequest;
}

/**
 * A webhook receiver: verifies Beesting-Signature (written here independently of the
 * sink, as a customer would) and records what it accepted and refused.
 */
export async function startWebhookReceiver(secret: string, responder: Responder = () => ({ status: 200 })) {
  const deliveries: WebhookDelivery[] = [];
  let respond = responder;
  const receiver = await startHttpReceiver(async (request, index) => {
    deliveries.push({
      deliveryId: String(request.headers['beesting-delivery'] ?? ''),
      signatureValid: verify(secret, request.body, String(request.headers['beesting-signature'] ?? '')),
      body: safeJson(request.body),
      get status() {
        return request.status;
      },
      request,
    });
    return respond(request, index);
  });
  return {
    url: `${receiver.url}/hooks/beesting`,
    deliveries,
    /** Deliveries answered 2xx. */
    accepted: () => deliveries.filter((d) => d.status >= 200 && d.status < 300),
    respondWith: (r: Responder) => (respond = r),
    close: receiver.close,
  };
}

function verify(secret: string, body: string, header: string): boolean {
  const [, t, v1] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header) ?? [];
  if (!t || !v1) return false;
  const expected = createHmac('sha256', secret).update(`${t}.${body}`).digest();
  return Math.abs(Date.now() / 1000 - Number(t)) < 300 && timingSafeEqual(expected, Buffer.from(v1, 'hex'));
}

function safeJson(text: string): Record<string, unknown> {
  try {
    return JSON.parse(text);
  } catch {
    return {};
  }
}
