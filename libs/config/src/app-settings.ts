import { hostname } from 'node:os';
import { setting } from './setting.js';
import type { AppSettings, Settings } from './setting.js';
import { absolutePath, absolutePathList, boolean, headerMap, hostPort, httpUrl, integer, kubernetesSource, natsUrls, nodeName, nonEmpty, oneOf } from './value-schemas.js';

// The settings of design.md §7, one schema per app.

export const DEFAULT_PORTS = { injector: 9731, monitor: 9732, alertRouter: 9733, alertRouterGrpc: 9734 } as const;

const severity = oneOf(['medium', 'high', 'critical']);
const pinDir = absolutePath.or(oneOf(['off']));

const common = (httpPort: number) =>
  ({
    natsUrl: setting({ env: 'BEESTING_NATS_URL', schema: natsUrls, default: 'nats://127.0.0.1:4222', description: 'NATS server URL(s), comma-separated.' }),
    httpAddr: setting({
      env: 'BEESTING_HTTP_ADDR',
      schema: hostPort,
      default: { host: '127.0.0.1', port: httpPort },
      description: 'Address of /healthz, /readyz and /metrics.',
    }),
    logLevel: setting({
      env: 'BEESTING_LOG_LEVEL',
      schema: oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace']),
      default: 'info',
      description: 'Log level.',
    }),
  }) satisfies Settings;

const nodeLocal = {
  nodeName: setting({ env: 'BEESTING_NODE_NAME', schema: nodeName, default: () => hostname(), description: 'The Kubernetes node this agent runs on.' }),
  stateDir: setting({
    env: 'BEESTING_STATE_DIR',
    schema: absolutePath,
    default: '/var/lib/beesting',
    description: 'Decoy tmpfs mounts, spool and BPF pins live here.',
  }),
} satisfies Settings;

export const injectorSettings = {
  app: 'injector',
  settings: {
    ...common(DEFAULT_PORTS.injector),
    ...nodeLocal,
    nriSocket: setting({ env: 'BEESTING_NRI_SOCKET', schema: absolutePath, default: '/var/run/nri/nri.sock', description: "The runtime's NRI socket." }),
    policyFile: setting({ env: 'BEESTING_POLICY', schema: absolutePath, description: 'Trap policy (YAML); unset: the built-in EKS token decoy.' }),
    armTimeoutMs: setting({
      env: 'BEESTING_ARM_TIMEOUT_MS',
      schema: integer(1, 1500),
      default: 250,
      description: 'How long CreateContainer waits for the monitor to arm a trap.',
    }),
    clusterName: setting({ env: 'BEESTING_CLUSTER_NAME', schema: nonEmpty, default: 'kubernetes', description: 'Cluster name woven into decoys (issuer URLs, kubeconfig contexts).' }),
    decoySpares: setting({
      env: 'BEESTING_DECOY_SPARES',
      schema: integer(0, 256),
      default: 8,
      description: 'Empty per-container tmpfs mounts kept ready, so a create does not wait for mount(8).',
    }),
  },
} satisfies AppSettings<Settings>;

export const monitorSettings = {
  app: 'monitor',
  settings: {
    ...common(DEFAULT_PORTS.monitor),
    ...nodeLocal,
    bpfBackend: setting({
      env: 'BEESTING_BPF_BACKEND',
      schema: oneOf(['auto', 'lsm', 'fentry', 'tracepoint']),
      default: 'auto',
      description: 'Detection backend; auto tries lsm, then fentry, then tracepoint.',
    }),
    bpfPinDir: setting({
      env: 'BEESTING_BPF_PIN_DIR',
      schema: pinDir,
      default: '/sys/fs/bpf/beesting',
      description: 'Where maps and links are pinned (in bpffs) so detection outlives a restart; off: no pinning.',
    }),
    rateLimitMs: setting({
      env: 'BEESTING_RATE_LIMIT_MS',
      schema: integer(0, 3_600_000),
      default: 1000,
      description: 'At most one event per decoy and process in this interval; repeats are counted into the next. 0: no limit.',
    }),
    spoolMaxBytes: setting({
      env: 'BEESTING_SPOOL_MAX_BYTES',
      schema: integer(4096, 2 ** 40),
      default: 64 * 1024 * 1024,
      description: 'Size limit of the event spool used while NATS is away.',
    }),
  },
} satisfies AppSettings<Settings>;

const alertRouterOwn = {
  ...common(DEFAULT_PORTS.alertRouter),
  webhookUrl: setting({ env: 'BEESTING_WEBHOOK_URL', schema: httpUrl, description: 'Webhook sink URL; unset: webhook sink off.' }),
  webhookSecret: setting({ env: 'BEESTING_WEBHOOK_SECRET', schema: nonEmpty, secret: true, description: 'HMAC key of the Beesting-Signature header.' }),
  slackWebhookUrl: setting({
    env: 'BEESTING_SLACK_WEBHOOK_URL',
    schema: httpUrl,
    secret: true,
    description: 'Slack incoming-webhook URL; unset: Slack sink off.',
  }),
  grpcAddr: setting({
    env: 'BEESTING_GRPC_ADDR',
    schema: hostPort,
    default: { host: '127.0.0.1', port: DEFAULT_PORTS.alertRouterGrpc },
    description: 'Address of the gRPC alert feed.',
  }),
  dedupWindowSeconds: setting({
    env: 'BEESTING_DEDUP_WINDOW_SECONDS',
    schema: integer(1, 86_400),
    default: 60,
    description: 'Repeats of one (trap, container, executable) inside this window fold into one summary.',
  }),
  clusterName: setting({ env: 'BEESTING_CLUSTER_NAME', schema: nonEmpty, default: 'kubernetes', description: 'Cluster name shown in alerts.' }),
  hostAllowList: setting({
    env: 'BEESTING_HOST_ALLOWLIST',
    schema: absolutePathList,
    default: [] as string[],
    description: 'Executables of known host agents whose reads of a decoy are recorded but not alerted.',
  }),
  webhookHeaders: setting({ env: 'BEESTING_WEBHOOK_HEADERS', schema: headerMap, description: 'Extra headers on every webhook request (JSON object).' }),
  webhookTlsCert: setting({ env: 'BEESTING_WEBHOOK_TLS_CERT', schema: absolutePath, description: 'Client certificate for mutual TLS with the webhook.' }),
  webhookTlsKey: setting({ env: 'BEESTING_WEBHOOK_TLS_KEY', schema: absolutePath, secret: true, description: 'Key of the client certificate.' }),
  webhookTlsCa: setting({ env: 'BEESTING_WEBHOOK_TLS_CA', schema: absolutePath, description: 'CA bundle that signs the webhook server.' }),
  natsAlerts: setting({ env: 'BEESTING_NATS_ALERTS', schema: boolean, default: true, description: 'Publish alerts on beesting.v1.alerts.<severity>.<namespace>.' }),
  kubernetes: setting({ env: 'BEESTING_KUBERNETES', schema: kubernetesSource, default: 'off', description: 'Kubernetes Events sink: off, in-cluster, or a kubeconfig path.' }),
  kubernetesAnnotatePod: setting({ env: 'BEESTING_KUBERNETES_ANNOTATE_POD', schema: boolean, default: false, description: 'Also annotate the pod with the last access time.' }),
  webhookMinSeverity: setting({ env: 'BEESTING_WEBHOOK_MIN_SEVERITY', schema: severity, default: 'medium', description: 'Lowest severity the webhook sink sends.' }),
  slackMinSeverity: setting({ env: 'BEESTING_SLACK_MIN_SEVERITY', schema: severity, default: 'medium', description: 'Lowest severity the Slack sink sends.' }),
  natsMinSeverity: setting({ env: 'BEESTING_NATS_MIN_SEVERITY', schema: severity, default: 'medium', description: 'Lowest severity the NATS sink sends.' }),
  kubernetesMinSeverity: setting({ env: 'BEESTING_KUBERNETES_MIN_SEVERITY', schema: severity, default: 'medium', description: 'Lowest severity the Kubernetes sink sends.' }),
  sinkTimeoutMs: setting({ env: 'BEESTING_SINK_TIMEOUT_MS', schema: integer(100, 120_000), default: 5000, description: 'Timeout of one delivery attempt.' }),
  sinkMaxAttempts: setting({ env: 'BEESTING_SINK_MAX_ATTEMPTS', schema: integer(1, 100), default: 10, description: 'Attempts per alert and sink before it goes to BEESTING_DLQ.' }),
  sinkRetryBaseMs: setting({ env: 'BEESTING_SINK_RETRY_BASE_MS', schema: integer(1, 60_000), default: 500, description: 'First retry delay; doubles per attempt.' }),
  sinkRetryMaxMs: setting({ env: 'BEESTING_SINK_RETRY_MAX_MS', schema: integer(1, 600_000), default: 10_000, description: 'Longest retry delay.' }),
  summarySweepMs: setting({ env: 'BEESTING_SUMMARY_SWEEP_MS', schema: integer(50, 60_000), default: 1000, description: 'How often ended dedup windows are checked for a summary to send.' }),
  ackWaitSeconds: setting({
    env: 'BEESTING_ROUTER_ACK_WAIT_SECONDS',
    schema: integer(1, 3600),
    default: 30,
    description: 'How long an event in the hands of a replica that died waits before another replica gets it. Same on all replicas.',
  }),
  concurrency: setting({ env: 'BEESTING_ROUTER_CONCURRENCY', schema: integer(1, 1024), default: 32, description: 'Events handled at once by one replica.' }),
} satisfies Settings;

export const alertRouterSettings: AppSettings<typeof alertRouterOwn> = {
  app: 'alert-router',
  settings: alertRouterOwn,
  checks: [(c) => (c.webhookUrl && !c.webhookSecret ? ['BEESTING_WEBHOOK_SECRET', 'required when BEESTING_WEBHOOK_URL is set'] : undefined)],
};
