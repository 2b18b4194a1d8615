import { pino } from 'pino';
import type { DestinationStream, Logger } from 'pino';

// Decoy content must never reach a log; these keys are censored wherever they appear.
const REDACTED_KEYS = ['content', 'secret', 'token', 'password', 'webhookSecret', 'slackWebhookUrl', 'authorization'];

export interface LoggerOptions {
  app: string;
  node?: string;
  level?: string;
  destination?: DestinationStream;
}

export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      base: { app: options.app, ...(options.node ? { node: options.node } : {}) },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACTED_KEYS.flatMap((k) => [k, `*.${k}`]), censor: '[redacted]' },
      formatters: { level: (label) => ({ level: label }) },
    },
    options.destination,
  );
}

export type { Logger };
