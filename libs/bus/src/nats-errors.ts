import { ErrorCode, NatsError } from 'nats';

const STREAM_NOT_FOUND = 10059;
const CONSUMER_NOT_FOUND = 10014;

export const isStreamNotFound = (err: unknown) =>
  err instanceof NatsError && (err.api_error?.err_code === STREAM_NOT_FOUND || /stream not found/i.test(err.message));

export const isConsumerNotFound = (err: unknown) =>
  err instanceof NatsError && (err.api_error?.err_code === CONSUMER_NOT_FOUND || /consumer not found/i.test(err.message));

// Errors that retrying can never fix. Everything else (timeouts, disconnects, no
// responders while JetStream restarts, resource limits) may pass, so it is retried.
const PERMANENT = new Set<string>([ErrorCode.MaxPayloadExceeded, ErrorCode.BadSubject, ErrorCode.BadPayload, ErrorCode.BadHeader]);

export const isPermanentPublishError = (err: unknown) => err instanceof NatsError && PERMANENT.has(err.code);

export const isNoResponders = (err: unknown) => err instanceof NatsError && err.code === ErrorCode.NoResponders;
export const isTimeout = (err: unknown) => err instanceof NatsError && err.code === ErrorCode.Timeout;
