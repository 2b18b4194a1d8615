import { randomBytes, randomInt } from 'node:crypto';
import { awsAccessKeyIdFor, clusterAccountId, clusterRegion, type AwsKeyPrefix } from './aws-identity.js';
import type { DecoyContext, GeneratedDecoy } from './decoy.js';
import { containsGiveaway } from './giveaways.js';
import { randomBase64 } from './random.js';

export interface AwsProfile {
  name: string;
  /** Which of the organisation's accounts the profile's key belongs to (see clusterAccountId). */
  account: string;
  /** AKIA: a long-term IAM user key; ASIA: temporary credentials with a session token. */
  prefix: AwsKeyPrefix;
}

export const AWS_PROFILES: readonly AwsProfile[] = [
  { name: 'default', account: 'workload', prefix: 'AKIA' },
  { name: 'prod-admin', account: 'production', prefix: 'AKIA' },
  { name: 'ci-deploy', account: 'workload', prefix: 'ASIA' },
];

/** ~/.aws/credentials with a few profiles; access key ids derive from the trap id, secrets are random. */
export function awsCredentials(ctx: DecoyContext): GeneratedDecoy {
  const region = clusterRegion(ctx);
  const sections = AWS_PROFILES.map((profile) => {
    const keyId = awsAccessKeyIdFor(ctx.trapId, clusterAccountId(ctx.clusterName, profile.account), profile.name, profile.prefix);
    const lines = [`[${profile.name}]`, `aws_access_key_id = ${keyId}`, `aws_secret_access_key = ${awsSecretAccessKey()}`];
    if (profile.prefix === 'ASIA') lines.push(`aws_session_token = ${awsSessionToken(region)}`);
    lines.push(`region = ${region}`);
    return lines.join('\n');
  });
  return { files: [{ name: 'credentials', content: Buffer.from(`${sections.join('\n\n')}\n`), mode: 0o600 }] };
}

/** 40 characters of [A-Za-z0-9+/], like a real secret access key. */
export function awsSecretAccessKey(): string {
  return randomBase64(30);
}

/**
 * An STS session token. Real ones are opaque base64 that starts with a small protobuf-like
 * header naming the signing partition and region ("IQoJb3JpZ2luX2Vj..." = "!\n\torigin_ec...").
 */
export function awsSessionToken(region: string): string {
  for (;;) {
    const header = Buffer.concat([
      Buffer.from([0x21, 0x0a, 0x09]),
      Buffer.from('origin_ec', 'ascii'),
      Buffer.from([0x10, randomInt(256), 0x1a, region.length]),
      Buffer.from(region, 'ascii'),
    ]);
    const token = Buffer.concat([header, randomBytes(randomInt(600, 760))]).toString('base64');
    if (!containsGiveaway(token)) return token;
  }
}
