import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from './default-policy.js';
import { loadPolicy, parsePolicy } from './load-policy.js';
import { TrapMatcher } from './match-traps.js';
import { PolicyError } from './policy-error.js';

const pod = (over: Partial<{ name: string; namespace: string; labels: Record<string, string>; annotations: Record<string, string> }> = {}) => ({
  name: 'web-7d9f8-abcde',
  namespace: 'shop',
  uid: 'uid-1',
  labels: {},
  annotations: {},
  ...over,
});

const POLICY = `
traps:
  - name: aws
    kind: aws-credentials
    path: /root/.aws/credentials
    memo: shop credentials
    mode: "0600"
    owner: "1000:1000"
    selector:
      namespaces: { include: ["shop", "pay-*"], exclude: ["pay-test"] }
      podLabels:
        matchLabels: { tier: web }
        matchExpressions:
          - { key: env, operator: In, values: [prod, staging] }
          - { key: canary, operator: DoesNotExist }
      containers: { include: ["*"], exclude: ["istio-proxy"] }
  - name: eks
    kind: eks-token
    path: /var/run/secrets/eks.amazonaws.com/serviceaccount/token
`;

function policyError(text: string): PolicyError {
  try {
    parsePolicy(text, 'p.yaml');
  } catch (err) {
    if (err instanceof PolicyError) return err;
    throw err;
  }
  throw new Error('no error');
}

describe('trap policy', () => {
  it('parses a policy with defaults filled in', () => {
    const policy = parsePolicy(POLICY);
    expect(policy.traps[0]).toMatchObject({ name: 'aws', kind: 'aws-credentials', mode: 0o600, owner: { uid: 1000, gid: 1000 } });
    expect(policy.traps[1]).toMatchObject({
      memo: '',
      owner: { uid: 0, gid: 0 },
      selector: { namespaces: { include: ['*'], exclude: [] }, containers: { include: ['*'], exclude: [] }, podLabels: { matchLabels: {}, matchExpressions: [] } },
    });
    expect(policy.traps[1]?.mode).toBeUndefined();
  });

  it('is the built-in EKS token decoy everywhere but kube-system without a file', () => {
    expect(loadPolicy(undefined)).toBe(DEFAULT_POLICY);
    const matcher = new TrapMatcher(DEFAULT_POLICY);
    expect(matcher.match(pod(), { name: 'app' }).traps.map((t) => t.path)).toEqual(['/var/run/secrets/eks.amazonaws.com/serviceaccount/token']);
    expect(matcher.match(pod({ namespace: 'kube-system' }), { name: 'coredns' }).traps).toEqual([]);
  });

  it.each([
    ['an unknown key', 'traps:\n  - name: a\n    kind: dotenv\n    path: /a/.env\n    colour: red\n', 'traps[0]', /colour/],
    ['an unknown kind', 'traps:\n  - name: a\n    kind: password-file\n    path: /a\n', 'traps[0].kind', /aws-credentials/],
    ['a relative path', 'traps:\n  - name: a\n    kind: dotenv\n    path: app/.env\n', 'traps[0].path', /absolute/],
    ['a path with ..', 'traps:\n  - name: a\n    kind: dotenv\n    path: /app/../etc/.env\n', 'traps[0].path', /normalized/],
    ['a bad name', 'traps:\n  - name: My Trap\n    kind: dotenv\n    path: /a/.env\n', 'traps[0].name', /DNS label/],
    ['a duplicate name', 'traps:\n  - {name: a, kind: dotenv, path: /a/.env}\n  - {name: a, kind: dotenv, path: /b/.env}\n', 'traps[1].name', /duplicate/],
    ['a bad mode', 'traps:\n  - {name: a, kind: dotenv, path: /a/.env, mode: "999"}\n', 'traps[0].mode', /octal/],
    ['a bad owner', 'traps:\n  - {name: a, kind: dotenv, path: /a/.env, owner: root}\n', 'traps[0].owner', /uid:gid/],
    ['In without values', 'traps:\n  - name: a\n    kind: dotenv\n    path: /a/.env\n    selector:\n      podLabels:\n        matchExpressions: [{key: a, operator: In}]\n', 'traps[0].selector.podLabels.matchExpressions[0].values', /need values/],
    ['a bad operator', 'traps:\n  - name: a\n    kind: dotenv\n    path: /a/.env\n    selector:\n      podLabels:\n        matchExpressions: [{key: a, operator: Gt, values: ["1"]}]\n', 'traps[0].selector.podLabels.matchExpressions[0].operator', /In/],
    ['traps not a list', 'traps: {}\n', 'traps', /array/],
    ['a top-level typo', 'trap: []\n', '', /trap/],
  ])('rejects %s, naming the key', (_what, text, key, reason) => {
    const error = policyError(text);
    expect(error.code).toBe('BEESTING_ERR_POLICY');
    expect(error.key).toBe(key);
    expect(error.message).toMatch(reason);
    expect(error.message).toContain('p.yaml');
  });

  it('rejects invalid YAML and unreadable files with the file named', () => {
    expect(policyError('traps: [\n').message).toMatch(/p\.yaml: not valid YAML/);
    expect(() => loadPolicy('/nonexistent/policy.yaml')).toThrow(/BEESTING_ERR_POLICY: \/nonexistent\/policy.yaml: cannot read: ENOENT/);
    const dir = mkdtempSync(join(tmpdir(), 'policy-'));
    writeFileSync(join(dir, 'p.yaml'), POLICY);
    expect(loadPolicy(join(dir, 'p.yaml')).traps).toHaveLength(2);
  });
});

describe('trap selection', () => {
  const matcher = new TrapMatcher(parsePolicy(POLICY));
  const names = (p: ReturnType<typeof pod>, container = 'app') => matcher.match(p, { name: container }).traps.map((t) => t.name);
  const web = { tier: 'web', env: 'prod' };

  it('selects by namespace globs, labels and container globs', () => {
    expect(names(pod({ labels: web }))).toEqual(['aws', 'eks']);
    expect(names(pod({ namespace: 'pay-eu', labels: web }))).toEqual(['aws', 'eks']);
    expect(names(pod({ namespace: 'pay-test', labels: web }))).toEqual(['eks']);
    expect(names(pod({ namespace: 'other', labels: web }))).toEqual(['eks']);
    expect(names(pod({ labels: web }), 'istio-proxy')).toEqual(['eks']);
    expect(names(pod({ labels: { tier: 'web', env: 'dev' } }))).toEqual(['eks']);
    expect(names(pod({ labels: { tier: 'web' } }))).toEqual(['eks']);
    expect(names(pod({ labels: { ...web, canary: 'yes' } }))).toEqual(['eks']);
    expect(names(pod({ labels: { tier: 'db', env: 'prod' } }))).toEqual(['eks']);
  });

  it('gives nothing to a pod annotated beesting.dev/disable: "true"', () => {
    expect(matcher.match(pod({ labels: web, annotations: { 'beesting.dev/disable': 'true' } }), { name: 'app' })).toEqual({ optedOut: true, traps: [] });
    expect(matcher.match(pod({ labels: web, annotations: { 'beesting.dev/disable': 'TRUE ' } }), { name: 'app' }).optedOut).toBe(true);
    expect(names(pod({ labels: web, annotations: { 'beesting.dev/disable': 'false' } }))).toEqual(['aws', 'eks']);
  });
});
