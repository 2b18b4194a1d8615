import { ConfigError } from './config-error.js';
import { loadConfig } from './load-config.js';
import type { ConfigSources } from './load-config.js';
import type { AppSettings, ConfigOf, Settings } from './setting.js';

/** sysexits.h EX_CONFIG */
export const EXIT_CONFIG = 78;

export interface StartIo {
  exit: (code: number) => never;
  stderr: (line: string) => void;
}

const processIo: StartIo = {
  exit: (code) => process.exit(code),
  stderr: (line) => process.stderr.write(`${line}\n`),
};

/** What an app's main calls first: the config, or a one-line BEESTING_ERR_CONFIG message and exit 78. */
export function loadConfigOrExit<S extends Settings>(app: AppSettings<S>, sources: ConfigSources = {}, io: StartIo = processIo): ConfigOf<S> {
  try {
    return loadConfig(app, sources);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    io.stderr(`${app.app}: ${err.message}`);
    return io.exit(EXIT_CONFIG);
  }
}
