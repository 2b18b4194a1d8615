import { sign } from 'node:crypto';
import { cachedRsaKeyPair, kubernetesKeyId, type RsaKeyPair } from './rsa-keys.js';

export interface SigningKey extends RsaKeyPair {
  kid: string;
}

/** The key that signs the cluster's tokens (one per process); tests verify tokens with its public key. */
export function decoySigningKey(): SigningKey {
  const pair = cachedRsaKeyPair('token-signer');
  return { ...pair, kid: kubernetesKeyId(pair.publicKey) };
}

/** A compact RS256 JWT. Claims are serialised in the order given. */
export function signJwt(claims: object, key: SigningKey = decoySigningKey()): string {
  const header = { alg: 'RS256', kid: key.kid };
  const signingInput = `${base64UrlJson(header)}.${base64UrlJson(claims)}`;
  const signature = sign('sha256', Buffer.from(signingInput), key.privateKey).toString('base64url');
  return `${signingInput}.${signature}`;
}

function base64UrlJson(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}
