import type { z } from 'zod';

// One setting: read from its environment variable, or from its key in the YAML file
// named by BEESTING_CONFIG; the environment wins. Values from the environment are
// strings, so schemas coerce (see value-schemas.ts).
export interface Setting<T> {
  env: string;
  schema: z.ZodType<T>;
  /** Used when neither the environment nor the file sets it; absent means optional. */
  default?: T | (() => T);
  /** Never printed: not in errors, not in the startup log. */
  secret?: boolean;
  description: string;
}

export type Settings = Record<string, Setting<unknown>>;

export type ConfigOf<S extends Settings> = {
  readonly [K in keyof S]: S[K] extends Setting<infer T> ? (S[K] extends { default: unknown } ? T : T | undefined) : never;
};

/** A rule across settings, run after each one is valid; returns [setting env name, reason] on failure. */
export type CrossCheck<S extends Settings> = (config: ConfigOf<S>) => [string, string] | undefined;

export interface AppSettings<S extends Settings> {
  app: string;
  settings: S;
  checks?: Array<CrossCheck<S>>;
}

type Defaulted<T> = Setting<T> & { default: T | (() => T) };

/** A setting with a default is always set; one without is `T | undefined`. */
export function setting<T>(spec: Defaulted<T>): Defaulted<T>;
export function setting<T>(spec: Omit<Setting<T>, 'default'>): Setting<T>;
export function setting<T>(spec: Setting<T>): Setting<T> {
  return spec;
}
