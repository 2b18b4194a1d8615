export const ERR_CONFIG = 'BEESTING_ERR_CONFIG';

/** A setting with a bad value. `setting` is its environment variable's name. */
export class ConfigError extends Error {
  readonly code = ERR_CONFIG;

  constructor(
    readonly setting: string,
    readonly reason: string,
  ) {
    super(`${ERR_CONFIG}: ${setting}: ${reason}`);
    this.name = 'ConfigError';
  }
}
