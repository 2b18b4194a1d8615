import type { DecoyContext } from './decoy.js';
import { digestOf, digitsFor, pickFor } from './derive.js';
import { containsGiveaway } from './giveaways.js';

/** Regions to place a cluster in when its nodes' names do not say. */
const REGIONS = ['us-east-1', 'us-east-2', 'us-west-2', 'eu-west-1', 'eu-west-2', 'eu-central-1', 'ap-southeast-1', 'ap-southeast-2', 'ap-northeast-1', 'ca-central-1'] as const;

// EC2 private DNS names: ip-10-0-12-34.eu-west-1.compute.internal, or ip-10-0-12-34.ec2.internal in us-east-1.
const EC2_REGIONAL_HOST = /\.([a-z]{2}(?:-[a-z]+)+-\d+)\.compute\.internal$/;
const EC2_US_EAST_1_HOST = /\.ec2\.internal$/;

const BASE32_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export type AwsKeyPrefix = 'AKIA' | 'ASIA';

/** What names a cluster: its name, and one of its nodes (whose name may tell the region). */
export type ClusterRef = Pick<DecoyContext, 'clusterName' | 'nodeName'>;

/**
 * The AWS region a cluster is in: the one in its EC2 node names when they have one, as a mismatch
 * with the instance metadata would give the decoy away; otherwise a stable pick for the cluster.
 */
export function clusterRegion(cluster: ClusterRef): string {
  const regional = EC2_REGIONAL_HOST.exec(cluster.nodeName);
  if (regional?.[1]) return regional[1];
  if (EC2_US_EAST_1_HOST.test(cluster.nodeName)) return 'us-east-1';
  return pickFor(REGIONS, 'region', cluster.clusterName);
}

/** The short region code AWS uses in ElastiCache host names: eu-west-1 → euw1, ap-southeast-1 → apse1. */
export function clusterRegionShortCode(cluster: ClusterRef): string {
  const [area = '', ...rest] = clusterRegion(cluster).split('-');
  const number = rest.pop() ?? '';
  const directions = rest.map((word) => word.replace('north', 'n').replace('south', 's').replace('east', 'e').replace('west', 'w').replace('central', 'c'));
  return `${area}${directions.join('')}${number}`;
}

/** The 12-digit AWS account of a cluster; `purpose` names another account of the same organisation. */
export function clusterAccountId(clusterName: string, purpose = 'workload'): string {
  return digitsFor(12, 'account', purpose, clusterName);
}

/** The id EKS gives a cluster: in its API endpoint host and its OIDC issuer URL. */
export function eksClusterId(clusterName: string): string {
  return digestOf('eks-cluster', clusterName).subarray(0, 16).toString('hex').toUpperCase();
}

export function eksOidcIssuer(cluster: ClusterRef): string {
  return `https://oidc.eks.${clusterRegion(cluster)}.amazonaws.com/id/${eksClusterId(cluster.clusterName)}`;
}

export function eksEndpoint(cluster: ClusterRef): string {
  return `https://${eksClusterId(cluster.clusterName)}.gr7.${clusterRegion(cluster)}.eks.amazonaws.com`;
}

export function eksClusterArn(cluster: ClusterRef): string {
  return `arn:aws:eks:${clusterRegion(cluster)}:${clusterAccountId(cluster.clusterName)}:cluster/${cluster.clusterName}`;
}

/**
 * An access key id derived from the trap id. Laid out as AWS lays out real ones: 16 base32
 * characters after the prefix whose first 48 bits carry the account id (bits 7..46, top bit
 * set), so tools that decode the account from a key id find the expected account.
 */
export function awsAccessKeyIdFor(trapId: string, accountId: string, label: string, prefix: AwsKeyPrefix = 'AKIA'): string {
  for (let attempt = 0; ; attempt++) {
    const digest = digestOf('aws-access-key-id', trapId, label, String(attempt));
    const accountBits = (1n << 47n) | (BigInt(accountId) << 7n) | BigInt((digest[0] ?? 0) & 0x7f);
    const bytes = Buffer.alloc(10);
    bytes.writeUIntBE(Number(accountBits), 0, 6);
    digest.copy(bytes, 6, 1, 5);
    const keyId = `${prefix}${base32(bytes)}`;
    if (!containsGiveaway(keyId)) return keyId;
  }
}

function base32(bytes: Buffer): string {
  const bits = [...bytes].map((b) => b.toString(2).padStart(8, '0')).join('');
  let out = '';
  for (let i = 0; i < bits.length; i += 5) out += BASE32_ALPHABET.charAt(parseInt(bits.slice(i, i + 5).padEnd(5, '0'), 2));
  return out;
}
