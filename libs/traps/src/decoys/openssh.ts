import { randomBytes, type KeyObject } from 'node:crypto';

// The openssh-key-v1 private key format (OpenSSH PROTOCOL.key), unencrypted, for Ed25519 keys.

const MAGIC = Buffer.from('openssh-key-v1\0', 'ascii');
const KEY_TYPE = 'ssh-ed25519';
const BLOCK_SIZE = 8; // the "none" cipher's block size
const LINE_WIDTH = 70;

export interface Ed25519KeyParts {
  /** The 32-byte private seed. */
  seed: Buffer;
  /** The 32-byte public key. */
  publicKey: Buffer;
}

export function ed25519KeyParts(privateKey: KeyObject): Ed25519KeyParts {
  const jwk = privateKey.export({ format: 'jwk' });
  if (jwk.crv !== 'Ed25519' || jwk.d === undefined || jwk.x === undefined) throw new TypeError('not an Ed25519 private key');
  return { seed: Buffer.from(jwk.d, 'base64url'), publicKey: Buffer.from(jwk.x, 'base64url') };
}

/** The public key blob: string "ssh-ed25519", string key. */
function ed25519PublicKeyBlob(publicKey: Buffer): Buffer {
  return Buffer.concat([sshString(KEY_TYPE), sshString(publicKey)]);
}

/** An unencrypted "-----BEGIN OPENSSH PRIVATE KEY-----" file. */
export function openSshPrivateKey(key: Ed25519KeyParts, comment: string, checkInt: Buffer = randomBytes(4)): string {
  const body = Buffer.concat([
    MAGIC,
    sshString('none'), // cipher
    sshString('none'), // kdf
    sshString(''), // kdf options
    uint32(1), // number of keys
    sshString(ed25519PublicKeyBlob(key.publicKey)),
    sshString(privateSection(key, comment, checkInt)),
  ]);
  const lines = body.toString('base64').match(new RegExp(`.{1,${LINE_WIDTH}}`, 'g')) ?? [];
  return `-----BEGIN OPENSSH PRIVATE KEY-----\n${lines.join('\n')}\n-----END OPENSSH PRIVATE KEY-----\n`;
}

function privateSection(key: Ed25519KeyParts, comment: string, checkInt: Buffer): Buffer {
  const unpadded = Buffer.concat([
    checkInt, // twice: decryption is checked by comparing them
    checkInt,
    sshString(KEY_TYPE),
    sshString(key.publicKey),
    sshString(Buffer.concat([key.seed, key.publicKey])),
    sshString(comment),
  ]);
  const paddingLength = (BLOCK_SIZE - (unpadded.length % BLOCK_SIZE)) % BLOCK_SIZE;
  const padding = Buffer.from(Array.from({ length: paddingLength }, (_, i) => i + 1));
  return Buffer.concat([unpadded, padding]);
}

function sshString(value: string | Buffer): Buffer {
  const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
  return Buffer.concat([uint32(bytes.length), bytes]);
}

function uint32(value: number): Buffer {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32BE(value);
  return bytes;
}
