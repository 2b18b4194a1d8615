// monitor: node apps/monitor/dist/main.js  (as root, or with CAP_BPF + CAP_PERFMON)
import { createLogger, createMetricsRegistry, describeConfig, loadConfigOrExit, monitorSettings } from '@beesting/config';
import { startMonitor } from '@beesting/detection';

const config = loadConfigOrExit(monitorSettings);
const logger = createLogger({ app: 'monitor', node: config.nodeName, level: config.logLevel });
logger.info({ config: describeConfig(monitorSettings, config) }, 'starting');
const monitor = await startMonitor(config, { logger, registry: createMetricsRegistry({ app: 'monitor', node: config.nodeName }) });
void monitor.ready.then(() => logger.info({ backend: monitor.backend }, 'ready'));
const stop = async (signal: string) => {
  logger.info({ signal }, 'stopping');
  await monitor.stop();
  process.exit(0);
};
process.once('SIGTERM', () => void stop('SIGTERM'));
process.once('SIGINT', () => void stop('SIGINT'));
