export const NriErrorCode = {
  /** A mux frame announced more bytes than the reader accepts; the connection is closed. */
  FrameTooLarge: 'BEESTING_ERR_NRI_FRAME_TOO_LARGE',
  /** A ttRPC message is larger than ttRPC's 4 MiB limit. */
  MessageTooLarge: 'BEESTING_ERR_NRI_MESSAGE_TOO_LARGE',
  /** The stream ended inside a frame or message. */
  Truncated: 'BEESTING_ERR_NRI_TRUNCATED',
  /** Bytes that are not the protobuf message they should be. */
  BadProtobuf: 'BEESTING_ERR_NRI_BAD_PROTOBUF',
  /** A ttRPC message of a type NRI does not use, or a response nobody asked for. */
  Protocol: 'BEESTING_ERR_NRI_PROTOCOL',
  /** The peer answered with an error status; `grpcCode` holds its code. */
  Status: 'BEESTING_ERR_NRI_STATUS',
  Timeout: 'BEESTING_ERR_NRI_TIMEOUT',
  Closed: 'BEESTING_ERR_NRI_CLOSED',
  /** A plugin name or index the runtime would refuse. */
  InvalidPlugin: 'BEESTING_ERR_NRI_INVALID_PLUGIN',
} as const;
export type NriErrorCode = (typeof NriErrorCode)[keyof typeof NriErrorCode];

export class NriError extends Error {
  constructor(
    readonly code: NriErrorCode,
    message: string,
    readonly grpcCode?: number,
    options?: { cause?: unknown },
  ) {
    super(`${code}: ${message}`, options);
    this.name = 'NriError';
  }
}

/** The gRPC status codes ttRPC uses. */
export const GrpcCode = {
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
} as const;

/** Throw this from a handler to answer with a specific status code (anything else answers UNKNOWN). */
export class StatusError extends Error {
  constructor(
    readonly grpcCode: number,
    message: string,
  ) {
    super(message);
    this.name = 'StatusError';
  }
}
