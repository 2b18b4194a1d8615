import { randomInt } from 'node:crypto';
import { stringify } from 'yaml';
import { awsAccessKeyIdFor, clusterAccountId, clusterRegion, eksClusterArn, eksEndpoint } from './aws-identity.js';
import { clusterCaCertificate } from './cluster-ca.js';
import type { DecoyContext, GeneratedDecoy } from './decoy.js';
import { randomHex } from './random.js';

/** ~/.kube/config for the cluster's EKS endpoint, as `aws eks update-kubeconfig` names things, with a static token. */
export function kubeconfig(ctx: DecoyContext): GeneratedDecoy {
  const arn = eksClusterArn(ctx);
  const config = {
    apiVersion: 'v1',
    clusters: [
      {
        cluster: {
          'certificate-authority-data': Buffer.from(clusterCaCertificate(ctx.clusterName, ctx.now)).toString('base64'),
          server: eksEndpoint(ctx),
        },
        name: arn,
      },
    ],
    contexts: [{ context: { cluster: arn, user: arn }, name: arn }],
    'current-context': arn,
    kind: 'Config',
    preferences: {},
    users: [{ name: arn, user: { token: eksBearerToken(ctx) } }],
  };
  return { files: [{ name: 'config', content: Buffer.from(stringify(config, { indentSeq: false, lineWidth: 0 })) }] };
}

/** The access key id the kubeconfig's token was presigned with: derived from the trap id. */
export function kubeconfigAccessKeyId(ctx: DecoyContext): string {
  return awsAccessKeyIdFor(ctx.trapId, clusterAccountId(ctx.clusterName), 'kubeconfig');
}

/**
 * What `aws eks get-token` prints: "k8s-aws-v1." and the base64url of an STS GetCallerIdentity
 * URL presigned for the cluster (the x-k8s-aws-id header names it).
 */
function eksBearerToken(ctx: DecoyContext): string {
  const region = clusterRegion(ctx);
  const signedAt = new Date(ctx.now.getTime() - randomInt(60, 3600) * 1000);
  const amzDate = signedAt.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z');
  const query = [
    'Action=GetCallerIdentity',
    'Version=2011-06-15',
    'X-Amz-Algorithm=AWS4-HMAC-SHA256',
    `X-Amz-Credential=${encodeURIComponent(`${kubeconfigAccessKeyId(ctx)}/${amzDate.slice(0, 8)}/${region}/sts/aws4_request`)}`,
    `X-Amz-Date=${amzDate}`,
    'X-Amz-Expires=60',
    `X-Amz-SignedHeaders=${encodeURIComponent('host;x-k8s-aws-id')}`,
    `X-Amz-Signature=${randomHex(32)}`,
  ].join('&');
  const url = `https://sts.${region}.amazonaws.com/?${query}`;
  return `k8s-aws-v1.${Buffer.from(url).toString('base64url')}`;
}
