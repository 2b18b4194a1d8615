import { execFileSync } from 'node:child_process';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ed25519KeyParts, openSshPrivateKey } from './openssh.js';
import { sampleDecoyContext } from './samples.js';
import { sshKeyCommentFor, sshPrivateKey } from './ssh-private-key.js';

const SSH_KEYGEN = '/usr/bin/ssh-keygen';
const dir = mkdtempSync(join(tmpdir(), 'ssh-key-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function writeKey(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content, { mode: 0o600 });
  return path;
}

function sshKeygen(...args: string[]): string {
  return execFileSync(SSH_KEYGEN, args, { stdio: ['ignore', 'pipe', 'pipe'] }).toString().trim();
}

/** The public key blob computed independently of the encoder under test. */
function expectedBlob(publicKey: Buffer): Buffer {
  const type = Buffer.from('ssh-ed25519');
  const u32 = (n: number) => Buffer.from([n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff]);
  return Buffer.concat([u32(type.length), type, u32(publicKey.length), publicKey]);
}

describe('openSshPrivateKey', () => {
  const { privateKey } = generateKeyPairSync('ed25519');
  const parts = ed25519KeyParts(privateKey);
  const pem = openSshPrivateKey(parts, 'deploy@build-host');
  const path = writeKey('id_known', pem);

  it('is armored openssh-key-v1, wrapped at 70 columns', () => {
    const lines = pem.trimEnd().split('\n');
    expect(lines[0]).toBe('-----BEGIN OPENSSH PRIVATE KEY-----');
    expect(lines.at(-1)).toBe('-----END OPENSSH PRIVATE KEY-----');
    const body = lines.slice(1, -1);
    expect(body.slice(0, -1).every((line) => line.length === 70)).toBe(true);
    expect(Buffer.from(body.join(''), 'base64').subarray(0, 15).toString('latin1')).toBe('openssh-key-v1\0');
  });

  it('is read by ssh-keygen, which derives the expected public key', () => {
    expect(parts.seed).toHaveLength(32);
    expect(parts.publicKey).toHaveLength(32);
    const [type, blob, comment] = sshKeygen('-y', '-f', path).split(' ');
    expect(type).toBe('ssh-ed25519');
    expect(blob).toBe(expectedBlob(parts.publicKey).toString('base64'));
    expect(comment).toBe('deploy@build-host');
  });

  it('has the fingerprint of the expected public key', () => {
    const fingerprint = createHash('sha256').update(expectedBlob(parts.publicKey)).digest('base64').replace(/=+$/, '');
    expect(sshKeygen('-l', '-f', path)).toBe(`256 SHA256:${fingerprint} deploy@build-host (ED25519)`);
  });

  it('pads the private section for any comment length', () => {
    for (const comment of ['', 'a', 'ab', 'abc', 'abcd', 'abcde', 'abcdef', 'abcdefg']) {
      const keyPath = writeKey(`id_${comment.length}`, openSshPrivateKey(parts, comment));
      expect(sshKeygen('-y', '-f', keyPath).split(' ')[1]).toBe(expectedBlob(parts.publicKey).toString('base64'));
    }
  });
});

describe('ssh-private-key', () => {
  const ctx = sampleDecoyContext();
  const [file] = sshPrivateKey(ctx).files;
  const path = writeKey('id_ed25519', file!.content);

  it('is a private id_ed25519 file', () => {
    expect(file!.name).toBe('id_ed25519');
    expect(file!.mode).toBe(0o600);
  });

  it('holds a working key whose comment derives from the trap id', () => {
    const comment = sshKeyCommentFor(ctx.trapId);
    expect(comment).toMatch(/^[a-z0-9-]+@ip-10-\d{1,3}-\d{1,3}-\d{1,3}$/);
    const publicLine = sshKeygen('-y', '-f', path);
    expect(publicLine).toMatch(new RegExp(`^ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI[A-Za-z0-9+/]{43} ${comment}$`));
    expect(sshKeygen('-l', '-f', path)).toMatch(new RegExp(`^256 SHA256:[A-Za-z0-9+/]{43} ${comment} \\(ED25519\\)$`));
  });

  it('signs with ssh-keygen, and the signature verifies with the public key', () => {
    const [type, blob] = sshKeygen('-y', '-f', path).split(' ');
    const message = writeKey('message', 'hello');
    execFileSync(SSH_KEYGEN, ['-Y', 'sign', '-f', path, '-n', 'file', message], { stdio: 'ignore' });
    const allowedSigners = writeKey('allowed_signers', `ops@example.com ${type} ${blob}\n`);
    const verified = execFileSync(
      SSH_KEYGEN,
      ['-Y', 'verify', '-f', allowedSigners, '-I', 'ops@example.com', '-n', 'file', '-s', `${message}.sig`],
      { input: 'hello', stdio: ['pipe', 'pipe', 'pipe'] },
    ).toString();
    expect(verified).toMatch(/Good "file" signature for ops@example.com/);
  });
});
