import { X509Certificate } from 'node:crypto';
import { decodeProtectedHeader, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { decoySigningKey } from './jwt.js';
import { serviceAccountNameFor, serviceAccountUidFor } from './kubernetes-identity.js';
import { sampleDecoyContext } from './samples.js';
import { SERVICE_ACCOUNT_ISSUER, serviceAccountToken } from './service-account-token.js';

describe('service-account-token', () => {
  const ctx = sampleDecoyContext();
  const { files } = serviceAccountToken(ctx);
  const byName = new Map(files.map((f) => [f.name, f.content]));

  it('is the three files of a kube-api-access volume, token first', () => {
    expect(files.map((f) => f.name)).toEqual(['token', 'ca.crt', 'namespace']);
    expect(byName.get('namespace')!.toString()).toBe('payments');
    expect(byName.get('token')!.toString()).not.toMatch(/\s/);
  });

  it('holds a token that verifies with the signing key and carries the bound-token claims', async () => {
    const token = byName.get('token')!.toString();
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'RS256', kid: decoySigningKey().kid });
    const { payload } = await jwtVerify(token, decoySigningKey().publicKey, {
      issuer: SERVICE_ACCOUNT_ISSUER,
      audience: SERVICE_ACCOUNT_ISSUER,
      currentDate: ctx.now,
    });
    expect(payload.sub).toBe('system:serviceaccount:payments:payments-api');
    expect(payload.jti).toBe(ctx.trapId);
    expect(payload.iat).toBeGreaterThan(ctx.now.getTime() / 1000 - 3607);
    // The API server extends the kubelet's 3607 s request to a year and warns after 3607 s.
    expect(payload.exp! - payload.iat!).toBe(365 * 86_400);
    const claims = payload['kubernetes.io'] as Record<string, unknown>;
    expect(claims['warnafter']).toBe(payload.iat! + 3607);
    expect(claims['namespace']).toBe('payments');
    expect(claims['pod']).toEqual({ name: ctx.podName, uid: ctx.podUid });
    expect(claims['node']).toMatchObject({ name: ctx.nodeName });
    expect(claims['serviceaccount']).toEqual({ name: 'payments-api', uid: serviceAccountUidFor(ctx.clusterName, 'payments', 'payments-api') });
  });

  it('holds a self-signed CA certificate that parses and verifies with its own key', () => {
    const cert = new X509Certificate(byName.get('ca.crt')!);
    expect(cert.ca).toBe(true);
    expect(cert.subject).toBe('CN=kubernetes');
    expect(cert.issuer).toBe('CN=kubernetes');
    expect(cert.subjectAltName).toBe('DNS:kubernetes');
    expect(cert.verify(cert.publicKey)).toBe(true);
    expect(cert.checkIssued(cert)).toBe(true);
    expect(cert.publicKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
    expect(new Date(cert.validFrom).getTime()).toBeLessThan(ctx.now.getTime());
    expect(new Date(cert.validTo).getTime()).toBeGreaterThan(ctx.now.getTime());
  });

  it('is signed by a key other than the CA key, as in a real cluster', () => {
    const cert = new X509Certificate(byName.get('ca.crt')!);
    expect(cert.verify(decoySigningKey().publicKey)).toBe(false);
  });
});

describe('serviceAccountNameFor', () => {
  it.each([
    ['payments-api-7d9f8b6c5d-x2k4p', 'payments-api'],
    ['web-5c8b9d7f4-qwz8h', 'web'],
    ['postgres-0', 'postgres'],
    ['fluent-bit-x7k2p', 'fluent-bit'],
    ['nightly-backup-29043360-mbr7c', 'nightly-backup'],
    ['standalone', 'standalone'],
    ['frontend-service', 'frontend-service'],
  ])('%s runs as %s', (podName, serviceAccount) => {
    expect(serviceAccountNameFor(podName)).toBe(serviceAccount);
  });
});
