export { startInjector, PLUGIN_NAME, PLUGIN_INDEX } from './injector.js';
export type { InjectorConfig, InjectorDeps, RunningInjector } from './injector.js';
export { TrapInjector } from './trap-injector.js';
export { TrapRegistry } from './trap-registry.js';
export { registerInjectorMetrics } from './injector-metrics.js';
export type { InjectorMetrics } from './injector-metrics.js';
