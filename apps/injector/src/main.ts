// injector: node apps/injector/dist/main.js  (as root: it mounts a tmpfs per container)
import { createLogger, createMetricsRegistry, describeConfig, EXIT_CONFIG, injectorSettings, loadConfigOrExit } from '@beesting/config';
import { startInjector } from '@beesting/injection';
import { loadPolicy, PolicyError } from '@beesting/traps';

const config = loadConfigOrExit(injectorSettings);
const logger = createLogger({ app: 'injector', node: config.nodeName, level: config.logLevel });
let policy;
try {
  policy = loadPolicy(config.policyFile);
} catch (err) {
  if (!(err instanceof PolicyError)) throw err;
  process.stderr.write(`${err.message}\n`);
  process.exit(EXIT_CONFIG);
}
logger.info({ config: describeConfig(injectorSettings, config) }, 'starting');
const injector = await startInjector(config, { logger, registry: createMetricsRegistry({ app: 'injector', node: config.nodeName }), policy });
const stop = async (signal: string) => {
  logger.info({ signal }, 'stopping');
  await injector.stop();
  process.exit(0);
};
process.once('SIGTERM', () => void stop('SIGTERM'));
process.once('SIGINT', () => void stop('SIGINT'));
