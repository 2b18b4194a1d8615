import { create } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { AccessEventSchema, AccessKind, OpenerClassification } from './gen/beesting/v1/access_event_pb.js';
import type { AccessEvent } from './gen/beesting/v1/access_event_pb.js';
import { AlertKind, AlertSchema, Severity } from './gen/beesting/v1/alert_pb.js';
import type { Alert } from './gen/beesting/v1/alert_pb.js';
import { DecoyKind, DetectionBackend } from './gen/beesting/v1/common_pb.js';
import { TrapRegistrationSchema } from './gen/beesting/v1/trap_pb.js';
import type { TrapRegistration } from './gen/beesting/v1/trap_pb.js';
import { newEventId } from './event-id.js';

// Complete, valid example messages: the alert-router's synthetic test alert and tests
// start from these. Everything in them is made up.

const SAMPLE_TIME = new Date('2026-12-04T16:00:00.000Z');

const SAMPLE_PATH = '/var/run/secrets/eks.amazonaws.com/serviceaccount/token';
const SAMPLE_CONTAINER_ID = '0'.repeat(64);

export function sampleTrapRegistration(): TrapRegistration {
  return create(TrapRegistrationSchema, {
    trap: {
      id: 'trp-0000-sample',
      name: 'eks-web-identity-token',
      kind: DecoyKind.EKS_WEB_IDENTITY_TOKEN,
      path: SAMPLE_PATH,
      memo: 'Synthetic trap: nothing was planted.',
      contentSha256Prefix: '5e884898da280471',
    },
    owner: {
      pod: { name: 'sample-pod', namespace: 'default', uid: '00000000-0000-4000-8000-000000000000', labels: { app: 'sample' } },
      container: { id: SAMPLE_CONTAINER_ID, name: 'app' },
      node: 'sample-node',
    },
    hostPath: '/var/lib/beesting/containers/sample/token',
    plantedAt: timestampFromDate(SAMPLE_TIME),
  });
}

export function sampleAccessEvent(id: string = newEventId()): AccessEvent {
  const registration = sampleTrapRegistration();
  return create(AccessEventSchema, {
    id,
    trap: registration.trap,
    owner: registration.owner,
    opener: {
      process: { pid: 4242, tgid: 4242, uid: 0, gid: 0, comm: 'cat', exe: '/usr/bin/cat', argv: ['cat', SAMPLE_PATH], cwd: '/' },
      cgroupId: 12345n,
      containerId: SAMPLE_CONTAINER_ID,
      mountNs: 4026532000n,
      pidNs: 4026532001n,
      ancestors: [{ pid: 4200, tgid: 4200, comm: 'sh', exe: '/bin/sh', argv: ['sh'], cwd: '/' }],
      classification: OpenerClassification.OWN_CONTAINER,
    },
    backend: DetectionBackend.TRACEPOINT,
    accessKind: AccessKind.OPEN,
    suppressedCount: 0n,
    observedAt: timestampFromDate(SAMPLE_TIME),
    reportedAt: timestampFromDate(SAMPLE_TIME),
  });
}

export function sampleAlert(): Alert {
  const event = sampleAccessEvent();
  return create(AlertSchema, {
    id: `alert-${event.id}`,
    kind: AlertKind.FIRST,
    severity: Severity.CRITICAL,
    cluster: 'sample-cluster',
    dedupKey: `${event.trap?.id}|${event.opener?.containerId}|${event.opener?.process?.exe}`,
    event,
    count: 1n,
    firstSeen: event.observedAt,
    lastSeen: event.observedAt,
    createdAt: event.reportedAt,
  });
}
