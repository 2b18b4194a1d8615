import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { ConfigError } from './config-error.js';
import type { AppSettings, ConfigOf, Settings } from './setting.js';

export const CONFIG_FILE_ENV = 'BEESTING_CONFIG';

export interface ConfigSources {
  env?: NodeJS.ProcessEnv;
}

/**
 * Reads every setting of an app once, from the environment over the YAML file named
 * by BEESTING_CONFIG over the defaults, and returns them frozen. The first bad value
 * throws a ConfigError naming its environment variable.
 */
export function loadConfig<S extends Settings>(app: AppSettings<S>, sources: ConfigSources = {}): ConfigOf<S> {
  const env = sources.env ?? process.env;
  const file = readConfigFile(app, env[CONFIG_FILE_ENV]);
  const config: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(app.settings)) {
    const fromEnv = env[spec.env];
    const raw = fromEnv !== undefined && fromEnv !== '' ? fromEnv : file[key];
    if (raw === undefined || raw === null) {
      config[key] = typeof spec.default === 'function' ? (spec.default as () => unknown)() : spec.default;
      continue;
    }
    const parsed = spec.schema.safeParse(raw);
    if (!parsed.success) {
      const reason = parsed.error.issues[0]?.message ?? 'invalid value';
      throw new ConfigError(spec.env, spec.secret ? reason : `${reason} (got ${JSON.stringify(raw)})`);
    }
    config[key] = parsed.data;
  }
  const typed = config as ConfigOf<S>;
  for (const check of app.checks ?? []) {
    const failure = check(typed);
    if (failure) throw new ConfigError(failure[0], failure[1]);
  }
  return deepFreeze(typed);
}

/** The config with secrets masked: what the startup log line shows. */
export function describeConfig<S extends Settings>(app: AppSettings<S>, config: ConfigOf<S>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(app.settings).map(([key, spec]) => {
      const value = (config as Record<string, unknown>)[key];
      return [key, spec.secret && value !== undefined ? '[redacted]' : value];
    }),
  );
}

function readConfigFile<S extends Settings>(app: AppSettings<S>, path: string | undefined): Record<string, unknown> {
  if (!path) return {};
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ConfigError(CONFIG_FILE_ENV, `cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (e) {
    throw new ConfigError(CONFIG_FILE_ENV, `${path} is not valid YAML: ${(e as Error).message.split('\n')[0]}`);
  }
  if (doc === null || doc === undefined) return {};
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new ConfigError(CONFIG_FILE_ENV, `${path} must hold a mapping of settings`);
  for (const key of Object.keys(doc)) {
    if (!(key in app.settings)) {
      throw new ConfigError(CONFIG_FILE_ENV, `${path}: unknown setting "${key}" for ${app.app} (known: ${Object.keys(app.settings).join(', ')})`);
    }
  }
  return doc as Record<string, unknown>;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
