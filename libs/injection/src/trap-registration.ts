import { create, DecoyKind as DecoyKindEnum, timestampFromDate, TrapRegistrationSchema } from '@beesting/events';
import type { TrapRegistration } from '@beesting/events';
import type { DecoyKind, PodInfo, TrapSpec } from '@beesting/traps';

export const DECOY_KIND_ENUM: Record<DecoyKind, DecoyKindEnum> = {
  'aws-credentials': DecoyKindEnum.AWS_CREDENTIALS,
  'eks-token': DecoyKindEnum.EKS_WEB_IDENTITY_TOKEN,
  'service-account-token': DecoyKindEnum.K8S_SERVICE_ACCOUNT_TOKEN,
  kubeconfig: DecoyKindEnum.KUBECONFIG,
  'ssh-private-key': DecoyKindEnum.SSH_PRIVATE_KEY,
  'gcp-service-account': DecoyKindEnum.GCP_SERVICE_ACCOUNT,
  dotenv: DecoyKindEnum.DOTENV,
  'docker-config': DecoyKindEnum.DOCKER_CONFIG,
};

/** The inventory entry of one planted trap: what it is and whose it is, never its content. */
export function trapRegistration(args: {
  trapId: string;
  spec: TrapSpec;
  fingerprint: string;
  pod: PodInfo;
  container: { id: string; name: string };
  node: string;
  hostPath: string;
  plantedAt: Date;
}): TrapRegistration {
  const { spec, pod } = args;
  return create(TrapRegistrationSchema, {
    trap: { id: args.trapId, name: spec.name, kind: DECOY_KIND_ENUM[spec.kind], path: spec.path, memo: spec.memo, contentSha256Prefix: args.fingerprint },
    owner: { pod: { name: pod.name, namespace: pod.namespace, uid: pod.uid, labels: pod.labels }, container: { id: args.container.id, name: args.container.name }, node: args.node },
    hostPath: args.hostPath,
    plantedAt: timestampFromDate(args.plantedAt),
  });
}
