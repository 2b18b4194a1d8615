import type { IDaemonSet, IDeployment, IStatefulSet } from 'kubernetes-models/apps/v1';
import type { IContainer, IPodSpec } from 'kubernetes-models/v1';
import type { Manifest } from './helm.js';

// Lookups in rendered manifests, for the tests.

export function find<T>(manifests: Manifest[], kind: string, name: string): T {
  const found = manifests.filter((m) => m.kind === kind && m.metadata.name === name);
  if (found.length !== 1) throw new Error(`expected one ${kind} ${name}, found ${found.length}`);
  return found[0] as T;
}

export function ofKind<T>(manifests: Manifest[], kind: string): T[] {
  return manifests.filter((m) => m.kind === kind) as T[];
}

export type Workload = IDaemonSet | IDeployment | IStatefulSet;

export function workloads(manifests: Manifest[]): Workload[] {
  return manifests.filter((m) => ['DaemonSet', 'Deployment', 'StatefulSet'].includes(m.kind)) as Workload[];
}

export function podSpec(w: Workload): IPodSpec {
  const spec = w.spec?.template.spec;
  if (!spec) throw new Error(`${w.kind} ${w.metadata?.name}: no pod spec`);
  return spec;
}

export function container(pod: IPodSpec, name: string): IContainer {
  const c = pod.containers.find((x) => x.name === name);
  if (!c) throw new Error(`no container ${name}`);
  return c;
}

/** Plain env values by name; variables set from a Secret or a field are left out. */
export function envValues(c: IContainer): Record<string, string> {
  return Object.fromEntries((c.env ?? []).filter((e) => e.value !== undefined).map((e) => [e.name, e.value ?? '']));
}

export function envVar(c: IContainer, name: string) {
  const found = (c.env ?? []).filter((e) => e.name === name);
  if (found.length !== 1) throw new Error(`container ${c.name}: expected one ${name}, found ${found.length}`);
  return found[0];
}

export interface MountInfo {
  volume: string;
  readOnly: boolean;
  propagation: string;
  hostPath?: string;
  hostPathType?: string;
  configMap?: string;
}

/** A container's mounts by mount path, with what each volume is. */
export function mountsOf(pod: IPodSpec, c: IContainer): Record<string, MountInfo> {
  const out: Record<string, MountInfo> = {};
  for (const m of c.volumeMounts ?? []) {
    const v = (pod.volumes ?? []).find((x) => x.name === m.name);
    if (!v) throw new Error(`container ${c.name}: mount ${m.mountPath} names no volume`);
    out[m.mountPath] = {
      volume: m.name,
      readOnly: m.readOnly ?? false,
      propagation: m.mountPropagation ?? 'None',
      ...(v.hostPath ? { hostPath: v.hostPath.path, hostPathType: v.hostPath.type ?? '' } : {}),
      ...(v.configMap?.name ? { configMap: v.configMap.name } : {}),
    };
  }
  return out;
}

export function labelsMatch(selector: Record<string, string> | undefined, labels: Record<string, string> | undefined): boolean {
  return Object.entries(selector ?? {}).every(([k, v]) => labels?.[k] === v) && Object.keys(selector ?? {}).length > 0;
}
