export const BusErrorCode = {
  /** An existing stream, bucket or consumer has a config other than ours; we do not replace it. */
  Conflict: 'BEESTING_ERR_BUS_CONFLICT',
  /** A request got no reply within its deadline. */
  Timeout: 'BEESTING_ERR_BUS_TIMEOUT',
  /** Nobody listens on the subject (the monitor of that node is down). */
  NoResponders: 'BEESTING_ERR_BUS_NO_RESPONDERS',
  /** The responder answered with an error of its own. */
  Remote: 'BEESTING_ERR_BUS_REMOTE',
  /** NATS is not reachable right now. */
  Unavailable: 'BEESTING_ERR_BUS_UNAVAILABLE',
  /** The spool file cannot be used (not a spool, unreadable). */
  Spool: 'BEESTING_ERR_SPOOL',
} as const;
export type BusErrorCode = (typeof BusErrorCode)[keyof typeof BusErrorCode];

export class BusError extends Error {
  constructor(
    readonly code: BusErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${code}: ${message}`, options);
    this.name = 'BusError';
  }
}
