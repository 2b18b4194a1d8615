import { clusterCaCertificate } from './cluster-ca.js';
import type { DecoyContext, GeneratedDecoy } from './decoy.js';
import { signJwt } from './jwt.js';
import { projectedTokenClaims, tokenIssuedAt } from './kubernetes-identity.js';

export const SERVICE_ACCOUNT_ISSUER = 'https://kubernetes.default.svc.cluster.local';
/** The lifetime the kube-api-access volume asks for; the API server warns after it. */
const REQUESTED_LIFETIME_SECONDS = 3607;
/** With --service-account-extend-token-expiration (the default) that request gets a year. */
const EXTENDED_LIFETIME_SECONDS = 365 * 86_400;

/** The kube-api-access projected volume at /var/run/secrets/kubernetes.io/serviceaccount. */
export function serviceAccountToken(ctx: DecoyContext): GeneratedDecoy {
  const claims = projectedTokenClaims(ctx, {
    issuer: SERVICE_ACCOUNT_ISSUER,
    audience: [SERVICE_ACCOUNT_ISSUER],
    issuedAt: tokenIssuedAt(ctx.now, REQUESTED_LIFETIME_SECONDS),
    expiresInSeconds: EXTENDED_LIFETIME_SECONDS,
    warnAfterSeconds: REQUESTED_LIFETIME_SECONDS,
  });
  return {
    files: [
      { name: 'token', content: Buffer.from(signJwt(claims)) },
      { name: 'ca.crt', content: Buffer.from(clusterCaCertificate(ctx.clusterName, ctx.now)) },
      { name: 'namespace', content: Buffer.from(ctx.podNamespace) },
    ],
  };
}
