import { readdirSync, readFileSync } from 'node:fs';
import { dirname, basename, join } from 'node:path';
import type { IDaemonSet, IDeployment, IStatefulSet } from 'kubernetes-models/apps/v1';
import type { IPodDisruptionBudget } from 'kubernetes-models/policy/v1';
import type { IClusterRole, IClusterRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import type { IConfigMap, IContainer, ISecret, IService, IServiceAccount } from 'kubernetes-models/v1';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { appOfCommand, envNamesOf, loadAppConfig } from './app-env.js';
import { helm, renderChart } from './helm.js';
import type { Manifest } from './helm.js';
import { container, envValues, envVar, find, labelsMatch, mountsOf, ofKind, podSpec, workloads } from './manifests.js';
import { chartDir } from './repo.js';

const SCENARIOS = ['default', 'external-nats', 'kubernetes-sink'] as const;
type Scenario = (typeof SCENARIOS)[number];
const valuesFile = (s: Scenario) => join(chartDir, 'ci', `${s}-values.yaml`);
const rendered = new Map<Scenario, Manifest[]>();
function render(s: Scenario): Manifest[] {
  if (!rendered.has(s)) rendered.set(s, renderChart([valuesFile(s)]));
  return rendered.get(s)!;
}

const chartValues = parse(readFileSync(join(chartDir, 'values.yaml'), 'utf8'));
const scenarioValues = (s: Scenario) => parse(readFileSync(valuesFile(s), 'utf8')) ?? {};
const agentPod = (s: Scenario) => podSpec(find<IDaemonSet>(render(s), 'DaemonSet', 'beesting-agent'));
const routerDeployment = (s: Scenario) => find<IDeployment>(render(s), 'Deployment', 'beesting-alert-router');
const routerContainer = (s: Scenario) => container(podSpec(routerDeployment(s)), 'alert-router');
const allAppContainers = (s: Scenario): IContainer[] => [container(agentPod(s), 'injector'), container(agentPod(s), 'monitor'), routerContainer(s)];
const decode = (secret: ISecret, key: string) => Buffer.from(secret.data?.[key] ?? '', 'base64').toString('utf8');
const inventory = (ms: Manifest[]) => ms.map((m) => `${m.kind}/${m.metadata.name}`).sort();

describe('chart', () => {
  it('has the three ci scenarios and nothing else there', () => {
    expect(readdirSync(join(chartDir, 'ci')).sort()).toEqual(SCENARIOS.map((s) => `${s}-values.yaml`).sort());
  });

  it.each(SCENARIOS)('passes helm lint --strict with the %s scenario', (s) => {
    const r = helm(['lint', '--strict', chartDir, '-f', valuesFile(s)]);
    expect(r.stderr + r.stdout).toContain('1 chart(s) linted, 0 chart(s) failed');
    expect(r.status).toBe(0);
  });

  it('is a Helm 3 chart of appVersion 0.1.0, whose image tag defaults to it', () => {
    const chart = parse(readFileSync(join(chartDir, 'Chart.yaml'), 'utf8'));
    expect(chart).toMatchObject({ apiVersion: 'v2', name: 'beesting', appVersion: '0.1.0' });
    for (const c of allAppContainers('default')) expect(c.image).toBe('ghcr.io/beesting/beesting:0.1.0');
  });

  it("lets the schema accept exactly the injector's trap kinds", () => {
    // Read as text: this scope:shared project may not import @beesting/traps (scope:injector).
    const source = readFileSync(join(chartDir, '../../libs/traps/src/decoys/decoy.ts'), 'utf8');
    const list = /export const DECOY_KINDS = \[([^\]]*)\]/.exec(source)?.[1] ?? '';
    const kinds = [...list.matchAll(/'([a-z0-9-]+)'/g)].map((m) => m[1]);
    const schema = JSON.parse(readFileSync(join(chartDir, 'values.schema.json'), 'utf8'));
    expect(kinds.length).toBeGreaterThan(0);
    expect(schema.definitions.trap.properties.kind.enum).toEqual(kinds);
  });

  it('documents every value in values.yaml with a "# --" comment (on it or on a parent)', () => {
    const lines = readFileSync(join(chartDir, 'values.yaml'), 'utf8').split('\n');
    const parents: Array<{ indent: number; documented: boolean }> = [];
    const undocumented: string[] = [];
    lines.forEach((line, i) => {
      const key = /^(\s*)([A-Za-z]\w*):(.*)$/.exec(line);
      if (!key) return;
      const indent = key[1]!.length;
      while (parents.length > 0 && parents.at(-1)!.indent >= indent) parents.pop();
      let j = i - 1;
      while (j >= 0 && /^\s*#(?! --)/.test(lines[j]!)) j--;
      const documented = /^\s*# --/.test(lines[j] ?? '') || parents.some((p) => p.documented);
      const isLeaf = key[3]!.trim() !== '' && !key[3]!.trim().startsWith('#');
      if (isLeaf && !documented) undocumented.push(`${i + 1}: ${line.trim()}`);
      parents.push({ indent, documented });
    });
    expect(undocumented).toEqual([]);
  });
});

describe('default scenario: bundled NATS, built-in policy, NATS alerts only', () => {
  it('renders the agent, the router and a bundled NATS, and nothing else', () => {
    expect(inventory(render('default'))).toEqual([
      'ConfigMap/beesting-policy',
      'DaemonSet/beesting-agent',
      'Deployment/beesting-alert-router',
      'PodDisruptionBudget/beesting-alert-router',
      'Service/beesting-alert-router',
      'Service/beesting-nats',
      'Service/beesting-nats-headless',
      'ServiceAccount/beesting-agent',
      'ServiceAccount/beesting-alert-router',
      'StatefulSet/beesting-nats',
    ]);
  });

  it('runs injector and monitor in one host-PID pod on every node, at node-critical priority', () => {
    const pod = agentPod('default');
    expect(pod.containers.map((c) => [c.name, c.command])).toEqual([
      ['injector', ['node', 'apps/injector/dist/main.js']],
      ['monitor', ['node', 'apps/monitor/dist/main.js']],
    ]);
    expect(pod.hostPID).toBe(true);
    expect(pod.hostNetwork).toBeUndefined();
    expect(pod.tolerations).toEqual([{ operator: 'Exists' }]);
    expect(pod.priorityClassName).toBe('system-node-critical');
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(find<IServiceAccount>(render('default'), 'ServiceAccount', 'beesting-agent').automountServiceAccountToken).toBe(false);
  });

  it('gives the monitor exactly its capabilities and the injector the privileged mode Bidirectional propagation requires', () => {
    const pod = agentPod('default');
    const monitor = container(pod, 'monitor').securityContext!;
    expect(monitor.privileged).toBe(false);
    expect(monitor.allowPrivilegeEscalation).toBe(false);
    expect(monitor.capabilities?.drop).toEqual(['ALL']);
    expect([...(monitor.capabilities?.add ?? [])].sort()).toEqual(['BPF', 'MAC_ADMIN', 'PERFMON', 'SYS_ADMIN', 'SYS_PTRACE', 'SYS_RESOURCE']);
    const injector = container(pod, 'injector').securityContext!;
    // Kubernetes accepts mountPropagation: Bidirectional only in a privileged container.
    expect(injector.privileged).toBe(true);
    expect(injector.allowPrivilegeEscalation).toBeUndefined();
    for (const sc of [monitor, injector]) expect(sc).toMatchObject({ readOnlyRootFilesystem: true, runAsUser: 0 });
    const router = routerContainer('default').securityContext!;
    expect(router).toMatchObject({ runAsNonRoot: true, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    expect(router.capabilities?.add).toBeUndefined();
  });

  it('mounts the host paths each app needs, with the propagation it needs, and no other', () => {
    const pod = agentPod('default');
    const hostMounts = (name: string) =>
      Object.fromEntries(
        Object.entries(mountsOf(pod, container(pod, name)))
          .filter(([, m]) => m.hostPath)
          .map(([path, m]) => [path, `${m.hostPath} ${m.hostPathType} ${m.propagation} ${m.readOnly ? 'ro' : 'rw'}`]),
      );
    expect(hostMounts('injector')).toEqual({
      '/var/lib/beesting': '/var/lib/beesting DirectoryOrCreate Bidirectional rw',
      '/var/run/nri': '/var/run/nri DirectoryOrCreate None rw',
    });
    expect(hostMounts('monitor')).toEqual({
      '/var/lib/beesting': '/var/lib/beesting DirectoryOrCreate HostToContainer rw',
      '/sys/fs/bpf': '/sys/fs/bpf Directory HostToContainer rw',
      '/sys/kernel/btf': '/sys/kernel/btf Directory None ro',
      '/sys/fs/cgroup': '/sys/fs/cgroup Directory None ro',
    });
  });

  it('points the injector at the policy ConfigMap, whose content is values.policy', () => {
    const pod = agentPod('default');
    const injector = container(pod, 'injector');
    const policyPath = envValues(injector)['BEESTING_POLICY']!;
    const mount = mountsOf(pod, injector)[dirname(policyPath)];
    expect(mount).toMatchObject({ configMap: 'beesting-policy', readOnly: true });
    const cm = find<IConfigMap>(render('default'), 'ConfigMap', mount!.configMap!);
    const policy = parse(cm.data![basename(policyPath)]!);
    expect(policy).toEqual(chartValues.policy);
    // The built-in default of the injector: an EKS token decoy everywhere but kube-system.
    expect(policy.traps).toEqual([
      expect.objectContaining({
        name: 'eks-token',
        kind: 'eks-token',
        path: '/var/run/secrets/eks.amazonaws.com/serviceaccount/token',
        selector: { namespaces: { include: ['*'], exclude: ['kube-system'] } },
      }),
    ]);
  });

  it('points every app at the bundled NATS client Service, which reaches the JetStream server', () => {
    const ms = render('default');
    for (const c of allAppContainers('default')) expect(envValues(c)['BEESTING_NATS_URL'], c.name).toBe('nats://beesting-nats.beesting.svc:4222');
    const svc = find<IService>(ms, 'Service', 'beesting-nats');
    expect(svc.spec?.ports).toEqual([{ name: 'client', port: 4222, targetPort: 'client' }]);
    const sts = find<IStatefulSet>(ms, 'StatefulSet', 'beesting-nats');
    expect(labelsMatch(svc.spec?.selector, sts.spec?.template.metadata?.labels)).toBe(true);
    const nats = container(podSpec(sts), 'nats');
    expect(nats.image).toBe('nats:2.9');
    expect(nats.args?.slice(0, 3)).toEqual(['-js', '-sd', '/data']);
    expect(nats.ports).toContainEqual({ name: 'client', containerPort: 4222 });
    expect(nats.volumeMounts).toEqual([{ name: 'data', mountPath: '/data' }]);
    expect(sts.spec?.volumeClaimTemplates?.map((t) => [t.metadata?.name, t.spec?.resources?.requests?.['storage']])).toEqual([['data', '10Gi']]);
    expect(find<IService>(ms, 'Service', sts.spec!.serviceName!).spec?.clusterIP).toBe('None');
  });

  it('runs two router replicas with no webhook, Slack or Kubernetes sink and no API token', () => {
    const d = routerDeployment('default');
    expect(d.spec?.replicas).toBe(2);
    expect(find<IPodDisruptionBudget>(render('default'), 'PodDisruptionBudget', 'beesting-alert-router').spec?.minAvailable).toBe(1);
    const names = (routerContainer('default').env ?? []).map((e) => e.name);
    for (const off of ['BEESTING_WEBHOOK_URL', 'BEESTING_WEBHOOK_SECRET', 'BEESTING_SLACK_WEBHOOK_URL', 'BEESTING_KUBERNETES']) expect(names).not.toContain(off);
    expect(envValues(routerContainer('default'))).toMatchObject({ BEESTING_HTTP_ADDR: '0.0.0.0:9733', BEESTING_GRPC_ADDR: '0.0.0.0:9734', BEESTING_NATS_ALERTS: 'true' });
    expect(podSpec(d).automountServiceAccountToken).toBe(false);
    expect(ofKind(render('default'), 'ClusterRole')).toEqual([]);
    const svc = find<IService>(render('default'), 'Service', 'beesting-alert-router');
    expect(svc.spec?.ports?.map((p) => [p.name, p.port, p.targetPort])).toEqual([
      ['http', 9733, 'http'],
      ['grpc', 9734, 'grpc'],
    ]);
  });
});

describe('external-nats scenario: external NATS, webhook key in an existing Secret, Slack', () => {
  const external = 'tls://nats-0.nats.infra.svc:4222,tls://nats-1.nats.infra.svc:4222';

  it('renders no NATS objects and points every app at the external URL', () => {
    const ms = render('external-nats');
    expect(ofKind(ms, 'StatefulSet')).toEqual([]);
    expect(inventory(ms).filter((n) => n.includes('nats'))).toEqual([]);
    for (const c of allAppContainers('external-nats')) expect(envValues(c)['BEESTING_NATS_URL'], c.name).toBe(external);
  });

  it('reads the webhook key from the existing Secret and keeps only the Slack URL in the chart Secret', () => {
    const router = routerContainer('external-nats');
    expect(envValues(router)).toMatchObject({
      BEESTING_WEBHOOK_URL: 'https://siem.example.com/hooks/beesting',
      BEESTING_WEBHOOK_MIN_SEVERITY: 'high',
      BEESTING_SLACK_MIN_SEVERITY: 'critical',
      BEESTING_CLUSTER_NAME: 'prod-eu-1',
    });
    expect(JSON.parse(envValues(router)['BEESTING_WEBHOOK_HEADERS']!)).toEqual({ 'X-Tenant': 'platform' });
    expect(envVar(router, 'BEESTING_WEBHOOK_SECRET')?.valueFrom?.secretKeyRef).toEqual({ name: 'beesting-webhook', key: 'hmac-key' });
    expect(envVar(router, 'BEESTING_SLACK_WEBHOOK_URL')?.valueFrom?.secretKeyRef).toEqual({ name: 'beesting-alert-router', key: 'slack-webhook-url' });
    const secret = find<ISecret>(render('external-nats'), 'Secret', 'beesting-alert-router');
    expect(Object.keys(secret.data ?? {})).toEqual(['slack-webhook-url']);
    expect(decode(secret, 'slack-webhook-url')).toBe(scenarioValues('external-nats').alertRouter.slack.webhookUrl);
    // Secrets never travel as plain env values.
    const plain = Object.values(envValues(router));
    expect(plain).not.toContain(scenarioValues('external-nats').alertRouter.slack.webhookUrl);
  });

  it('applies replicas, image tag and pull secrets', () => {
    expect(routerDeployment('external-nats').spec?.replicas).toBe(3);
    for (const c of allAppContainers('external-nats')) expect(c.image).toBe('ghcr.io/beesting/beesting:0.1.0-rc.1');
    expect(agentPod('external-nats').imagePullSecrets).toEqual([{ name: 'regcred' }]);
    expect(podSpec(routerDeployment('external-nats')).imagePullSecrets).toEqual([{ name: 'regcred' }]);
  });
});

describe('kubernetes-sink scenario: Events sink, custom policy, chart-made webhook Secret, ServiceMonitors', () => {
  it('turns the Kubernetes sink on in-cluster, with a token and just the RBAC it needs', () => {
    const ms = render('kubernetes-sink');
    const router = routerContainer('kubernetes-sink');
    expect(envValues(router)).toMatchObject({ BEESTING_KUBERNETES: 'in-cluster', BEESTING_KUBERNETES_ANNOTATE_POD: 'true', BEESTING_KUBERNETES_MIN_SEVERITY: 'high' });
    expect(podSpec(routerDeployment('kubernetes-sink')).automountServiceAccountToken).toBe(true);
    expect(find<IServiceAccount>(ms, 'ServiceAccount', 'beesting-alert-router').automountServiceAccountToken).toBe(true);
    expect(podSpec(routerDeployment('kubernetes-sink')).serviceAccountName).toBe('beesting-alert-router');
    const role = find<IClusterRole>(ms, 'ClusterRole', 'beesting-alert-router');
    expect(role.rules).toEqual([
      { apiGroups: [''], resources: ['events'], verbs: ['create', 'patch'] },
      { apiGroups: ['events.k8s.io'], resources: ['events'], verbs: ['create', 'patch'] },
      { apiGroups: [''], resources: ['pods'], verbs: ['get', 'patch'] },
    ]);
    const binding = find<IClusterRoleBinding>(ms, 'ClusterRoleBinding', 'beesting-alert-router');
    expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'beesting-alert-router' });
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'beesting-alert-router', namespace: 'beesting' }]);
    // The agent still gets nothing.
    expect(ofKind<IClusterRoleBinding>(ms, 'ClusterRoleBinding').flatMap((b) => b.subjects ?? []).map((s) => s.name)).toEqual(['beesting-alert-router']);
  });

  it('renders the custom policy unchanged', () => {
    const cm = find<IConfigMap>(render('kubernetes-sink'), 'ConfigMap', 'beesting-policy');
    const policy = parse(cm.data!['policy.yaml']!);
    expect(policy).toEqual(scenarioValues('kubernetes-sink').policy);
    expect(new Set(policy.traps.map((t: { kind: string }) => t.kind)).size).toBeGreaterThanOrEqual(4);
  });

  it('keeps a webhook key given as a value in the chart Secret the router reads it from', () => {
    const router = routerContainer('kubernetes-sink');
    const ref = envVar(router, 'BEESTING_WEBHOOK_SECRET')?.valueFrom?.secretKeyRef;
    expect(ref).toEqual({ name: 'beesting-alert-router', key: 'webhook-secret' });
    expect(decode(find<ISecret>(render('kubernetes-sink'), 'Secret', ref!.name!), ref!.key)).toBe('not-a-real-secret');
    expect(envValues(router)['BEESTING_HOST_ALLOWLIST']).toBe('/usr/bin/falco,/usr/local/bin/datadog-agent');
    expect(envValues(container(agentPod('kubernetes-sink'), 'monitor'))['BEESTING_BPF_BACKEND']).toBe('tracepoint');
  });

  it('renders ServiceMonitors whose selectors and ports match rendered Services', () => {
    const ms = render('kubernetes-sink');
    const monitors = ms.filter((m) => m.kind === 'ServiceMonitor');
    expect(monitors.map((m) => m.metadata.name).sort()).toEqual(['beesting-agent', 'beesting-alert-router']);
    const services = ofKind<IService>(ms, 'Service');
    const scraped: string[] = [];
    for (const m of monitors) {
      expect(m.apiVersion).toBe('monitoring.coreos.com/v1');
      expect(m.metadata.labels?.['release']).toBe('kube-prometheus-stack');
      const spec = m['spec'] as { selector: { matchLabels: Record<string, string> }; endpoints: Array<{ port: string; path: string; interval: string }> };
      const selected = services.filter((s) => labelsMatch(spec.selector.matchLabels, s.metadata?.labels));
      expect(selected, m.metadata.name).toHaveLength(1);
      for (const e of spec.endpoints) {
        expect(selected[0]!.spec?.ports?.map((p) => p.name)).toContain(e.port);
        expect(e).toMatchObject({ path: '/metrics', interval: '15s' });
        scraped.push(`${selected[0]!.metadata?.name}:${e.port}`);
      }
    }
    expect(scraped.sort()).toEqual(['beesting-agent-metrics:injector-http', 'beesting-agent-metrics:monitor-http', 'beesting-alert-router:http']);
    expect(render('default').some((m) => m.kind === 'ServiceMonitor' || m.metadata.name === 'beesting-agent-metrics')).toBe(false);
  });
});

describe.each(SCENARIOS)('%s scenario: the settings contract', (s) => {
  // What a secretKeyRef resolves to: the chart's Secret, or a stand-in for an existing one.
  const standIns: Record<string, string> = { BEESTING_WEBHOOK_SECRET: 'stand-in-key', BEESTING_SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/stand-in' };
  function resolvedEnv(c: IContainer): Record<string, string> {
    const env: Record<string, string> = {};
    for (const e of c.env ?? []) {
      const ref = e.valueFrom?.secretKeyRef;
      const field = e.valueFrom?.fieldRef?.fieldPath;
      if (e.value !== undefined) env[e.name] = e.value;
      else if (field === 'spec.nodeName') env[e.name] = 'ip-10-0-1-23.eu-west-1.compute.internal';
      else if (ref) {
        const secret = render(s).find((m) => m.kind === 'Secret' && m.metadata.name === ref.name) as ISecret | undefined;
        env[e.name] = secret ? decode(secret, ref.key) : (standIns[e.name] ?? '');
      } else throw new Error(`${c.name}: ${e.name} has no value the test can resolve`);
    }
    return env;
  }

  it('sets in every app container only variables its app reads, once each, with values the app accepts', () => {
    const checked: string[] = [];
    for (const w of workloads(render(s)).filter((x) => x.metadata?.name !== 'beesting-nats')) {
      for (const c of podSpec(w).containers) {
        const app = appOfCommand(c.command ?? []);
        expect(app).toBe(c.name);
        const names = (c.env ?? []).map((e) => e.name);
        expect(names.length, `${c.name}: duplicate variables`).toBe(new Set(names).size);
        expect(names.filter((n) => !envNamesOf(app).has(n)), `${c.name}: variables the app does not read`).toEqual([]);
        const config = loadAppConfig(app, resolvedEnv(c));
        expect(config['httpAddr']).toMatchObject({ host: '0.0.0.0' });
        checked.push(app);
      }
    }
    expect(checked.sort()).toEqual(['alert-router', 'injector', 'monitor']);
  });

  it('probes the port BEESTING_HTTP_ADDR binds, on /healthz and /readyz', () => {
    for (const c of allAppContainers(s)) {
      const port = Number(envValues(c)['BEESTING_HTTP_ADDR']?.split(':')[1]);
      const named = c.ports?.find((p) => p.containerPort === port)?.name;
      expect(named, c.name).toBeDefined();
      expect(c.livenessProbe?.httpGet).toEqual({ path: '/healthz', port: named });
      expect(c.readinessProbe?.httpGet).toEqual({ path: '/readyz', port: named });
    }
  });

  it('has every Service select a rendered workload and target ports its pods name', () => {
    const ws = workloads(render(s));
    for (const svc of ofKind<IService>(render(s), 'Service')) {
      const target = ws.filter((w) => labelsMatch(svc.spec?.selector, w.spec?.template.metadata?.labels));
      expect(target, svc.metadata?.name).toHaveLength(1);
      const podPorts = podSpec(target[0]!).containers.flatMap((c) => (c.ports ?? []).map((p) => p.name));
      for (const p of svc.spec?.ports ?? []) expect(podPorts, `${svc.metadata?.name}:${p.name}`).toContain(p.targetPort);
    }
  });
});
