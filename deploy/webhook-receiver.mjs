#!/usr/bin/env node
// Demo webhook receiver: prints every Beesting alert whose signature checks out, and rejects
// the rest with 401. Node's standard library only, so it runs in a stock node image.
//   BEESTING_WEBHOOK_SECRET=... [HOST=0.0.0.0] [PORT=8080] node deploy/webhook-receiver.mjs
// Signature header: Beesting-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import { pathToFileURL } from 'node:url';

const TOLERANCE_SECONDS = 300;

/** True if `header` signs `rawBody` with `secret`, made within the tolerance of `nowSeconds`. */
export function verifySignature(secret, header, rawBody, nowSeconds = Math.floor(Date.now() / 1000)) {
  const parts = Object.fromEntries(
    String(header ?? '')
      .split(',')
      .map((p) => p.trim().split('=', 2)),
  );
  const t = Number(parts.t);
  const given = parts.v1;
  if (!Number.isInteger(t) || typeof given !== 'string' || !/^[0-9a-f]{64}$/.test(given)) return false;
  if (Math.abs(nowSeconds - t) > TOLERANCE_SECONDS) return false;
  const expected = createHmac('sha256', secret).update(`${t}.${rawBody}`).digest();
  return timingSafeEqual(expected, Buffer.from(given, 'hex'));
}

export function startReceiver({ secret, host, port, log = console.log }) {
  const seen = new Set();
  const server = createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/healthz') return void res.writeHead(200).end('ok\n');
    if (req.method !== 'POST') return void res.writeHead(405).end();
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const delivery = req.headers['beesting-delivery'];
      if (!verifySignature(secret, req.headers['beesting-signature'], body)) {
        log(JSON.stringify({ rejected: 'bad signature', delivery }));
        return void res.writeHead(401).end();
      }
      // Retries carry the same delivery id: show each alert once.
      const duplicate = typeof delivery === 'string' && seen.has(delivery);
      if (typeof delivery === 'string') seen.add(delivery);
      let alert;
      try {
        alert = JSON.parse(body);
      } catch {
        return void res.writeHead(400).end();
      }
      if (!duplicate) log(JSON.stringify({ verified: true, delivery, alert }));
      res.writeHead(204).end();
    });
  });
  server.listen(port, host, () => {
    const address = server.address();
    log(JSON.stringify({ listening: `http://${host}:${typeof address === 'object' && address ? address.port : port}` }));
  });
  return server;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const secret = process.env.BEESTING_WEBHOOK_SECRET;
  if (!secret) {
    console.error('BEESTING_WEBHOOK_SECRET is required');
    process.exit(1);
  }
  const server = startReceiver({ secret, host: process.env.HOST ?? '0.0.0.0', port: Number(process.env.PORT ?? 8080) });
  for (const signal of ['SIGTERM', 'SIGINT']) process.once(signal, () => server.close(() => process.exit(0)));
}
