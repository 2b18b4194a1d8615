/** What the injector knows of a pod and its container when it is created (from the NRI request). */
export interface PodInfo {
  name: string;
  namespace: string;
  uid: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface MountInfo {
  destination: string;
  type: string;
  source: string;
  options: string[];
}

export interface ContainerInfo {
  id: string;
  name: string;
  mounts: MountInfo[];
}

/** Pods carrying this annotation with the value "true" get no traps. */
export const OPT_OUT_ANNOTATION = 'beesting.dev/disable';
