import { encodeToken } from './subject-token.js';

// The NATS contract of design.md §3: every subject, stream and bucket name lives here.

export const EVENTS_STREAM = 'BEESTING_EVENTS';
export const ALERTS_STREAM = 'BEESTING_ALERTS';
export const DLQ_STREAM = 'BEESTING_DLQ';
export const TRAPS_BUCKET = 'beesting_traps';

export const ACCESS_SUBJECTS = 'beesting.v1.access.*';
export const ALERT_SUBJECTS = 'beesting.v1.alerts.*.*';
export const DLQ_SUBJECTS = 'beesting.v1.dlq.>';

export const armSubject = (node: string) => `beesting.v1.arm.${encodeToken(node)}`;
export const disarmSubject = (node: string) => `beesting.v1.disarm.${encodeToken(node)}`;
export const accessSubject = (node: string) => `beesting.v1.access.${encodeToken(node)}`;
export const alertSubject = (severity: string, namespace: string) =>
  `beesting.v1.alerts.${encodeToken(severity)}.${encodeToken(namespace)}`;
/** `origin` says who gave up on the message: "malformed", "sink.webhook", ... */
export const dlqSubject = (origin: string) => `beesting.v1.dlq.${origin.split('.').map(encodeToken).join('.')}`;

/** KV key of a trap in the beesting_traps bucket. */
export const trapKey = (node: string, trapId: string) => `${encodeToken(node)}.${encodeToken(trapId)}`;
/** KV key filter for all traps of a node. */
export const nodeTrapKeys = (node: string) => `${encodeToken(node)}.*`;
