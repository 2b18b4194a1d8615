import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSharedConfigFiles } from '@smithy/shared-ini-file-loader';
import { afterAll, describe, expect, it } from 'vitest';
import { AWS_PROFILES, awsCredentials } from './aws-credentials.js';
import { awsAccessKeyIdFor, clusterAccountId, clusterRegion } from './aws-identity.js';
import { sampleDecoyContext } from './samples.js';

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const dir = mkdtempSync(join(tmpdir(), 'aws-credentials-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The account id packed into an access key id, decoded the way `aws sts get-access-key-info` does. */
function accountOfKeyId(keyId: string): string {
  const bits = [...keyId.slice(4)].map((c) => BASE32.indexOf(c).toString(2).padStart(5, '0')).join('');
  return ((BigInt(`0b${bits.slice(0, 48)}`) & 0x7fffffffff80n) >> 7n).toString().padStart(12, '0');
}

async function load(content: Buffer) {
  const filepath = join(dir, `credentials-${Math.random().toString(36).slice(2)}`);
  writeFileSync(filepath, content, { mode: 0o600 });
  return loadSharedConfigFiles({ filepath, configFilepath: join(dir, 'no-config'), ignoreCache: true });
}

describe('aws-credentials', () => {
  const ctx = sampleDecoyContext();
  const [file] = awsCredentials(ctx).files;

  it('is one private credentials file', () => {
    expect(file!.name).toBe('credentials');
    expect(file!.mode).toBe(0o600);
  });

  it('parses with the AWS SDK into the expected profiles, with keys derived from the trap id', async () => {
    const { credentialsFile } = await load(file!.content);
    expect(Object.keys(credentialsFile)).toEqual(AWS_PROFILES.map((p) => p.name));
    for (const profile of AWS_PROFILES) {
      const section = credentialsFile[profile.name]!;
      const accountId = clusterAccountId(ctx.clusterName, profile.account);
      expect(accountId).toMatch(/^[1-9]\d{11}$/);
      expect(section['aws_access_key_id']).toBe(awsAccessKeyIdFor(ctx.trapId, accountId, profile.name, profile.prefix));
      expect(section['aws_access_key_id']).toMatch(new RegExp(`^${profile.prefix}[A-Z2-7]{16}$`));
      expect(accountOfKeyId(section['aws_access_key_id']!)).toBe(accountId);
      expect(section['aws_secret_access_key']).toMatch(/^[A-Za-z0-9+/]{40}$/);
      expect(section['region']).toBe(clusterRegion(ctx));
      if (profile.prefix === 'ASIA') {
        expect(section['aws_session_token']).toMatch(/^IQoJb3JpZ2luX2Vj[A-Za-z0-9+/]{600,}={0,2}$/);
        expect(Buffer.from(section['aws_session_token']!, 'base64').includes(clusterRegion(ctx))).toBe(true);
      } else {
        expect(section['aws_session_token']).toBeUndefined();
      }
    }
  });

  it('shares account and region across the cluster but not the secrets', async () => {
    const other = (await load(awsCredentials(sampleDecoyContext({ trapId: '01JP4Q8M2ZK6V0R9XWD3B7N5FJ' })).files[0]!.content)).credentialsFile;
    const mine = (await load(file!.content)).credentialsFile;
    expect(accountOfKeyId(other['default']!['aws_access_key_id']!)).toBe(accountOfKeyId(mine['default']!['aws_access_key_id']!));
    expect(other['default']!['aws_access_key_id']).not.toBe(mine['default']!['aws_access_key_id']);
    expect(other['default']!['aws_secret_access_key']).not.toBe(mine['default']!['aws_secret_access_key']);
  });
});
