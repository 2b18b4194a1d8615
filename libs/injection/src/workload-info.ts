import type { Container, PodSandbox } from '@beesting/nri';
import type { ContainerInfo, PodInfo } from '@beesting/traps';

export const podInfo = (pod: PodSandbox): PodInfo => ({ name: pod.name, namespace: pod.namespace, uid: pod.uid, labels: pod.labels, annotations: pod.annotations });

export const containerInfo = (container: Container): ContainerInfo => ({
  id: container.id,
  name: container.name,
  mounts: container.mounts.map((m) => ({ destination: m.destination, type: m.type, source: m.source, options: m.options })),
});
