import { eksOidcIssuer } from './aws-identity.js';
import type { DecoyContext, GeneratedDecoy } from './decoy.js';
import { signJwt } from './jwt.js';
import { projectedTokenClaims, tokenIssuedAt } from './kubernetes-identity.js';

/** EKS pod identity webhook default: expirationSeconds 86400, audience sts.amazonaws.com. */
const LIFETIME_SECONDS = 86_400;

/** The IRSA web-identity token at /var/run/secrets/eks.amazonaws.com/serviceaccount/token. */
export function eksToken(ctx: DecoyContext): GeneratedDecoy {
  const claims = projectedTokenClaims(ctx, {
    issuer: eksOidcIssuer(ctx),
    audience: ['sts.amazonaws.com'],
    issuedAt: tokenIssuedAt(ctx.now, LIFETIME_SECONDS),
    expiresInSeconds: LIFETIME_SECONDS,
  });
  // The kubelet writes the token without a trailing newline.
  return { files: [{ name: 'token', content: Buffer.from(signJwt(claims)) }] };
}
