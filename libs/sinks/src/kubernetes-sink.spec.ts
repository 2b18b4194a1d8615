import { sampleAlert } from '@beesting/events';
import { startFakeKubernetesApi } from '@beesting/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { deliverWithRetries } from './deliver.js';
import { KubernetesSink, LAST_ACCESS_ANNOTATION } from './kubernetes-sink.js';

const fast = { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 50 };

describe('the Kubernetes sink', () => {
  const closers: Array<() => Promise<void>> = [];
  afterEach(async () => Promise.all(closers.splice(0).map((c) => c())));

  it('creates a Warning Event with reason HoneytokenAccessed on the pod, and annotates the pod when asked', async () => {
    const api = await startFakeKubernetesApi();
    closers.push(api.close);
    const alert = sampleAlert();
    const result = await deliverWithRetries(new KubernetesSink({ source: api.kubeconfig, annotatePod: true, retry: fast }), alert);
    expect(result).toEqual({ ok: true, attempts: 1 });
    const [create, patch] = api.requests;
    expect(create).toMatchObject({ method: 'POST', path: '/api/v1/namespaces/default/events' });
    expect(create!.headers['authorization']).toBe('Bearer fake-token');
    const event = JSON.parse(create!.body);
    expect(event).toMatchObject({
      metadata: { namespace: 'default', name: expect.stringMatching(/^sample-pod\.beesting-[0-9a-f]{16}$/) },
      involvedObject: { apiVersion: 'v1', kind: 'Pod', name: 'sample-pod', namespace: 'default', uid: '00000000-0000-4000-8000-000000000000' },
      reason: 'HoneytokenAccessed',
      type: 'Warning',
      source: { component: 'beesting', host: 'sample-node' },
      count: 1,
    });
    expect(event.message).toBe('[critical] EKS web-identity token at /var/run/secrets/eks.amazonaws.com/serviceaccount/token opened inside the decoy’s own container by /usr/bin/cat (pid 4242, uid 0): cat /var/run/secrets/eks.amazonaws.com/serviceaccount/token');
    expect(patch).toMatchObject({ method: 'PATCH', path: '/api/v1/namespaces/default/pods/sample-pod' });
    expect(patch!.headers['content-type']).toBe('application/merge-patch+json');
    expect(Object.keys(JSON.parse(patch!.body).metadata.annotations)).toEqual([LAST_ACCESS_ANNOTATION]);
  });

  it('treats an Event that already exists (a redelivery) as delivered', async () => {
    const api = await startFakeKubernetesApi(() => ({ status: 409, body: '{"kind":"Status","code":409,"reason":"AlreadyExists"}' }));
    closers.push(api.close);
    expect(await deliverWithRetries(new KubernetesSink({ source: api.kubeconfig, retry: fast }), sampleAlert())).toEqual({ ok: true, attempts: 1 });
  });

  it('logs and counts an RBAC denial without retrying and without throwing', async () => {
    const api = await startFakeKubernetesApi(() => ({ status: 403, body: '{"kind":"Status","code":403,"reason":"Forbidden"}' }));
    closers.push(api.close);
    const denied: string[] = [];
    const result = await deliverWithRetries(new KubernetesSink({ source: api.kubeconfig, retry: fast, onForbidden: (w) => denied.push(w) }), sampleAlert());
    expect(result).toMatchObject({ ok: false, attempts: 1, error: { code: 'BEESTING_ERR_SINK_FORBIDDEN', retryable: false } });
    expect(denied).toEqual(['create Event in default']);
    expect(api.requests).toHaveLength(1);
  });
});
