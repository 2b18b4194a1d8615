import { AccessKind, AlertKind, DecoyKind, OpenerClassification, Severity } from '@beesting/events';
import type { Alert } from '@beesting/events';

// The facts of an alert as plain strings, shared by the sinks that write for people.
// They are raw (unescaped): each sink escapes for its own format.

export interface AlertFacts {
  title: string;
  severity: string;
  cluster: string;
  namespace: string;
  pod: string;
  container: string;
  node: string;
  decoy: string;
  path: string;
  opener: string;
  process: string;
  commandLine: string;
  ancestry: string;
  count: string;
  alertId: string;
  observedAt: string;
}

export const severityName = (s: Severity): string => Severity[s]?.toLowerCase() ?? 'unknown';

const KIND_NAMES: Record<number, string> = {
  [DecoyKind.AWS_CREDENTIALS]: 'AWS credentials file',
  [DecoyKind.EKS_WEB_IDENTITY_TOKEN]: 'EKS web-identity token',
  [DecoyKind.K8S_SERVICE_ACCOUNT_TOKEN]: 'Kubernetes service-account token',
  [DecoyKind.KUBECONFIG]: 'kubeconfig',
  [DecoyKind.SSH_PRIVATE_KEY]: 'SSH private key',
  [DecoyKind.GCP_SERVICE_ACCOUNT]: 'GCP service-account key',
  [DecoyKind.DOTENV]: '.env file',
  [DecoyKind.DOCKER_CONFIG]: 'Docker config.json',
};

const WHERE: Record<number, string> = {
  [OpenerClassification.OWN_CONTAINER]: 'inside the decoy’s own container',
  [OpenerClassification.OTHER_CONTAINER]: 'from another container',
  [OpenerClassification.HOST]: 'from the host',
};

export function alertFacts(alert: Alert): AlertFacts {
  const event = alert.event;
  const p = event?.opener?.process;
  const verb = event?.accessKind === AccessKind.EXEC ? 'executed' : 'opened';
  const ancestry = (event?.opener?.ancestors ?? []).map((a) => `${a.exe || a.comm} (pid ${a.pid})`).join(' ← ');
  const otherContainer = event?.opener?.classification === OpenerClassification.OTHER_CONTAINER && event.opener.containerId ? ` ${event.opener.containerId.slice(0, 12)}` : '';
  return {
    title: alert.kind === AlertKind.SUMMARY ? 'Honeytoken accessed again' : 'Honeytoken accessed',
    severity: severityName(alert.severity),
    cluster: alert.cluster,
    namespace: event?.owner?.pod?.namespace ?? '',
    pod: event?.owner?.pod?.name ?? '',
    container: event?.owner?.container?.name ?? '',
    node: event?.owner?.node ?? '',
    decoy: KIND_NAMES[event?.trap?.kind ?? 0] ?? 'decoy',
    path: event?.trap?.path ?? '',
    opener: `${verb} ${WHERE[event?.opener?.classification ?? 0] ?? ''}${otherContainer}`.trim(),
    process: p ? `${p.exe || p.comm} (pid ${p.tgid}, uid ${p.uid})` : '',
    commandLine: (p?.argv ?? []).join(' '),
    ancestry,
    count: String(alert.count),
    alertId: alert.id,
    observedAt: event?.observedAt ? new Date(Number(event.observedAt.seconds) * 1000 + Math.floor(event.observedAt.nanos / 1e6)).toISOString() : '',
  };
}
