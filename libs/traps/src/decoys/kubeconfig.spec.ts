import { X509Certificate } from 'node:crypto';
import { KubeConfig } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { clusterAccountId, clusterRegion, eksClusterArn, eksEndpoint } from './aws-identity.js';
import { kubeconfig, kubeconfigAccessKeyId } from './kubeconfig.js';
import { sampleDecoyContext } from './samples.js';
import { serviceAccountToken } from './service-account-token.js';

describe('kubeconfig', () => {
  const ctx = sampleDecoyContext();
  const [file] = kubeconfig(ctx).files;
  const config = new KubeConfig();
  config.loadFromString(file!.content.toString());

  it('is one config file', () => {
    expect(kubeconfig(ctx).files.map((f) => f.name)).toEqual(['config']);
  });

  it('loads with the Kubernetes client, pointing at the cluster EKS endpoint', () => {
    const arn = eksClusterArn(ctx);
    expect(arn).toBe(`arn:aws:eks:${clusterRegion(ctx)}:${clusterAccountId(ctx.clusterName)}:cluster/prod-eu-1`);
    expect(config.getCurrentContext()).toBe(arn);
    const cluster = config.getCurrentCluster()!;
    expect(cluster.name).toBe(arn);
    expect(cluster.server).toBe(eksEndpoint(ctx));
    expect(cluster.server).toMatch(/^https:\/\/[0-9A-F]{32}\.gr7\.[a-z]+-[a-z]+-\d\.eks\.amazonaws\.com$/);
    expect(config.getCurrentUser()!.name).toBe(arn);
  });

  it('trusts the cluster CA, the same certificate a service-account volume holds', () => {
    const caPem = Buffer.from(config.getCurrentCluster()!.caData!, 'base64').toString();
    const cert = new X509Certificate(caPem);
    expect(cert.ca).toBe(true);
    expect(cert.verify(cert.publicKey)).toBe(true);
    expect(caPem).toBe(serviceAccountToken(ctx).files[1]!.content.toString());
  });

  it('authenticates with an aws-iam-authenticator token presigned with a key derived from the trap id', () => {
    const token = config.getCurrentUser()!.token!;
    expect(token).toMatch(/^k8s-aws-v1\.[\w-]+$/);
    const url = new URL(Buffer.from(token.slice('k8s-aws-v1.'.length), 'base64url').toString());
    const region = clusterRegion(ctx);
    expect(url.origin).toBe(`https://sts.${region}.amazonaws.com`);
    expect(url.searchParams.get('Action')).toBe('GetCallerIdentity');
    expect(url.searchParams.get('X-Amz-SignedHeaders')).toBe('host;x-k8s-aws-id');
    expect(url.searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
    const [keyId, date, credentialRegion, service, terminator] = url.searchParams.get('X-Amz-Credential')!.split('/');
    expect(keyId).toBe(kubeconfigAccessKeyId(ctx));
    expect(keyId).toMatch(/^AKIA[A-Z2-7]{16}$/);
    expect([credentialRegion, service, terminator]).toEqual([region, 'sts', 'aws4_request']);
    expect(url.searchParams.get('X-Amz-Date')).toMatch(new RegExp(`^${date}T\\d{6}Z$`));
  });
});
