import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, expectTypeOf, it } from 'vitest';
import { alertRouterSettings, injectorSettings, monitorSettings } from './app-settings.js';
import { ConfigError } from './config-error.js';
import { describeConfig, loadConfig } from './load-config.js';
import { loadConfigOrExit } from './start-config.js';

const dir = mkdtempSync(join(tmpdir(), 'beesting-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const yamlFile = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

function configError(run: () => unknown): ConfigError {
  try {
    run();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return e as ConfigError;
  }
  throw new Error('config was accepted');
}

describe('app settings', () => {
  it('default to design.md §7', () => {
    const injector = loadConfig(injectorSettings, { env: {} });
    expect(injector).toEqual({
      natsUrl: 'nats://127.0.0.1:4222',
      httpAddr: { host: '127.0.0.1', port: 9731 },
      logLevel: 'info',
      nodeName: hostname(),
      stateDir: '/var/lib/beesting',
      nriSocket: '/var/run/nri/nri.sock',
      policyFile: undefined,
      armTimeoutMs: 250,
      clusterName: 'kubernetes',
      decoySpares: 8,
    });
    expect(loadConfig(monitorSettings, { env: {} })).toMatchObject({ bpfBackend: 'auto', httpAddr: { port: 9732 } });
    expect(loadConfig(alertRouterSettings, { env: {} })).toMatchObject({
      webhookUrl: undefined,
      slackWebhookUrl: undefined,
      grpcAddr: { host: '127.0.0.1', port: 9734 },
      dedupWindowSeconds: 60,
    });
  });

  it('read the environment, typed', () => {
    const config = loadConfig(monitorSettings, {
      env: {
        BEESTING_NATS_URL: 'nats://10.0.0.1:4222, tls://nats.example:4443',
        BEESTING_NODE_NAME: 'ip-10-0-1-2.ec2.internal',
        BEESTING_BPF_BACKEND: 'tracepoint',
        BEESTING_HTTP_ADDR: ':9100',
        BEESTING_SPOOL_MAX_BYTES: '1048576',
      },
    });
    expect(config).toMatchObject({
      natsUrl: 'nats://10.0.0.1:4222,tls://nats.example:4443',
      nodeName: 'ip-10-0-1-2.ec2.internal',
      bpfBackend: 'tracepoint',
      httpAddr: { host: '0.0.0.0', port: 9100 },
      spoolMaxBytes: 1048576,
    });
    expectTypeOf(config.spoolMaxBytes).toEqualTypeOf<number>();
    expectTypeOf(loadConfig(injectorSettings, { env: {} }).policyFile).toEqualTypeOf<string | undefined>();
  });

  it('read lists, switches and header maps', () => {
    const config = loadConfig(alertRouterSettings, {
      env: { BEESTING_HOST_ALLOWLIST: '/usr/bin/restic, /opt/agent/bin/scan', BEESTING_NATS_ALERTS: 'off', BEESTING_WEBHOOK_HEADERS: '{"x-tenant":"blue","x-n":1}' },
    });
    expect(config).toMatchObject({ hostAllowList: ['/usr/bin/restic', '/opt/agent/bin/scan'], natsAlerts: false, webhookHeaders: { 'x-tenant': 'blue', 'x-n': '1' } });
    const path = yamlFile('headers.yaml', 'webhookHeaders:\n  x-tenant: green\nkubernetes: in-cluster\n');
    expect(loadConfig(alertRouterSettings, { env: { BEESTING_CONFIG: path } })).toMatchObject({ webhookHeaders: { 'x-tenant': 'green' }, kubernetes: 'in-cluster' });
  });

  it('read the YAML file named by BEESTING_CONFIG, with the environment winning', () => {
    const path = yamlFile('router.yaml', 'natsUrl: nats://from-file:4222\ndedupWindowSeconds: 30\nclusterName: prod-eu\n');
    const config = loadConfig(alertRouterSettings, { env: { BEESTING_CONFIG: path, BEESTING_DEDUP_WINDOW_SECONDS: '90' } });
    expect(config).toMatchObject({ natsUrl: 'nats://from-file:4222', dedupWindowSeconds: 90, clusterName: 'prod-eu' });
  });

  it('are frozen once loaded', () => {
    const config = loadConfig(injectorSettings, { env: {} });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.httpAddr)).toBe(true);
    expect(() => {
      (config as { armTimeoutMs: number }).armTimeoutMs = 1;
    }).toThrow(TypeError);
  });

  it.each([
    [injectorSettings, { BEESTING_NATS_URL: 'http://nats:4222' }, 'BEESTING_NATS_URL', /expected nats:\/\/ or tls:\/\/ URLs/],
    [injectorSettings, { BEESTING_HTTP_ADDR: 'localhost' }, 'BEESTING_HTTP_ADDR', /expected host:port/],
    [injectorSettings, { BEESTING_HTTP_ADDR: '127.0.0.1:70000' }, 'BEESTING_HTTP_ADDR', /expected host:port/],
    [injectorSettings, { BEESTING_STATE_DIR: 'var/lib/beesting' }, 'BEESTING_STATE_DIR', /absolute path/],
    [injectorSettings, { BEESTING_NRI_SOCKET: 'nri.sock' }, 'BEESTING_NRI_SOCKET', /absolute path/],
    [injectorSettings, { BEESTING_POLICY: './policy.yaml' }, 'BEESTING_POLICY', /absolute path/],
    [injectorSettings, { BEESTING_ARM_TIMEOUT_MS: '2500' }, 'BEESTING_ARM_TIMEOUT_MS', /at most 1500/],
    [injectorSettings, { BEESTING_ARM_TIMEOUT_MS: 'fast' }, 'BEESTING_ARM_TIMEOUT_MS', /whole number/],
    [injectorSettings, { BEESTING_NODE_NAME: 'node one' }, 'BEESTING_NODE_NAME', /node name/],
    [injectorSettings, { BEESTING_LOG_LEVEL: 'verbose' }, 'BEESTING_LOG_LEVEL', /one of fatal, error/],
    [monitorSettings, { BEESTING_BPF_BACKEND: 'kprobe' }, 'BEESTING_BPF_BACKEND', /one of auto, lsm, fentry, tracepoint/],
    [monitorSettings, { BEESTING_SPOOL_MAX_BYTES: '12' }, 'BEESTING_SPOOL_MAX_BYTES', /at least 4096/],
    [alertRouterSettings, { BEESTING_WEBHOOK_URL: 'ftp://x' }, 'BEESTING_WEBHOOK_URL', /http:\/\/ or https:\/\//],
    [alertRouterSettings, { BEESTING_WEBHOOK_URL: 'https://siem.example/hook' }, 'BEESTING_WEBHOOK_SECRET', /required when BEESTING_WEBHOOK_URL is set/],
    [alertRouterSettings, { BEESTING_GRPC_ADDR: 'x:y' }, 'BEESTING_GRPC_ADDR', /expected host:port/],
    [alertRouterSettings, { BEESTING_DEDUP_WINDOW_SECONDS: '0' }, 'BEESTING_DEDUP_WINDOW_SECONDS', /at least 1/],
    [alertRouterSettings, { BEESTING_WEBHOOK_HEADERS: 'x-a: b' }, 'BEESTING_WEBHOOK_HEADERS', /JSON object of header names/],
    [alertRouterSettings, { BEESTING_WEBHOOK_HEADERS: '{"bad header":"x"}' }, 'BEESTING_WEBHOOK_HEADERS', /invalid header "bad header"/],
    [alertRouterSettings, { BEESTING_KUBERNETES: 'kubeconfig' }, 'BEESTING_KUBERNETES', /off, in-cluster, or the absolute path/],
    [alertRouterSettings, { BEESTING_NATS_ALERTS: 'maybe' }, 'BEESTING_NATS_ALERTS', /true or false/],
    [alertRouterSettings, { BEESTING_HOST_ALLOWLIST: '/usr/bin/backup,restic' }, 'BEESTING_HOST_ALLOWLIST', /absolute paths/],
    [alertRouterSettings, { BEESTING_SLACK_MIN_SEVERITY: 'low' }, 'BEESTING_SLACK_MIN_SEVERITY', /one of medium, high, critical/],
  ] as const)('reject a bad value with BEESTING_ERR_CONFIG naming the setting (%#)', (app, env, name, reason) => {
    const error = configError(() => loadConfig(app as typeof injectorSettings, { env }));
    expect(error.code).toBe('BEESTING_ERR_CONFIG');
    expect(error.setting).toBe(name);
    expect(error.reason).toMatch(reason);
    expect(error.message.startsWith(`BEESTING_ERR_CONFIG: ${name}: `)).toBe(true);
  });

  it('never echo a secret in an error or in the startup description', () => {
    const error = configError(() => loadConfig(alertRouterSettings, { env: { BEESTING_SLACK_WEBHOOK_URL: 'hooks.slack.com/services/T0/B0/SECRETPART' } }));
    expect(error.setting).toBe('BEESTING_SLACK_WEBHOOK_URL');
    expect(error.message).not.toContain('SECRETPART');
    const config = loadConfig(alertRouterSettings, {
      env: { BEESTING_WEBHOOK_URL: 'https://siem.example/hook', BEESTING_WEBHOOK_SECRET: 's3cr3t-value' },
    });
    const described = describeConfig(alertRouterSettings, config);
    expect(described['webhookSecret']).toBe('[redacted]');
    expect(described['webhookUrl']).toBe('https://siem.example/hook');
    expect(JSON.stringify(described)).not.toContain('s3cr3t-value');
  });

  it.each([
    ['an unknown key', 'natsURL: nats://x:4222\n', /unknown setting "natsURL" for injector/],
    ['a list', '- a\n- b\n', /must hold a mapping/],
    ['broken YAML', 'natsUrl: [unclosed\n', /is not valid YAML/],
  ])('reject a config file with %s, naming BEESTING_CONFIG', (_name, text, reason) => {
    const error = configError(() => loadConfig(injectorSettings, { env: { BEESTING_CONFIG: yamlFile('bad.yaml', text) } }));
    expect(error.setting).toBe('BEESTING_CONFIG');
    expect(error.reason).toMatch(reason);
  });

  it('name the setting when its value in the file is bad', () => {
    const path = yamlFile('bad-value.yaml', 'armTimeoutMs: -5\n');
    expect(configError(() => loadConfig(injectorSettings, { env: { BEESTING_CONFIG: path } })).setting).toBe('BEESTING_ARM_TIMEOUT_MS');
  });

  it('reject a missing config file', () => {
    const error = configError(() => loadConfig(injectorSettings, { env: { BEESTING_CONFIG: join(dir, 'absent.yaml') } }));
    expect(error.reason).toMatch(/cannot read .*absent.yaml: ENOENT/);
  });

  it('stop an app at start with one line and exit code 78', () => {
    const lines: string[] = [];
    const exit = (code: number): never => {
      throw Object.assign(new Error('exit'), { exitCode: code });
    };
    expect(() => loadConfigOrExit(monitorSettings, { env: { BEESTING_BPF_BACKEND: 'kprobe' } }, { exit, stderr: (l) => lines.push(l) })).toThrow(
      expect.objectContaining({ exitCode: 78 }),
    );
    expect(lines).toEqual(['monitor: BEESTING_ERR_CONFIG: BEESTING_BPF_BACKEND: expected one of auto, lsm, fentry, tracepoint (got "kprobe")']);
  });
});
