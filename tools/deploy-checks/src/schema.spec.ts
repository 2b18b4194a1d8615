import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { helm, templateArgs } from './helm.js';

const fixture = (name: string) => join(import.meta.dirname, '..', 'fixtures', `${name}-values.yaml`);

// Each fixture differs from the defaults (which render, see chart.spec.ts) in one value.
describe('values.schema.json and the chart refuse bad values, naming them', () => {
  it.each([
    ['bad-tolerations', /agent\.tolerations: Invalid type\. Expected: array, given: string/],
    ['bad-trap-kind', /policy\.traps\.0\.kind: policy\.traps\.0\.kind must be one of the following: "aws-credentials"/],
    ['misspelt-key', /alertRouter: Additional property replica is not allowed/],
    ['external-nats-without-url', /nats\.external\.url: String length must be greater than or equal to 1/],
    ['webhook-without-secret', /alertRouter\.webhook\.url needs a signing key/],
  ])('helm template fails on %s', (name, message) => {
    const r = helm(templateArgs([fixture(name)]));
    expect(r.stderr).toMatch(message);
    expect(r.status).not.toBe(0);
    expect(r.stdout).toBe('');
  });
});
