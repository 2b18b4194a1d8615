export const ERR_MESSAGE_INVALID = 'BEESTING_ERR_MESSAGE_INVALID';

/** A payload that is not a valid message of its type. `field` is the JSON path of the culprit. */
export class MessageValidationError extends Error {
  readonly code = ERR_MESSAGE_INVALID;

  constructor(
    readonly messageType: string,
    readonly field: string,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`${ERR_MESSAGE_INVALID}: ${messageType}${field ? `.${field}` : ''}: ${reason}`, options);
    this.name = 'MessageValidationError';
  }
}
