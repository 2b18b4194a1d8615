import { execFileSync } from 'node:child_process';
import { X509Certificate, generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { clusterCaCertificate } from './cluster-ca.js';
import { selfSignedCaCertificate } from './x509.js';

const OPENSSL = '/usr/bin/openssl';

describe('selfSignedCaCertificate', () => {
  const keyPair = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = selfSignedCaCertificate({
    commonName: 'kubernetes',
    serialNumber: Buffer.from('00f3a1', 'hex'),
    notBefore: new Date('2024-05-01T08:00:00Z'),
    notAfter: new Date('2054-05-01T08:00:00Z'),
    dnsNames: ['kubernetes'],
    ...keyPair,
  });

  it('makes a certificate node:crypto parses, with the given fields', () => {
    const cert = new X509Certificate(pem);
    expect(cert.ca).toBe(true);
    expect(cert.subject).toBe('CN=kubernetes');
    expect(cert.serialNumber).toBe('F3A1');
    expect(new Date(cert.validFrom).toISOString()).toBe('2024-05-01T08:00:00.000Z');
    // After 2049 validity switches to GeneralizedTime.
    expect(new Date(cert.validTo).toISOString()).toBe('2054-05-01T08:00:00.000Z');
    expect(cert.publicKey.equals(keyPair.publicKey)).toBe(true);
    expect(cert.verify(keyPair.publicKey)).toBe(true);
  });

  it.skipIf(!existsSync(OPENSSL))('has the CA extensions openssl expects of a cluster CA', () => {
    const text = execFileSync(OPENSSL, ['x509', '-noout', '-text'], { input: pem }).toString();
    expect(text).toMatch(/Version: 3 \(0x2\)/);
    expect(text).toMatch(/Signature Algorithm: sha256WithRSAEncryption/);
    expect(text).toMatch(/X509v3 Key Usage: critical\s+Digital Signature, Key Encipherment, Certificate Sign/);
    expect(text).toMatch(/X509v3 Basic Constraints: critical\s+CA:TRUE/);
    expect(text).toMatch(/X509v3 Subject Key Identifier:/);
    expect(text).toMatch(/X509v3 Subject Alternative Name:\s+DNS:kubernetes/);
    const dir = mkdtempSync(join(tmpdir(), 'ca-'));
    try {
      writeFileSync(join(dir, 'ca.crt'), pem);
      const verified = execFileSync(OPENSSL, ['verify', '-CAfile', join(dir, 'ca.crt'), join(dir, 'ca.crt')]).toString();
      expect(verified).toMatch(/: OK/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('clusterCaCertificate', () => {
  const now = new Date('2026-03-14T09:26:53Z');

  it('is the same for a cluster and differs between clusters', () => {
    expect(clusterCaCertificate('prod-eu-1', now)).toBe(clusterCaCertificate('prod-eu-1', new Date()));
    expect(clusterCaCertificate('staging-us', now)).not.toBe(clusterCaCertificate('prod-eu-1', now));
  });

  it('was issued before now and lasts ten years', () => {
    const cert = new X509Certificate(clusterCaCertificate('staging-ap', now));
    const validFrom = new Date(cert.validFrom);
    expect(validFrom.getTime()).toBeLessThan(now.getTime() - 89 * 86_400_000);
    expect(new Date(cert.validTo).getUTCFullYear() - validFrom.getUTCFullYear()).toBe(10);
  });
});
