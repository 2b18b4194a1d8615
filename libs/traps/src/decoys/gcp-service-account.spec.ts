import { createPrivateKey, createPublicKey, sign, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { gcpClientIdFor, gcpPrivateKeyIdFor, gcpProjectIdFor, gcpServiceAccount, gcpServiceAccountIdFor } from './gcp-service-account.js';
import { sampleDecoyContext } from './samples.js';

describe('gcp-service-account', () => {
  const ctx = sampleDecoyContext();
  const [file] = gcpServiceAccount(ctx).files;
  const keyFile = JSON.parse(file!.content.toString()) as Record<string, string>;

  it('is a key.json with the fields of a Google service account key, in order', () => {
    expect(file!.name).toBe('key.json');
    expect(Object.keys(keyFile)).toEqual([
      'type',
      'project_id',
      'private_key_id',
      'private_key',
      'client_email',
      'client_id',
      'auth_uri',
      'token_uri',
      'auth_provider_x509_cert_url',
      'client_x509_cert_url',
      'universe_domain',
    ]);
    expect(keyFile['type']).toBe('service_account');
    expect(keyFile['token_uri']).toBe('https://oauth2.googleapis.com/token');
    expect(keyFile['universe_domain']).toBe('googleapis.com');
  });

  it('names a plausible account in a plausible project', () => {
    const projectId = gcpProjectIdFor(ctx.clusterName);
    expect(projectId).toMatch(/^[a-z][a-z0-9-]{4,28}[a-z0-9]$/);
    expect(keyFile['project_id']).toBe(projectId);
    const accountId = gcpServiceAccountIdFor(ctx);
    expect(accountId).toMatch(/^[a-z][a-z0-9-]{4,28}[a-z0-9]$/);
    expect(accountId).toMatch(/^payments-api-/);
    expect(keyFile['client_email']).toBe(`${accountId}@${projectId}.iam.gserviceaccount.com`);
    expect(keyFile['client_x509_cert_url']).toBe(
      `https://www.googleapis.com/robot/v1/metadata/x509/${encodeURIComponent(keyFile['client_email']!)}`,
    );
  });

  it('derives the key id and client id from the trap id', () => {
    expect(keyFile['private_key_id']).toBe(gcpPrivateKeyIdFor(ctx.trapId));
    expect(keyFile['private_key_id']).toMatch(/^[0-9a-f]{40}$/);
    expect(keyFile['client_id']).toBe(gcpClientIdFor(ctx.trapId));
    expect(keyFile['client_id']).toMatch(/^1\d{20}$/);
  });

  it('holds a working RSA-2048 private key', () => {
    expect(keyFile['private_key']).toMatch(/^-----BEGIN PRIVATE KEY-----\n[\s\S]+\n-----END PRIVATE KEY-----\n$/);
    const privateKey = createPrivateKey(keyFile['private_key']!);
    expect(privateKey.asymmetricKeyType).toBe('rsa');
    expect(privateKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
    const data = Buffer.from('{"alg":"RS256","typ":"JWT"}');
    const signature = sign('sha256', data, privateKey);
    expect(verify('sha256', data, createPublicKey(privateKey), signature)).toBe(true);
  });

  it('keeps the account id valid for any pod name', () => {
    for (const podName of ['x-0', '9lives-5c8b9d7f4-qwz8h', 'a-really-quite-remarkably-long-workload-name-7d9f8b6c5d-x2k4p']) {
      expect(gcpServiceAccountIdFor(sampleDecoyContext({ podName }))).toMatch(/^[a-z][a-z0-9-]{4,28}[a-z0-9]$/);
    }
    expect(gcpProjectIdFor('1st-cluster')).toMatch(/^[a-z][a-z0-9-]{4,28}[a-z0-9]$/);
  });
});
