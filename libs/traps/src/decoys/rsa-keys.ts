import { createHash, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { containsGiveaway } from './giveaways.js';

export interface RsaKeyPair {
  privateKey: KeyObject;
  publicKey: KeyObject;
}

/** What a key is for: each purpose gets its own key, as in a real cluster and cloud account. */
export type RsaKeyPurpose = 'cluster-ca' | 'token-signer' | 'gcp-service-account';

const keys = new Map<RsaKeyPurpose, RsaKeyPair>();

/**
 * An RSA-2048 key pair made once per process and purpose: generating one takes ~100 ms, too slow
 * for every decoy. Keys whose PEM forms spell a giveaway word by chance are discarded.
 */
export function cachedRsaKeyPair(purpose: RsaKeyPurpose): RsaKeyPair {
  const cached = keys.get(purpose);
  if (cached) return cached;
  let pair: RsaKeyPair;
  do pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
  while (containsGiveaway(visibleForms(pair)));
  keys.set(purpose, pair);
  return pair;
}

/** The key id Kubernetes puts in token headers: base64url of the SHA-256 of the DER public key. */
export function kubernetesKeyId(publicKey: KeyObject): string {
  return createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('base64url');
}

function visibleForms(pair: RsaKeyPair): string {
  const privatePem = pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  return [privatePem, JSON.stringify(privatePem), kubernetesKeyId(pair.publicKey)].join('\n');
}
