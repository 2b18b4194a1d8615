import { decodeProtectedHeader, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { eksOidcIssuer } from './aws-identity.js';
import { eksToken } from './eks-token.js';
import { decoySigningKey } from './jwt.js';
import { nodeUidFor, serviceAccountUidFor } from './kubernetes-identity.js';
import { sampleDecoyContext } from './samples.js';

describe('eks-token', () => {
  const ctx = sampleDecoyContext();
  const { files } = eksToken(ctx);
  const token = files[0]!.content.toString();

  it('is a single token file without a trailing newline', () => {
    expect(files.map((f) => f.name)).toEqual(['token']);
    expect(token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
  });

  it('is an RS256 JWT whose header names the signing key', () => {
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'RS256', kid: decoySigningKey().kid });
  });

  it('verifies with the signing key and carries the claims EKS writes', async () => {
    const issuer = eksOidcIssuer(ctx);
    expect(issuer).toMatch(/^https:\/\/oidc\.eks\.[a-z]+-[a-z]+-\d\.amazonaws\.com\/id\/[0-9A-F]{32}$/);
    const { payload } = await jwtVerify(token, decoySigningKey().publicKey, { issuer, audience: 'sts.amazonaws.com', currentDate: ctx.now });
    const now = ctx.now.getTime() / 1000;
    expect(payload.aud).toEqual(['sts.amazonaws.com']);
    expect(payload.sub).toBe('system:serviceaccount:payments:payments-api');
    expect(payload.jti).toBe(ctx.trapId);
    expect(payload.exp! - payload.iat!).toBe(86_400);
    expect(payload.nbf).toBe(payload.iat);
    expect(payload.iat).toBeLessThanOrEqual(now);
    expect(payload.iat).toBeGreaterThan(now - 86_400 * 0.8 - 1);
    expect(payload['kubernetes.io']).toEqual({
      namespace: 'payments',
      node: { name: ctx.nodeName, uid: nodeUidFor(ctx.clusterName, ctx.nodeName) },
      pod: { name: ctx.podName, uid: ctx.podUid },
      serviceaccount: { name: 'payments-api', uid: serviceAccountUidFor(ctx.clusterName, 'payments', 'payments-api') },
    });
  });

  it('lists claims in alphabetical order, as the API server marshals them', () => {
    const payload: object = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString());
    const keys = Object.keys(payload);
    expect(keys).toEqual([...keys].sort());
  });
});
