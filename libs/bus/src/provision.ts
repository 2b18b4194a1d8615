import { AckPolicy, DeliverPolicy, DiscardPolicy, nanos, RetentionPolicy, StorageType } from 'nats';
import type { ConsumerConfig, JetStreamClient, JetStreamManager, StreamConfig } from 'nats';
import { BusError, BusErrorCode } from './bus-error.js';
import { isConsumerNotFound, isStreamNotFound } from './nats-errors.js';

// Idempotent provisioning: what is missing is created, what exists with our config
// is left alone, and what exists with another config is reported, never replaced:
// an operator may have tuned it, and replacing a stream can lose its messages.

export interface StreamSpec {
  name: string;
  subjects: string[];
  storage: 'file' | 'memory';
  replicas: number;
  maxAgeMs: number;
  duplicateWindowMs: number;
  /** -1: no limit. */
  maxBytes: number;
}

export interface KvSpec {
  bucket: string;
  history: number;
  storage: 'file' | 'memory';
  replicas: number;
}

export interface ConsumerSpec {
  stream: string;
  durable: string;
  filterSubject?: string;
  ackWaitMs: number;
  /** -1: redeliver until acked. */
  maxDeliver: number;
  maxAckPending: number;
}

export interface ProvisionReport {
  created: string[];
  unchanged: string[];
}

type Wanted = Record<string, unknown>;

const storageType = (s: 'file' | 'memory') => (s === 'file' ? StorageType.File : StorageType.Memory);

function streamConfig(spec: StreamSpec): Partial<StreamConfig> {
  return {
    name: spec.name,
    subjects: spec.subjects,
    retention: RetentionPolicy.Limits,
    storage: storageType(spec.storage),
    num_replicas: spec.replicas,
    max_age: nanos(spec.maxAgeMs),
    duplicate_window: nanos(spec.duplicateWindowMs),
    max_bytes: spec.maxBytes,
    discard: DiscardPolicy.Old,
  };
}

function kvStreamWanted(spec: KvSpec): Wanted {
  return {
    subjects: [`$KV.${spec.bucket}.>`],
    storage: storageType(spec.storage),
    num_replicas: spec.replicas,
    max_msgs_per_subject: spec.history,
  };
}

function consumerConfig(spec: ConsumerSpec): Partial<ConsumerConfig> {
  return {
    durable_name: spec.durable,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    ack_wait: nanos(spec.ackWaitMs),
    max_deliver: spec.maxDeliver,
    max_ack_pending: spec.maxAckPending,
    ...(spec.filterSubject ? { filter_subject: spec.filterSubject } : {}),
  };
}

function differences(existing: object, wanted: Wanted): string[] {
  const have = existing as Record<string, unknown>;
  const diffs: string[] = [];
  for (const [key, value] of Object.entries(wanted)) {
    const current = have[key];
    const same = Array.isArray(value)
      ? Array.isArray(current) && [...current].sort().join('\n') === [...value].sort().join('\n')
      : current === value;
    if (!same) diffs.push(`${key} is ${JSON.stringify(current)}, wanted ${JSON.stringify(value)}`);
  }
  return diffs;
}

function conflict(what: string, diffs: string[]): BusError {
  return new BusError(BusErrorCode.Conflict, `${what} exists with another configuration (${diffs.join('; ')}); not replaced`);
}

export async function ensureStream(jsm: JetStreamManager, spec: StreamSpec): Promise<'created' | 'unchanged'> {
  const wanted = streamConfig(spec);
  try {
    const info = await jsm.streams.info(spec.name);
    const { name: _name, ...compared } = wanted;
    const diffs = differences(info.config, compared);
    if (diffs.length) throw conflict(`stream ${spec.name}`, diffs);
    return 'unchanged';
  } catch (err) {
    if (!isStreamNotFound(err)) throw err;
  }
  await jsm.streams.add(wanted);
  return 'created';
}

export async function ensureKv(js: JetStreamClient, jsm: JetStreamManager, spec: KvSpec): Promise<'created' | 'unchanged'> {
  const streamName = `KV_${spec.bucket}`;
  try {
    const info = await jsm.streams.info(streamName);
    const diffs = differences(info.config, kvStreamWanted(spec));
    if (diffs.length) throw conflict(`KV bucket ${spec.bucket}`, diffs);
    return 'unchanged';
  } catch (err) {
    if (!isStreamNotFound(err)) throw err;
  }
  await js.views.kv(spec.bucket, { history: spec.history, storage: storageType(spec.storage), replicas: spec.replicas });
  return 'created';
}

export async function ensureConsumer(jsm: JetStreamManager, spec: ConsumerSpec): Promise<'created' | 'unchanged'> {
  const wanted = consumerConfig(spec);
  try {
    const info = await jsm.consumers.info(spec.stream, spec.durable);
    const diffs = differences(info.config, wanted);
    if (diffs.length) throw conflict(`consumer ${spec.stream}/${spec.durable}`, diffs);
    return 'unchanged';
  } catch (err) {
    if (!isConsumerNotFound(err)) throw err;
  }
  await jsm.consumers.add(spec.stream, wanted);
  return 'created';
}

export interface BusLayout {
  streams: StreamSpec[];
  buckets: KvSpec[];
}

export async function provision(js: JetStreamClient, jsm: JetStreamManager, layout: BusLayout): Promise<ProvisionReport> {
  const report: ProvisionReport = { created: [], unchanged: [] };
  for (const spec of layout.streams) report[await ensureStream(jsm, spec) === 'created' ? 'created' : 'unchanged'].push(`stream ${spec.name}`);
  for (const spec of layout.buckets) report[await ensureKv(js, jsm, spec) === 'created' ? 'created' : 'unchanged'].push(`kv ${spec.bucket}`);
  return report;
}
