import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { clusterAccountId, clusterRegion } from './aws-identity.js';
import { trapTag } from './derive.js';
import { dockerConfig, githubPersonalAccessToken, registryUsernameFor } from './docker-config.js';
import { sampleDecoyContext } from './samples.js';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

function decodeAuth(auth: string): [string, string] {
  const decoded = Buffer.from(auth, 'base64').toString();
  const colon = decoded.indexOf(':');
  return [decoded.slice(0, colon), decoded.slice(colon + 1)];
}

describe('docker-config', () => {
  const ctx = sampleDecoyContext();
  const [file] = dockerConfig(ctx).files;
  const config = JSON.parse(file!.content.toString()) as { auths: Record<string, { auth: string }> };
  const ecrRegistry = `${clusterAccountId(ctx.clusterName)}.dkr.ecr.${clusterRegion(ctx)}.amazonaws.com`;

  it('is a docker config.json with logins for ECR and GHCR', () => {
    expect(file!.name).toBe('config.json');
    expect(Object.keys(config.auths)).toEqual([ecrRegistry, 'ghcr.io']);
  });

  it('logs in to ECR as AWS with an ECR authorization token', () => {
    const [user, password] = decodeAuth(config.auths[ecrRegistry]!.auth);
    expect(user).toBe('AWS');
    const envelope = JSON.parse(Buffer.from(password, 'base64').toString()) as Record<string, unknown>;
    expect(envelope).toMatchObject({ version: '2', type: 'DATA_KEY', expiration: ctx.now.getTime() / 1000 + 43_200 });
    expect(envelope['payload']).toMatch(/^[A-Za-z0-9+/]{1300,}={0,2}$/);
    expect(envelope['datakey']).toMatch(/^[A-Za-z0-9+/]{200,}={0,2}$/);
  });

  it('logs in to GHCR as a bot named with the trap tag, with a checksummed PAT', () => {
    const [user, token] = decodeAuth(config.auths['ghcr.io']!.auth);
    expect(user).toBe(registryUsernameFor(ctx));
    expect(user).toBe(`payments-api-ci-${trapTag(ctx.trapId, 5)}`);
    expect(token).toMatch(/^ghp_[A-Za-z0-9]{36}$/);
  });

  it('makes GitHub tokens whose last six characters are the CRC32 of the rest, in base62', () => {
    for (let i = 0; i < 20; i++) {
      const token = githubPersonalAccessToken();
      let checksum = crc32(token.slice(4, 34));
      let expected = '';
      for (let digit = 0; digit < 6; digit++, checksum = Math.floor(checksum / 62)) expected = BASE62[checksum % 62] + expected;
      expect(token.slice(34)).toBe(expected);
    }
  });
});
