import { describe, expect, it } from 'vitest';
import { decodeToken, encodeToken } from './subject-token.js';
import { accessSubject, alertSubject, armSubject, dlqSubject, trapKey } from './subjects.js';

describe('subjects', () => {
  it('keep plain names readable', () => {
    expect(armSubject('node-1')).toBe('beesting.v1.arm.node-1');
    expect(accessSubject('worker-7')).toBe('beesting.v1.access.worker-7');
    expect(alertSubject('critical', 'payments')).toBe('beesting.v1.alerts.critical.payments');
    expect(dlqSubject('sink.webhook')).toBe('beesting.v1.dlq.sink.webhook');
  });

  it('turn a dotted node name into one token, reversibly', () => {
    const node = 'ip-10-0-1-2.ec2.internal';
    const subject = accessSubject(node);
    expect(subject.split('.')).toHaveLength(4);
    expect(decodeToken(subject.split('.')[3]!)).toBe(node);
    expect(trapKey(node, 'trp_1')).toBe('ip-10-0-1-2_2eec2_2einternal.trp_5f1');
  });

  it.each(['a*b', 'a>b', 'a b', 'ünïcode', 'under_score', 'x\ty'])('never let %j break a subject or KV key', (raw) => {
    const token = encodeToken(raw);
    expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeToken(token)).toBe(raw);
  });

  it('refuse an empty token', () => {
    expect(() => accessSubject('')).toThrow(/cannot be empty/);
  });
});
