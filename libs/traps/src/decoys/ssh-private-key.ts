import { generateKeyPairSync } from 'node:crypto';
import type { DecoyContext, GeneratedDecoy } from './decoy.js';
import { digestOf, pickFor } from './derive.js';
import { ed25519KeyParts, openSshPrivateKey } from './openssh.js';

const USERS = ['deploy', 'ec2-user', 'ubuntu', 'admin', 'jenkins', 'git', 'ci'] as const;

/** ~/.ssh/id_ed25519: a real, unencrypted Ed25519 key in OpenSSH's own format. */
export function sshPrivateKey(ctx: DecoyContext): GeneratedDecoy {
  const { privateKey } = generateKeyPairSync('ed25519');
  const content = openSshPrivateKey(ed25519KeyParts(privateKey), sshKeyCommentFor(ctx.trapId));
  return { files: [{ name: 'id_ed25519', content: Buffer.from(content), mode: 0o600 }] };
}

/** "user@ip-10-a-b-c": the comment ssh-keygen leaves on an EC2 host, with the address derived from the trap id. */
export function sshKeyCommentFor(trapId: string): string {
  const digest = digestOf('ssh-comment-host', trapId);
  const host = `ip-10-${digest[0] ?? 0}-${digest[1] ?? 0}-${((digest[2] ?? 0) % 253) + 2}`;
  return `${pickFor(USERS, 'ssh-comment-user', trapId)}@${host}`;
}
