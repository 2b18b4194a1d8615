/** The part of a pino logger the bus uses; any pino logger fits. */
export interface BusLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export const silentLogger: BusLogger = { info() {}, warn() {}, error() {} };
