import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderChart } from './helm.js';
import type { Manifest } from './helm.js';
import { typeOf, validateManifest } from './k8s-models.js';
import { chartDir } from './repo.js';

const scenarios = readdirSync(join(chartDir, 'ci')).filter((f) => f.endsWith('-values.yaml'));

describe('rendered manifests against the Kubernetes API schema (kubernetes-models)', () => {
  it.each(scenarios)('validates every object rendered with %s', (file) => {
    const manifests = renderChart([join(chartDir, 'ci', file)]);
    const validated = manifests.filter((m) => validateManifest(m) === 'validated').map(typeOf);
    expect(validated).toEqual(expect.arrayContaining(['apps/v1/DaemonSet', 'apps/v1/Deployment', 'v1/ConfigMap', 'v1/Service']));
    // Only ServiceMonitors go unvalidated here; their shape is checked in chart.spec.ts.
    expect(manifests.filter((m) => !validated.includes(typeOf(m))).map(typeOf)).toEqual(manifests.filter((m) => m.kind === 'ServiceMonitor').map(typeOf));
  });

  it('rejects an invalid object, naming it and the field', () => {
    const bad: Manifest = {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: 'broken' },
      spec: { selector: { matchLabels: { a: 'b' } }, template: { spec: { containers: [{ name: 'c', image: 'i' }], tolerations: 'x' } } },
    };
    expect(() => validateManifest(bad)).toThrow(/apps\/v1\/DaemonSet broken: .*tolerations/);
  });

  it('rejects a kind it has no model for, instead of passing it unchecked', () => {
    expect(() => validateManifest({ apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'x' } })).toThrow(/no kubernetes-models class/);
  });
});
