/** The kinds of decoy credential Beesting plants (names used in the policy file). */
export const DECOY_KINDS = [
  'aws-credentials',
  'eks-token',
  'service-account-token',
  'kubeconfig',
  'ssh-private-key',
  'gcp-service-account',
  'dotenv',
  'docker-config',
] as const;
export type DecoyKind = (typeof DECOY_KINDS)[number];

/** Who a decoy is planted for: used to make its content plausible for that pod, and unique. */
export interface DecoyContext {
  /** Unique per (container, trap); woven into the credential where the format allows. */
  trapId: string;
  podName: string;
  podNamespace: string;
  podUid: string;
  containerName: string;
  containerId: string;
  nodeName: string;
  /** Cluster name, for issuer URLs, ARNs and kubeconfig contexts. */
  clusterName: string;
  now: Date;
}

/** A file of a decoy, by its name relative to the decoy's directory. */
export interface DecoyFile {
  name: string;
  content: Buffer;
  /** File mode when the real file of that kind is private (0600); otherwise unset, meaning 0644. */
  mode?: number;
}

export interface GeneratedDecoy {
  /**
   * The file at the trap's path comes first; further files are the siblings a real volume
   * of that kind has (a service-account token directory also holds ca.crt and namespace).
   */
  files: DecoyFile[];
}
