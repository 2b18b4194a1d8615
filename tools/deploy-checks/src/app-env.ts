import { alertRouterSettings, injectorSettings, loadConfig, monitorSettings } from '@beesting/config';

// The settings contract of design.md §7, as the apps themselves define it (libs/config).

export const APP_NAMES = ['injector', 'monitor', 'alert-router'] as const;
export type AppName = (typeof APP_NAMES)[number];

function settingsOf(app: AppName) {
  switch (app) {
    case 'injector':
      return injectorSettings.settings;
    case 'monitor':
      return monitorSettings.settings;
    case 'alert-router':
      return alertRouterSettings.settings;
  }
}

/** The app a container runs, from its command `node apps/<app>/dist/main.js`. */
export function appOfCommand(command: readonly string[]): AppName {
  const app = /^apps\/([a-z-]+)\/dist\/main\.js$/.exec(command[1] ?? '')?.[1];
  const known = APP_NAMES.find((a) => a === app);
  if (command[0] !== 'node' || command.length !== 2 || !known) throw new Error(`not an app command: ${JSON.stringify(command)}`);
  return known;
}

/** Every environment variable the app reads. */
export function envNamesOf(app: AppName): Set<string> {
  return new Set(Object.values(settingsOf(app)).map((s) => s.env));
}

/** Loads the app's settings from this environment exactly as the app does at start; throws BEESTING_ERR_CONFIG on a bad value. */
export function loadAppConfig(app: AppName, env: Record<string, string>): Record<string, unknown> {
  switch (app) {
    case 'injector':
      return { ...loadConfig(injectorSettings, { env }) };
    case 'monitor':
      return { ...loadConfig(monitorSettings, { env }) };
    case 'alert-router':
      return { ...loadConfig(alertRouterSettings, { env }) };
  }
}
