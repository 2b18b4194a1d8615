/** The part of a pino logger the library uses. */
export interface NriLogger {
  debug(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export const silentNriLogger: NriLogger = { debug() {}, info() {}, warn() {}, error() {} };
