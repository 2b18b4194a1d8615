import { randomInt } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { clusterAccountId, clusterRegion } from './aws-identity.js';
import type { DecoyContext, GeneratedDecoy } from './decoy.js';
import { trapTag } from './derive.js';
import { serviceAccountNameFor } from './kubernetes-identity.js';
import { ALPHANUMERIC, randomBase64, randomString } from './random.js';

/** ECR authorization tokens last 12 hours. */
const ECR_TOKEN_LIFETIME_SECONDS = 12 * 3600;
const BASE62_ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** ~/.docker/config.json logged in to the cluster's ECR registry and to GitHub's container registry. */
export function dockerConfig(ctx: DecoyContext): GeneratedDecoy {
  const ecrRegistry = `${clusterAccountId(ctx.clusterName)}.dkr.ecr.${clusterRegion(ctx)}.amazonaws.com`;
  const config = {
    auths: {
      [ecrRegistry]: { auth: basicAuth('AWS', ecrPassword(ctx.now)) },
      'ghcr.io': { auth: basicAuth(registryUsernameFor(ctx), githubPersonalAccessToken()) },
    },
  };
  // The docker CLI writes its config indented with tabs.
  return { files: [{ name: 'config.json', content: Buffer.from(JSON.stringify(config, null, '\t')) }] };
}

/** A CI bot account named after the workload, with the trap's tag as its suffix. */
export function registryUsernameFor(ctx: DecoyContext): string {
  const workload = serviceAccountNameFor(ctx.podName).replace(/[^a-z0-9-]+/gi, '').replace(/-{2,}/g, '-').slice(0, 24).replace(/-+$/, '');
  return `${workload}-ci-${trapTag(ctx.trapId, 5)}`;
}

/** A classic GitHub PAT: "ghp_", 30 random base62 characters, and their CRC32 in 6 base62 digits. */
export function githubPersonalAccessToken(): string {
  const random = randomString(ALPHANUMERIC, 30);
  let checksum = crc32(random);
  let encoded = '';
  for (let i = 0; i < 6; i++, checksum = Math.floor(checksum / 62)) encoded = BASE62_ALPHABET.charAt(checksum % 62) + encoded;
  return `ghp_${random}${encoded}`;
}

/**
 * What `aws ecr get-login-password` prints: base64 of an encrypted-payload envelope. The
 * registry login is then "AWS" with that as the password.
 */
function ecrPassword(now: Date): string {
  const envelope = {
    payload: randomBase64(randomInt(1000, 1200)),
    datakey: randomBase64(randomInt(180, 200)),
    version: '2',
    type: 'DATA_KEY',
    expiration: Math.floor(now.getTime() / 1000) + ECR_TOKEN_LIFETIME_SECONDS,
  };
  return Buffer.from(JSON.stringify(envelope)).toString('base64');
}

function basicAuth(username: string, password: string): string {
  return Buffer.from(`${username}:${password}`).toString('base64');
}
