// alert-router: node apps/alert-router/dist/main.js [run | replay-dlq]
import { alertRouterSettings, createLogger, createMetricsRegistry, describeConfig, loadConfigOrExit } from '@beesting/config';
import { runDeadLetterReplay, startAlertRouter } from '@beesting/router';

const command = process.argv[2] ?? 'run';
const config = loadConfigOrExit(alertRouterSettings);
const logger = createLogger({ app: 'alert-router', level: config.logLevel });

if (command === 'replay-dlq') {
  const report = await runDeadLetterReplay(config, logger);
  process.stdout.write(`${JSON.stringify(report)}\n`);
  process.exit(report.failed === 0 ? 0 : 1);
} else if (command === 'run') {
  logger.info({ config: describeConfig(alertRouterSettings, config) }, 'starting');
  const router = await startAlertRouter(config, { logger, registry: createMetricsRegistry({ app: 'alert-router' }) });
  const stop = async (signal: string) => {
    logger.info({ signal }, 'stopping');
    await router.stop();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
} else {
  process.stderr.write(`usage: main.js [run | replay-dlq]\n`);
  process.exit(2);
}
