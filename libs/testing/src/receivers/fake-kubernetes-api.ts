import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startHttpReceiver } from './http-receiver.js';
import type { Responder } from './http-receiver.js';

/**
 * A stand-in for the Kubernetes API server (none runs here): records every request and
 * answers 201 with the posted object, or whatever the test says (403 for an RBAC denial).
 * `kubeconfig` is a file that points @kubernetes/client-node at it.
 */
export async function startFakeKubernetesApi(responder?: Responder) {
  const fallback: Responder = (r) => ({ status: r.method === 'POST' ? 201 : 200, body: r.body || '{}' });
  const receiver = await startHttpReceiver(responder ?? fallback);
  const dir = mkdtempSync(join(tmpdir(), 'beesting-kube-'));
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(
    kubeconfig,
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters: [{name: fake, cluster: {server: "' + receiver.url + '", insecure-skip-tls-verify: true}}]',
      'users: [{name: router, user: {token: fake-token}}]',
      'contexts: [{name: fake, context: {cluster: fake, user: router}}]',
      'current-context: fake',
      '',
    ].join('\n'),
  );
  return {
    kubeconfig,
    requests: receiver.requests,
    respondWith: receiver.respondWith,
    close: async () => {
      await receiver.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
