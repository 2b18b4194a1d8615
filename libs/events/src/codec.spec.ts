import { create, equals, toJson } from '@bufbuild/protobuf';
import type { DescMessage } from '@bufbuild/protobuf';
import { describe, expect, it } from 'vitest';
import { decodeMessage, encodeMessage } from './codec.js';
import { AccessEventSchema } from './gen/beesting/v1/access_event_pb.js';
import { AlertSchema, WatchAlertsRequestSchema, WatchAlertsResponseSchema, Severity } from './gen/beesting/v1/alert_pb.js';
import { ArmReplySchema, TrapRegistrationSchema } from './gen/beesting/v1/trap_pb.js';
import { DetectionBackend } from './gen/beesting/v1/common_pb.js';
import { MessageValidationError } from './message-error.js';
import { sampleAccessEvent, sampleAlert, sampleTrapRegistration } from './samples.js';

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
const bytes = (value: unknown) => new TextEncoder().encode(typeof value === 'string' ? value : JSON.stringify(value));

function rejection(schema: DescMessage, payload: unknown): MessageValidationError {
  try {
    decodeMessage(schema, bytes(payload));
  } catch (e) {
    expect(e).toBeInstanceOf(MessageValidationError);
    return e as MessageValidationError;
  }
  throw new Error('payload was accepted');
}

const eventJson = () => toJson(AccessEventSchema, sampleAccessEvent('01JEBX1J2Z5N9Y0W4QF6V8T3KM')) as Record<string, any>;

describe('the wire form', () => {
  const cases: Array<[string, DescMessage, () => any]> = [
    ['TrapRegistration', TrapRegistrationSchema, sampleTrapRegistration],
    ['ArmReply', ArmReplySchema, () => create(ArmReplySchema, { trapId: 't1', armed: true, backend: DetectionBackend.TRACEPOINT, node: 'n1' })],
    ['AccessEvent', AccessEventSchema, () => sampleAccessEvent()],
    ['Alert', AlertSchema, sampleAlert],
    ['WatchAlertsRequest', WatchAlertsRequestSchema, () => create(WatchAlertsRequestSchema, { minSeverity: Severity.HIGH, namespaces: ['prod'] })],
    ['WatchAlertsResponse', WatchAlertsResponseSchema, () => create(WatchAlertsResponseSchema, { alert: sampleAlert() })],
  ];

  it.each(cases)('round-trips a %s through JSON', (_name, schema, make) => {
    const message = make();
    const wire = encodeMessage(schema, message);
    const back = decodeMessage(schema, wire);
    expect(equals(schema, back, message)).toBe(true);
    expect(text(encodeMessage(schema, back))).toBe(text(wire));
  });

  it('is the protobuf JSON mapping: camelCase names, enum names, 64-bit ints as strings, RFC 3339 times', () => {
    const json = JSON.parse(text(encodeMessage(AccessEventSchema, sampleAccessEvent('01JEBX1J2Z5N9Y0W4QF6V8T3KM'))));
    expect(json.id).toBe('01JEBX1J2Z5N9Y0W4QF6V8T3KM');
    expect(json.accessKind).toBe('ACCESS_KIND_OPEN');
    expect(json.backend).toBe('DETECTION_BACKEND_TRACEPOINT');
    expect(json.opener.cgroupId).toBe('12345');
    expect(json.opener.classification).toBe('OPENER_CLASSIFICATION_OWN_CONTAINER');
    expect(json.owner.pod.labels).toEqual({ app: 'sample' });
    expect(json.trap.contentSha256Prefix).toBe('5e884898da280471');
    expect(json.observedAt).toBe('2026-12-04T16:00:00Z');
  });

  it('accepts proto field names and enum numbers, as the JSON mapping allows', () => {
    const json = eventJson();
    json.access_kind = 2;
    delete json.accessKind;
    const event = decodeMessage(AccessEventSchema, bytes(json));
    expect(event.accessKind).toBe(2);
  });
});

describe('strict validation names the field', () => {
  it.each([
    ['a wrong type', (j: any) => (j.opener.process.pid = 'forty-two'), 'opener.process.pid', /expected an integer \(uint32\)/],
    ['a negative uint32', (j: any) => (j.opener.process.uid = -1), 'opener.process.uid', /out of range for uint32/],
    ['a float for an integer', (j: any) => (j.opener.process.gid = 1.5), 'opener.process.gid', /expected an integer/],
    ['a number for a string', (j: any) => (j.trap.path = 7), 'trap.path', /expected a string/],
    ['an object for a list', (j: any) => (j.opener.process.argv = { 0: 'cat' }), 'opener.process.argv', /expected an array/],
    ['a bad list item', (j: any) => (j.opener.process.argv = ['cat', 3]), 'opener.process.argv[1]', /expected a string/],
    ['a bad map value', (j: any) => (j.owner.pod.labels = { app: 1 }), 'owner.pod.labels["app"]', /expected a string/],
    ['a uint64 beyond 64 bits', (j: any) => (j.suppressedCount = '18446744073709551616'), 'suppressedCount', /out of range for uint64/],
    ['an unknown enum name', (j: any) => (j.backend = 'DETECTION_BACKEND_KPROBE'), 'backend', /unknown beesting.v1.DetectionBackend value/],
    ['an unknown enum number', (j: any) => (j.accessKind = 9), 'accessKind', /unknown beesting.v1.AccessKind value 9/],
    ['an unspecified required enum', (j: any) => (j.accessKind = 'ACCESS_KIND_UNSPECIFIED'), 'accessKind', /required field is missing/],
    ['a missing required message', (j: any) => delete j.opener, 'opener', /required field is missing/],
    ['a missing nested required string', (j: any) => delete j.owner.pod.namespace, 'owner.pod.namespace', /required field is missing/],
    ['an empty required string', (j: any) => (j.trap.id = ''), 'trap.id', /required field is missing/],
    ['a null required field', (j: any) => (j.id = null), 'id', /required field is missing/],
    ['an unknown field', (j: any) => (j.trap.content = 'AKIA...'), 'trap.content', /unknown field/],
    ['a field set twice', (j: any) => (j.access_kind = 'ACCESS_KIND_OPEN'), 'access_kind', /set twice/],
    ['a malformed timestamp', (j: any) => (j.observedAt = 'yesterday'), 'observedAt', /RFC 3339/],
  ])('rejects %s', (_name, mutate, field, reason) => {
    const json = eventJson();
    mutate(json);
    const error = rejection(AccessEventSchema, json);
    expect(error.code).toBe('BEESTING_ERR_MESSAGE_INVALID');
    expect(error.messageType).toBe('beesting.v1.AccessEvent');
    expect(error.field).toBe(field);
    expect(error.reason).toMatch(reason);
    expect(error.message).toContain(`beesting.v1.AccessEvent.${field}`);
  });

  it.each([
    ['not JSON', '{"id": ', /payload is not JSON/],
    ['not an object', '[1,2]', /expected an object/],
    ['null', 'null', /expected an object/],
  ])('rejects a payload that is %s', (_name, payload, reason) => {
    expect(rejection(AccessEventSchema, payload).reason).toMatch(reason);
  });

  it('rejects bytes that are not UTF-8', () => {
    expect(() => decodeMessage(AccessEventSchema, new Uint8Array([0x7b, 0xff, 0x7d]))).toThrow(/payload is not UTF-8/);
  });

  it('refuses to encode a message missing a required field', () => {
    const event = sampleAccessEvent();
    event.trap!.contentSha256Prefix = '';
    expect(() => encodeMessage(AccessEventSchema, event)).toThrow(/AccessEvent\.trap\.contentSha256Prefix: required field is missing/);
  });
});
