import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AWS_PROFILES } from './aws-credentials.js';
import { awsAccessKeyIdFor, clusterAccountId } from './aws-identity.js';
import { DECOY_KINDS, type DecoyContext, type DecoyKind, type GeneratedDecoy } from './decoy.js';
import { trapTag } from './derive.js';
import { registryUsernameFor } from './docker-config.js';
import { gcpClientIdFor, gcpPrivateKeyIdFor } from './gcp-service-account.js';
import { generateDecoy } from './generate-decoy.js';
import { GIVEAWAY_WORDS } from './giveaways.js';
import { DECOY_KINDS as EXPORTED_KINDS, generateDecoy as exportedGenerateDecoy } from './index.js';
import { kubeconfigAccessKeyId } from './kubeconfig.js';
import { sampleDecoyContext } from './samples.js';
import { sshKeyCommentFor } from './ssh-private-key.js';

const FILE_NAMES: Record<DecoyKind, string[]> = {
  'aws-credentials': ['credentials'],
  'eks-token': ['token'],
  'service-account-token': ['token', 'ca.crt', 'namespace'],
  kubeconfig: ['config'],
  'ssh-private-key': ['id_ed25519'],
  'gcp-service-account': ['key.json'],
  dotenv: ['.env'],
  'docker-config': ['config.json'],
};

/** A value derived from the trap id that each kind must carry (visibly or one decoding away). */
const TRACE: Record<DecoyKind, (ctx: DecoyContext) => string> = {
  'aws-credentials': (ctx) => awsAccessKeyIdFor(ctx.trapId, clusterAccountId(ctx.clusterName), 'default', AWS_PROFILES[0]!.prefix),
  'eks-token': (ctx) => `"jti":"${ctx.trapId}"`,
  'service-account-token': (ctx) => `"jti":"${ctx.trapId}"`,
  kubeconfig: (ctx) => `X-Amz-Credential=${kubeconfigAccessKeyId(ctx)}%2F`,
  'ssh-private-key': (ctx) => sshKeyCommentFor(ctx.trapId),
  'gcp-service-account': (ctx) => `"private_key_id": "${gcpPrivateKeyIdFor(ctx.trapId)}"`,
  dotenv: (ctx) => trapTag(ctx.trapId),
  'docker-config': (ctx) => `${registryUsernameFor(ctx)}:ghp_`,
};

const BASE64_RUN = /[A-Za-z0-9+/_-]{16,}={0,2}/g;

/**
 * Everything an attacker can read in a decoy: the files as they are, and every base64 run in them
 * decoded (JWT parts, basic auth, kubeconfig CA data and token, PEM and OpenSSH bodies), three deep.
 */
function readableText(decoy: GeneratedDecoy): string {
  const layers: string[] = [];
  let current = decoy.files.map((f) => f.content.toString('latin1'));
  for (let depth = 0; depth < 4 && current.length > 0; depth++) {
    layers.push(...current);
    current = current.flatMap((text) => [...text.matchAll(BASE64_RUN)].map(([run]) => Buffer.from(run, 'base64').toString('latin1')));
  }
  return layers.join('\n');
}

function firstFile(decoy: GeneratedDecoy): string {
  return decoy.files[0]!.content.toString();
}

describe('generateDecoy', () => {
  const ctx = sampleDecoyContext();

  it('is exported with the kinds from the index', () => {
    expect(exportedGenerateDecoy).toBe(generateDecoy);
    expect(EXPORTED_KINDS).toEqual(DECOY_KINDS);
  });

  it.each(DECOY_KINDS)('%s: makes the files of its kind, private where the real ones are', (kind) => {
    const { files } = generateDecoy(kind, ctx);
    expect(files.map((f) => f.name)).toEqual(FILE_NAMES[kind]);
    for (const file of files) expect(file.content.length).toBeGreaterThan(0);
    const privateKinds: DecoyKind[] = ['aws-credentials', 'ssh-private-key'];
    expect(files[0]!.mode).toBe(privateKinds.includes(kind) ? 0o600 : undefined);
  });

  it.each(DECOY_KINDS)('%s: never says what it is', (kind) => {
    for (let i = 0; i < 10; i++) {
      const trapId = i % 2 === 0 ? randomUUID() : `01JP4Q8M2ZK6V0R9XWD3B7N${String(i).padStart(3, '0')}`;
      const text = readableText(generateDecoy(kind, sampleDecoyContext({ trapId })));
      for (const word of GIVEAWAY_WORDS) expect(text.toLowerCase()).not.toContain(word);
    }
  });

  it.each(DECOY_KINDS)('%s: carries a value derived from the trap id', (kind) => {
    for (const trapId of [ctx.trapId, randomUUID()]) {
      const traced = sampleDecoyContext({ trapId });
      expect(readableText(generateDecoy(kind, traced))).toContain(TRACE[kind](traced));
    }
  });

  it.each(DECOY_KINDS)('%s: differs between traps', (kind) => {
    const other = sampleDecoyContext({ trapId: randomUUID() });
    expect(firstFile(generateDecoy(kind, other))).not.toBe(firstFile(generateDecoy(kind, ctx)));
    expect(readableText(generateDecoy(kind, other))).not.toContain(TRACE[kind](ctx));
  });

  const REDRAWN_KINDS = DECOY_KINDS.filter((kind) => kind !== 'gcp-service-account');

  it.each(REDRAWN_KINDS)('%s: differs on every call for the same trap', (kind) => {
    // Tokens vary only by their issue time (random within the kubelet's refresh window, to the
    // second): two draws can coincide, three practically cannot.
    const draws = new Set(Array.from({ length: 3 }, () => firstFile(generateDecoy(kind, ctx))));
    expect(draws.size).toBeGreaterThan(1);
  });

  it('gcp-service-account: repeats for the same trap, its RSA key being made once per process', () => {
    expect(firstFile(generateDecoy('gcp-service-account', ctx))).toBe(firstFile(generateDecoy('gcp-service-account', ctx)));
    expect(gcpClientIdFor(ctx.trapId)).not.toBe(gcpClientIdFor(randomUUID()));
  });

  it('gives up redrawing when the giveaway word is in the pod name itself', () => {
    const named = sampleDecoyContext({ podName: 'web-canary-7d9f8b6c5d-x2k4p' });
    expect(firstFile(generateDecoy('dotenv', named))).toContain('APP_NAME=web-canary\n');
  });
});
