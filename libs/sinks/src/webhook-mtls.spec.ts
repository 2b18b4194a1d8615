import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:https';
import type { Server } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { sampleAlert } from '@beesting/events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliverWithRetries } from './deliver.js';
import { buildSinks } from './sink-registry.js';

// A real https server that demands a client certificate signed by its CA; the certificates
// are made by openssl for this run.
const dir = mkdtempSync(join(tmpdir(), 'beesting-mtls-'));
const file = (name: string) => join(dir, name);
const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });

function issue(name: string, cn: string, ext?: string): void {
  openssl('req', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`);
  openssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.crt`, '-days', '1', ...(ext ? ['-extfile', ext] : []));
}

describe('the webhook sink with mutual TLS', () => {
  let server: Server;
  let url: string;
  const seen: Array<{ authorized: boolean; client: string }> = [];
  beforeAll(async () => {
    openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '1', '-subj', '/CN=beesting-test-ca');
    execFileSync('sh', ['-c', 'printf "subjectAltName=IP:127.0.0.1\\n" > server.ext'], { cwd: dir });
    issue('server', '127.0.0.1', 'server.ext');
    issue('client', 'beesting-alert-router');
    server = createServer({ key: readFileSync(file('server.key')), cert: readFileSync(file('server.crt')), ca: readFileSync(file('ca.crt')), requestCert: true, rejectUnauthorized: true }, (req, res) => {
      const socket = req.socket as TLSSocket;
      seen.push({ authorized: socket.authorized, client: String(socket.getPeerCertificate().subject?.CN) });
      req.resume();
      req.on('end', () => res.writeHead(204).end());
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const address = server.address();
    url = `https://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/hook`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    rmSync(dir, { recursive: true, force: true });
  });

  const settings = (tls: boolean) => ({
    webhookUrl: url,
    webhookSecret: 's',
    natsAlerts: false,
    ...(tls ? { webhookTlsCert: file('client.crt'), webhookTlsKey: file('client.key') } : {}),
    webhookTlsCa: file('ca.crt'),
    timeoutMs: 3000,
    retry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 },
  });

  it('presents the client certificate and is accepted', async () => {
    const [sink] = buildSinks(settings(true), { jetstream: () => undefined });
    expect(await deliverWithRetries(sink!, sampleAlert())).toEqual({ ok: true, attempts: 1 });
    expect(seen).toEqual([{ authorized: true, client: 'beesting-alert-router' }]);
  });

  it('is refused by the server without one', async () => {
    const [sink] = buildSinks(settings(false), { jetstream: () => undefined });
    const result = await deliverWithRetries(sink!, sampleAlert());
    // The server's certificate is trusted (the CA is configured); the handshake fails for want of a client certificate.
    expect(result).toMatchObject({ ok: false, error: { code: 'BEESTING_ERR_SINK_NETWORK', message: expect.stringMatching(/certificate|alert|socket hang up|ECONNRESET/i) } });
    expect(seen).toHaveLength(1);
  });
});
