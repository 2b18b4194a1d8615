import { createHash } from 'node:crypto';
import { ApiException, CoreV1Api, KubeConfig, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import type { CoreV1Event } from '@kubernetes/client-node';
import { Severity } from '@beesting/events';
import type { Alert } from '@beesting/events';
import { alertFacts } from './alert-facts.js';
import { DEFAULT_RETRY } from './retry-policy.js';
import type { RetryPolicy } from './retry-policy.js';
import { SinkError, SinkErrorCode } from './sink.js';
import type { SendContext, Sink } from './sink.js';

export const HONEYTOKEN_EVENT_REASON = 'HoneytokenAccessed';
export const LAST_ACCESS_ANNOTATION = 'beesting.dev/last-honeytoken-access';

export interface KubernetesSinkConfig {
  /** 'in-cluster', or the path of a kubeconfig file. */
  source: string;
  annotatePod?: boolean;
  minSeverity?: Severity;
  timeoutMs?: number;
  retry?: RetryPolicy;
  /** Told about every RBAC denial; the alert still counts as given up for this sink. */
  onForbidden?: (what: string) => void;
}

/** The Warning Event on the pod: named after the alert, so a redelivery is a 409, not a second Event. */
export function renderKubernetesEvent(alert: Alert, now = new Date()): CoreV1Event {
  const f = alertFacts(alert);
  const pod = alert.event?.owner?.pod;
  const name = `${(pod?.name ?? 'pod').slice(0, 200)}.beesting-${createHash('sha256').update(alert.id).digest('hex').slice(0, 16)}`;
  const message = `${f.decoy} at ${f.path} ${f.opener} by ${f.process}: ${f.commandLine}`.slice(0, 1000);
  return {
    metadata: { name, namespace: pod?.namespace ?? 'default', labels: { 'app.kubernetes.io/managed-by': 'beesting' } },
    involvedObject: { apiVersion: 'v1', kind: 'Pod', name: pod?.name ?? '', namespace: pod?.namespace ?? '', uid: pod?.uid ?? '' },
    reason: HONEYTOKEN_EVENT_REASON,
    type: 'Warning',
    message: `[${f.severity}] ${message}${Number(f.count) > 1 ? ` (${f.count} accesses)` : ''}`,
    source: { component: 'beesting', host: f.node },
    reportingComponent: 'beesting.dev/alert-router',
    reportingInstance: f.node || 'beesting',
    count: Number(alert.count),
    firstTimestamp: now,
    lastTimestamp: now,
  };
}

export class KubernetesSink implements Sink<CoreV1Event> {
  readonly id = 'kubernetes';
  readonly minSeverity: Severity;
  readonly timeoutMs: number;
  readonly retry: RetryPolicy;
  private readonly api: CoreV1Api;

  constructor(private readonly config: KubernetesSinkConfig) {
    const kc = new KubeConfig();
    if (config.source === 'in-cluster') kc.loadFromCluster();
    else kc.loadFromFile(config.source);
    this.api = kc.makeApiClient(CoreV1Api);
    this.minSeverity = config.minSeverity ?? Severity.MEDIUM;
    this.timeoutMs = config.timeoutMs ?? 5000;
    this.retry = config.retry ?? DEFAULT_RETRY;
  }

  render(alert: Alert): CoreV1Event {
    return renderKubernetesEvent(alert);
  }

  async send(body: CoreV1Event, alert: Alert, ctx: SendContext): Promise<void> {
    const namespace = body.metadata?.namespace ?? 'default';
    await this.call(`create Event in ${namespace}`, ctx, () => this.api.createNamespacedEvent({ namespace, body }), true);
    const pod = alert.event?.owner?.pod;
    if (this.config.annotatePod && pod?.name) {
      const patch = { metadata: { annotations: { [LAST_ACCESS_ANNOTATION]: new Date().toISOString() } } };
      await this.call(`annotate pod ${namespace}/${pod.name}`, ctx, () =>
        this.api.patchNamespacedPod({ name: pod.name, namespace, body: patch }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch)),
      );
    }
  }

  private async call(what: string, ctx: SendContext, run: () => Promise<unknown>, conflictIsDone = false): Promise<void> {
    if (ctx.signal.aborted) throw new SinkError(SinkErrorCode.Timeout, `${what}: timed out`, true);
    const aborted = new Promise<never>((_, reject) =>
      ctx.signal.addEventListener('abort', () => reject(new SinkError(SinkErrorCode.Timeout, `${what}: no answer within ${this.timeoutMs} ms`, true)), { once: true }),
    );
    try {
      await Promise.race([run(), aborted]);
    } catch (err) {
      if (err instanceof SinkError) throw err;
      const code = err instanceof ApiException ? err.code : undefined;
      if (code === 409 && conflictIsDone) return;
      if (code === 401 || code === 403) {
        this.config.onForbidden?.(what);
        throw new SinkError(SinkErrorCode.Forbidden, `${what}: the API server refused (${code}); check the RBAC of the alert-router`, false);
      }
      const retryable = code === undefined || code === 408 || code === 429 || code >= 500;
      throw new SinkError(code ? SinkErrorCode.Http : SinkErrorCode.Network, `${what}: ${code ? `HTTP ${code}` : (err as Error).message}`, retryable, undefined, { cause: err });
    }
  }
}
