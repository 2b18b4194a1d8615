import { DaemonSet, Deployment, StatefulSet } from 'kubernetes-models/apps/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ClusterRole, ClusterRoleBinding, Role, RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import { ConfigMap, Secret, Service, ServiceAccount } from 'kubernetes-models/v1';
import type { Manifest } from './helm.js';

interface ModelClass {
  apiVersion: string;
  kind: string;
  new (data: never): { validate(): void };
}

const MODELS: ModelClass[] = [DaemonSet, Deployment, StatefulSet, PodDisruptionBudget, ClusterRole, ClusterRoleBinding, Role, RoleBinding, ConfigMap, Secret, Service, ServiceAccount];
const BY_TYPE = new Map(MODELS.map((m) => [`${m.apiVersion}/${m.kind}`, m]));

/** Kinds kubernetes-models does not know; each must be checked by hand where it is rendered. */
export const UNMODELLED = new Set(['monitoring.coreos.com/v1/ServiceMonitor']);

export function typeOf(m: Pick<Manifest, 'apiVersion' | 'kind'>): string {
  return `${m.apiVersion}/${m.kind}`;
}

/**
 * Validates one manifest against the Kubernetes OpenAPI schema; throws naming the object and
 * the first violation. Unknown kinds throw too, except the ones listed in UNMODELLED.
 */
export function validateManifest(manifest: Manifest): 'validated' | 'unmodelled' {
  const type = typeOf(manifest);
  if (UNMODELLED.has(type)) return 'unmodelled';
  const Model = BY_TYPE.get(type);
  if (!Model) throw new Error(`${type} ${manifest.metadata.name}: no kubernetes-models class for this kind`);
  try {
    new Model(manifest as never).validate();
  } catch (err) {
    throw new Error(`${type} ${manifest.metadata.name}: ${(err as Error).message}`, { cause: err });
  }
  return 'validated';
}
