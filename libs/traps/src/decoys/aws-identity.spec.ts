import { describe, expect, it } from 'vitest';
import { awsAccessKeyIdFor, clusterAccountId, clusterRegion, clusterRegionShortCode, eksOidcIssuer } from './aws-identity.js';

describe('clusterRegion', () => {
  it('is the region in EC2 node names', () => {
    expect(clusterRegion({ clusterName: 'prod', nodeName: 'ip-10-0-12-34.eu-west-1.compute.internal' })).toBe('eu-west-1');
    expect(clusterRegion({ clusterName: 'prod', nodeName: 'i-0a1b2c3d4e5f60718.ap-southeast-2.compute.internal' })).toBe('ap-southeast-2');
    expect(clusterRegion({ clusterName: 'prod', nodeName: 'ip-10-0-12-34.ec2.internal' })).toBe('us-east-1');
  });

  it('is a stable pick per cluster for other node names', () => {
    const region = clusterRegion({ clusterName: 'prod', nodeName: 'gke-prod-pool-1-abcd' });
    expect(region).toMatch(/^[a-z]{2}-[a-z]+-\d$/);
    expect(clusterRegion({ clusterName: 'prod', nodeName: 'worker-7' })).toBe(region);
  });

  it.each([
    ['ip-1.us-east-2.compute.internal', 'use2'],
    ['ip-1.eu-central-1.compute.internal', 'euc1'],
    ['ip-1.ap-northeast-1.compute.internal', 'apne1'],
    ['ip-1.ap-southeast-1.compute.internal', 'apse1'],
    ['ip-1.ec2.internal', 'use1'],
  ])('%s has short code %s', (nodeName, code) => {
    expect(clusterRegionShortCode({ clusterName: 'prod', nodeName })).toBe(code);
  });

  it('names the OIDC issuer of the cluster in its region', () => {
    expect(eksOidcIssuer({ clusterName: 'prod', nodeName: 'ip-1.eu-west-1.compute.internal' })).toMatch(
      /^https:\/\/oidc\.eks\.eu-west-1\.amazonaws\.com\/id\/[0-9A-F]{32}$/,
    );
  });
});

describe('awsAccessKeyIdFor', () => {
  it('is stable for a trap and label, and differs across them', () => {
    const account = clusterAccountId('prod');
    const keyId = awsAccessKeyIdFor('01JP4Q8M2ZK6V0R9XWD3B7N5FH', account, 'default');
    expect(keyId).toMatch(/^AKIA[Q-Z2-7][A-Z2-7]{15}$/);
    expect(awsAccessKeyIdFor('01JP4Q8M2ZK6V0R9XWD3B7N5FH', account, 'default')).toBe(keyId);
    expect(awsAccessKeyIdFor('01JP4Q8M2ZK6V0R9XWD3B7N5FJ', account, 'default')).not.toBe(keyId);
    expect(awsAccessKeyIdFor('01JP4Q8M2ZK6V0R9XWD3B7N5FH', account, 'other')).not.toBe(keyId);
    expect(awsAccessKeyIdFor('01JP4Q8M2ZK6V0R9XWD3B7N5FH', account, 'default', 'ASIA')).toMatch(/^ASIA/);
  });
});
