import { randomInt } from 'node:crypto';
import type { DecoyContext } from './decoy.js';
import { uuidFor } from './derive.js';

// Kubernetes random name suffixes use this alphabet (no vowels, no 0/1/3): pod suffixes are 5
// characters, ReplicaSet pod-template hashes 6 to 10.
const SUFFIX_CHARS = '[bcdfghjklmnpqrstvwxz2456789]';
const POD_SUFFIX = new RegExp(`-${SUFFIX_CHARS}{5}$`);
const TEMPLATE_HASH = new RegExp(`-${SUFFIX_CHARS}{6,10}$`);
// StatefulSet ordinals, and the scheduled-time suffix of CronJob jobs.
const NUMERIC_SUFFIX = /-\d+$/;

/** The service account a pod most likely runs as: its workload name ("web-api-7d9f8b6c5d-x2k4p" → "web-api"). */
export function serviceAccountNameFor(podName: string): string {
  const workload = podName.replace(POD_SUFFIX, '').replace(TEMPLATE_HASH, '').replace(NUMERIC_SUFFIX, '');
  return workload.length > 0 ? workload.slice(0, 63).replace(/-+$/, '') : 'default';
}

/** Stable per cluster, namespace and name, so every token of a service account agrees. */
export function serviceAccountUidFor(clusterName: string, namespace: string, name: string): string {
  return uuidFor('serviceaccount', clusterName, namespace, name);
}

export function nodeUidFor(clusterName: string, nodeName: string): string {
  return uuidFor('node', clusterName, nodeName);
}

/**
 * When the kubelet last refreshed a projected token: it renews at 80% of the lifetime, so a
 * mounted token was issued anywhere in that window before now, never exactly now.
 */
export function tokenIssuedAt(now: Date, lifetimeSeconds: number): number {
  return Math.floor(now.getTime() / 1000) - randomInt(Math.floor(lifetimeSeconds * 0.8));
}

export interface ProjectedTokenClaims {
  issuer: string;
  audience: string[];
  issuedAt: number;
  expiresInSeconds: number;
  /** Set when the API server extends the token's expiry and warns after the requested lifetime. */
  warnAfterSeconds?: number;
}

/** Claims as the API server's TokenRequest writes them: keys in alphabetical order (go-jose marshals a map). */
export function projectedTokenClaims(ctx: DecoyContext, token: ProjectedTokenClaims): object {
  const serviceAccount = serviceAccountNameFor(ctx.podName);
  const { issuedAt } = token;
  return {
    aud: token.audience,
    exp: issuedAt + token.expiresInSeconds,
    iat: issuedAt,
    iss: token.issuer,
    jti: ctx.trapId,
    'kubernetes.io': {
      namespace: ctx.podNamespace,
      node: { name: ctx.nodeName, uid: nodeUidFor(ctx.clusterName, ctx.nodeName) },
      pod: { name: ctx.podName, uid: ctx.podUid },
      serviceaccount: { name: serviceAccount, uid: serviceAccountUidFor(ctx.clusterName, ctx.podNamespace, serviceAccount) },
      ...(token.warnAfterSeconds === undefined ? {} : { warnafter: issuedAt + token.warnAfterSeconds }),
    },
    nbf: issuedAt,
    sub: `system:serviceaccount:${ctx.podNamespace}:${serviceAccount}`,
  };
}
