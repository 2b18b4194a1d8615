import type { Policy } from './policy-schema.js';
import { policySchema } from './policy-schema.js';

/** design.md §7: an EKS web-identity token decoy in every namespace but kube-system. */
export const DEFAULT_POLICY: Policy = policySchema.parse({
  traps: [
    {
      name: 'eks-token',
      kind: 'eks-token',
      path: '/var/run/secrets/eks.amazonaws.com/serviceaccount/token',
      memo: 'EKS IRSA web-identity token',
      selector: { namespaces: { include: ['*'], exclude: ['kube-system'] } },
    },
  ],
});
