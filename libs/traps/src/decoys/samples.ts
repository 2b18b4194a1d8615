import type { DecoyContext } from './decoy.js';

/** A plausible context for tests and examples: a Deployment's pod on an EKS node. */
export function sampleDecoyContext(overrides: Partial<DecoyContext> = {}): DecoyContext {
  return {
    trapId: '01JP4Q8M2ZK6V0R9XWD3B7N5FH',
    podName: 'payments-api-7d9f8b6c5d-x2k4p',
    podNamespace: 'payments',
    podUid: '5b0d3f2e-8c4a-4f61-9d7e-2a1b3c4d5e6f',
    containerName: 'api',
    containerId: 'containerd://4f7a9c1e2b3d5f6a8c0e1b2d4f6a8c0e2b4d6f8a0c2e4b6d8f0a2c4e6b8d0f2a',
    nodeName: 'ip-10-0-12-34.eu-west-1.compute.internal',
    clusterName: 'prod-eu-1',
    now: new Date('2026-03-14T09:26:53Z'),
    ...overrides,
  };
}
