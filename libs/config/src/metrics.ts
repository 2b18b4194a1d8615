import { collectDefaultMetrics, Registry } from 'prom-client';

/** One registry per app: process metrics plus whatever the app's libs register on it. */
export function createMetricsRegistry(labels: { app: string; node?: string }): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ app: labels.app, ...(labels.node ? { node: labels.node } : {}) });
  collectDefaultMetrics({ register: registry });
  return registry;
}
