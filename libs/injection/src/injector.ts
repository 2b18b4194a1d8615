import { totalmem } from 'node:os';
import { join } from 'node:path';
import { BusConnection } from '@beesting/bus';
import type { ConfigOf, injectorSettings, Logger } from '@beesting/config';
import { NriPlugin } from '@beesting/nri';
import type { NriHandlers } from '@beesting/nri';
import { DecoyStore, generateDecoy, loadPolicy, TrapMatcher } from '@beesting/traps';
import type { Mounter, Policy } from '@beesting/traps';
import { fastify } from 'fastify';
import type { Registry } from 'prom-client';
import { registerInjectorMetrics } from './injector-metrics.js';
import { TrapInjector } from './trap-injector.js';
import { TrapRegistry } from './trap-registry.js';

export type InjectorConfig = ConfigOf<(typeof injectorSettings)['settings']>;

export const PLUGIN_NAME = 'beesting';
export const PLUGIN_INDEX = '10';
// Well inside the runtime's 2 s request timeout.
const HANDLER_BUDGET_MS = 1500;

export interface RunningInjector {
  httpPort: number;
  plugin: NriPlugin;
  store: DecoyStore;
  injector: TrapInjector;
  stop(): Promise<void>;
}

export interface InjectorDeps {
  logger: Logger;
  registry: Registry;
  /** Overrides BEESTING_POLICY (tests). */
  policy?: Policy;
  mounter?: Mounter;
}

/** Keys are made once per process (RSA takes up to 0.4 s): before the first container, not during it. */
function warmUpGenerators(policy: Policy, config: InjectorConfig): void {
  const ctx = { trapId: 'warm-up', podName: 'warm-up', podNamespace: 'default', podUid: 'warm-up', containerName: 'warm-up', containerId: 'warm-up', nodeName: config.nodeName, clusterName: config.clusterName, now: new Date() };
  for (const kind of new Set(policy.traps.map((t) => t.kind))) generateDecoy(kind, ctx);
}

/** kubelet sizes a projected volume's tmpfs by memory; the same kind of figure, seen from inside. */
const tmpfsOptions = () => `size=${Math.floor(totalmem() / 1024 / 4)}k`;

export async function startInjector(config: InjectorConfig, deps: InjectorDeps): Promise<RunningInjector> {
  const { logger, registry } = deps;
  const policy = deps.policy ?? loadPolicy(config.policyFile);
  logger.info({ traps: policy.traps.map((t) => ({ name: t.name, kind: t.kind, path: t.path })) }, 'trap policy');
  warmUpGenerators(policy, config);
  const store = await DecoyStore.open({
    root: join(config.stateDir, 'decoys'),
    spares: config.decoySpares,
    tmpfsOptions: tmpfsOptions(),
    ...(deps.mounter ? { mounter: deps.mounter } : {}),
    onError: (err) => logger.warn({ err: err.message }, 'decoy store'),
  });
  logger.info({ containers: store.containers().length }, 'decoy store opened');
  const metrics = registerInjectorMetrics(registry, () => store.containers().reduce((n, c) => n + c.traps.length, 0));
  const bus = BusConnection.start({ servers: config.natsUrl, name: `beesting-injector-${config.nodeName}`, logger });
  const trapRegistry = new TrapRegistry(bus, config.nodeName, metrics, logger);
  const injector = new TrapInjector({
    matcher: new TrapMatcher(policy),
    store,
    registry: trapRegistry,
    metrics,
    logger,
    nodeName: config.nodeName,
    clusterName: config.clusterName,
    armTimeoutMs: config.armTimeoutMs,
  });
  const handlers: NriHandlers = {
    createContainer: (pod, container, ctx) => injector.createContainer(pod, container, ctx),
    removeContainer: (_pod, container) => injector.removeContainer(container),
    synchronize: async (_pods, containers) => {
      await injector.synchronize(containers);
      return [];
    },
  };
  const options = { handlerTimeoutMs: HANDLER_BUDGET_MS, logger, onHandlerTimeout: (method: string) => logger.warn({ method }, 'handler deadline: answered empty') };
  const plugin = NriPlugin.launched(handlers, options) ?? new NriPlugin({ name: PLUGIN_NAME, index: PLUGIN_INDEX, socketPath: config.nriSocket, handlers, ...options });
  plugin.on('synchronized', () => logger.info('registered with the runtime'));
  plugin.on('disconnected', (err) => logger.warn({ err: err?.message }, 'runtime connection lost; reconnecting'));
  plugin.on('retry', (err, delayMs) => logger.debug({ err: err.message, delayMs }, 'runtime not reachable'));
  plugin.start();

  const http = fastify({ logger: false });
  http.get('/healthz', async () => ({ status: 'ok' }));
  http.get('/readyz', async (_req, res) => (plugin.isSynchronized ? { status: 'ready' } : res.code(503).send({ status: 'waiting for the runtime' })));
  http.get('/metrics', async (_req, res) => res.type(registry.contentType).send(await registry.metrics()));
  await http.listen({ host: config.httpAddr.host, port: config.httpAddr.port });
  const address = http.server.address();

  return {
    httpPort: typeof address === 'object' && address ? address.port : 0,
    plugin,
    store,
    injector,
    stop: async () => {
      // Decoys stay mounted: their containers still run and the next start adopts them.
      await plugin.stop();
      await http.close();
      trapRegistry.close();
      await store.close();
      await bus.close();
    },
  };
}
