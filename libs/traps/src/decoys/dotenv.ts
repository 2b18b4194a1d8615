import { randomInt } from 'node:crypto';
import { clusterRegion, clusterRegionShortCode } from './aws-identity.js';
import type { DecoyContext, GeneratedDecoy } from './decoy.js';
import { digestOf, trapTag } from './derive.js';
import { serviceAccountNameFor } from './kubernetes-identity.js';
import { ALPHANUMERIC, BASE64URL_ALPHABET, LOWER_ALPHANUMERIC, randomHex, randomString } from './random.js';

/** An application's .env: database, cache and third-party API credentials for the pod's workload. */
export function dotenv(ctx: DecoyContext): GeneratedDecoy {
  const app = serviceAccountNameFor(ctx.podName);
  const database = app.replace(/[^a-z0-9]+/gi, '_').toLowerCase();
  const region = clusterRegion(ctx);
  const rdsHost = `${app}-db.${hostId(ctx.clusterName, 'rds', 12)}.${region}.rds.amazonaws.com`;
  const cacheHost = `master.${app}-cache.${hostId(ctx.clusterName, 'elasticache', 6)}.${clusterRegionShortCode(ctx)}.cache.amazonaws.com`;
  const lines = [
    'APP_ENV=production',
    `APP_NAME=${app}`,
    'LOG_LEVEL=info',
    'PORT=8080',
    `DATABASE_URL=postgres://${database}:${databasePasswordFor(ctx.trapId)}@${rdsHost}:5432/${database}`,
    `REDIS_URL=rediss://:${randomString(ALPHANUMERIC, 32)}@${cacheHost}:6379/0`,
    `SECRET_KEY_BASE=${randomHex(64)}`,
    `SENDGRID_API_KEY=SG.${randomString(BASE64URL_ALPHABET, 22)}.${randomString(BASE64URL_ALPHABET, 43)}`,
    `STRIPE_SECRET_KEY=sk_live_${randomString(ALPHANUMERIC, 24)}`,
    `AWS_REGION=${region}`,
  ];
  return { files: [{ name: '.env', content: Buffer.from(`${lines.join('\n')}\n`) }] };
}

/** Random, with the trap's tag inside: URL-safe (alphanumeric) so DATABASE_URL needs no escaping. */
export function databasePasswordFor(trapId: string): string {
  const split = randomInt(4, 12);
  const random = randomString(ALPHANUMERIC, 16);
  return `${random.slice(0, split)}${trapTag(trapId)}${random.slice(split)}`;
}

/** The account-and-region id AWS puts in RDS and ElastiCache host names: the same for the whole cluster. */
function hostId(clusterName: string, service: string, length: number): string {
  const digest = digestOf(service, clusterName);
  return Array.from({ length }, (_, i) => LOWER_ALPHANUMERIC.charAt((digest[i] ?? 0) % LOWER_ALPHANUMERIC.length)).join('');
}
