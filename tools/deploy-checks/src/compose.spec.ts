import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { appOfCommand, envNamesOf, loadAppConfig } from './app-env.js';
import { root } from './repo.js';

interface ComposeVolume {
  type: string;
  source: string;
  target: string;
  read_only?: boolean;
  bind?: { propagation?: string };
}
interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile: string };
  command?: string[];
  environment?: Record<string, string>;
  privileged?: boolean;
  pid?: string;
  volumes?: Array<ComposeVolume | string>;
  depends_on?: Record<string, unknown>;
}

// A known environment: the compose file's own defaults, not the caller's variables.
const composeEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('BEESTING_')));
const compose = (args: string[]) => spawnSync('/usr/bin/docker-compose', ['-f', 'docker-compose.yml', ...args], { cwd: root, env: composeEnv, encoding: 'utf8', timeout: 60_000 });

let services: Record<string, ComposeService>;
beforeAll(() => {
  const r = compose(['config']);
  if (r.status !== 0) throw new Error(`docker-compose config failed: ${r.stderr}`);
  services = parse(r.stdout).services;
});

// docker-compose 1.29 prints long-syntax volumes as objects and short ones as "src:dst:mode".
function volume(service: ComposeService, target: string): ComposeVolume {
  for (const v of service.volumes ?? []) {
    if (typeof v === 'string') {
      const [source = '', dst = '', mode = 'rw'] = v.split(':');
      const type = source.startsWith('/') || source.startsWith('.') ? 'bind' : 'volume';
      if (dst === target) return { type, source, target: dst, read_only: mode.split(',').includes('ro') };
    } else if (v.target === target) return v;
  }
  throw new Error(`no volume at ${target}`);
}

describe('docker-compose.yml', () => {
  it('passes docker-compose config -q', () => {
    const r = compose(['config', '-q']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('runs NATS with JetStream on a volume, the three apps from one image, and the demo receiver', () => {
    expect(Object.keys(services).sort()).toEqual(['alert-router', 'injector', 'monitor', 'nats', 'webhook-receiver']);
    expect(services['nats']).toMatchObject({ image: 'nats:2.9' });
    expect(services['nats']!.command?.slice(0, 3)).toEqual(['-js', '-sd', '/data']);
    expect(volume(services['nats']!, '/data').type).toBe('volume');
    for (const app of ['injector', 'monitor', 'alert-router']) {
      const s = services[app]!;
      expect(s.build, app).toEqual({ context: root.replace(/\/$/, ''), dockerfile: 'deploy/Dockerfile' });
      expect(s.image, app).toBe('beesting:dev');
      expect(appOfCommand(s.command ?? [])).toBe(app);
    }
    expect(existsSync(join(root, 'deploy/Dockerfile'))).toBe(true);
  });

  it('sets only variables each app reads, with values it accepts, and points them at the nats service', () => {
    for (const app of ['injector', 'monitor', 'alert-router'] as const) {
      const env = services[app]!.environment ?? {};
      expect(Object.keys(env).filter((n) => !envNamesOf(app).has(n)), app).toEqual([]);
      const config = loadAppConfig(app, env);
      expect(config['natsUrl'], app).toBe('nats://nats:4222');
      expect(config['httpAddr'], app).toMatchObject({ host: '0.0.0.0' });
      expect(services[app]!.depends_on, app).toHaveProperty('nats');
    }
  });

  it('wires the router to the webhook receiver with the same signing secret', () => {
    const router = services['alert-router']!;
    const receiver = services['webhook-receiver']!;
    const url = new URL(router.environment?.['BEESTING_WEBHOOK_URL'] ?? '');
    expect(url.hostname).toBe('webhook-receiver');
    expect(url.port).toBe(receiver.environment?.['PORT']);
    expect(receiver.environment?.['BEESTING_WEBHOOK_SECRET']).toBeTruthy();
    expect(receiver.environment?.['BEESTING_WEBHOOK_SECRET']).toBe(router.environment?.['BEESTING_WEBHOOK_SECRET']);
    expect(router.depends_on).toHaveProperty('webhook-receiver');
    expect(receiver.image).toMatch(/^node:20-alpine$/);
    const script = receiver.command?.[1] ?? '';
    expect(receiver.command?.[0]).toBe('node');
    const mount = volume(receiver, script);
    expect(mount).toMatchObject({ source: join(root, 'deploy/webhook-receiver.mjs'), read_only: true });
  });

  it('gives the agent services host PID, privilege and the host paths, the state dir shared with the host', () => {
    for (const app of ['injector', 'monitor']) expect(services[app], app).toMatchObject({ privileged: true, pid: 'host' });
    const injector = services['injector']!;
    const monitor = services['monitor']!;
    expect(volume(injector, '/var/lib/beesting')).toMatchObject({ type: 'bind', source: '/var/lib/beesting', bind: { propagation: 'rshared' } });
    expect(volume(injector, '/var/run/nri')).toMatchObject({ source: '/var/run/nri' });
    expect(volume(monitor, '/var/lib/beesting')).toMatchObject({ type: 'bind', source: '/var/lib/beesting', bind: { propagation: 'rslave' } });
    expect(volume(monitor, '/sys/fs/bpf')).toMatchObject({ source: '/sys/fs/bpf' });
    expect(volume(monitor, '/sys/kernel/btf')).toMatchObject({ source: '/sys/kernel/btf', read_only: true });
    expect(volume(monitor, '/sys/fs/cgroup')).toMatchObject({ source: '/sys/fs/cgroup', read_only: true });
  });
});

describe('deploy/Dockerfile', () => {
  const dockerfile = readFileSync(join(root, 'deploy/Dockerfile'), 'utf8');

  it('builds on node:20-bookworm and runs on node:20-bookworm-slim with the BPF runtime libraries', () => {
    expect(dockerfile.match(/^FROM .*/gm)).toEqual(['FROM node:20-bookworm AS build', 'FROM node:20-bookworm-slim']);
    expect(dockerfile).toMatch(/apt-get install -y --no-install-recommends libbpf1 libelf1 zlib1g\b/);
    expect(dockerfile).toMatch(/RUN npm ci\n/);
  });

  it('copies into the image the files the monitor loads at run time, where the code looks for them', () => {
    const copied = /cp -a --parents ([^\n\\]+)\\\n\s+([^\n]+) \/out\//.exec(dockerfile);
    const paths = `${copied?.[1] ?? ''} ${copied?.[2] ?? ''}`.trim().split(/\s+/);
    expect(paths).toEqual(expect.arrayContaining(['package.json', 'node_modules', 'apps/*/dist', 'libs/*/package.json', 'libs/*/dist']));
    // Resolved relative to libs/bpf-native/src (or dist) in the addon wrapper.
    const detector = readFileSync(join(root, 'libs/bpf-native/src/bpf-detector.ts'), 'utf8');
    const addon = readFileSync(join(root, 'libs/bpf-native/src/native-addon.ts'), 'utf8');
    const object = /new URL\('\.\.\/\.\.\/\.\.\/([^']+)'/.exec(detector)?.[1];
    const binary = /\('\.\.\/(build\/Release\/[^']+\.node)'\)/.exec(addon)?.[1];
    expect(object).toBe('bpf/build/beesting.bpf.o');
    expect(paths).toContain(object);
    expect(paths).toContain(`libs/bpf-native/${binary}`);
  });
});
