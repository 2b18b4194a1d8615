import { request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { Agent } from 'node:http';
import { parseRetryAfter } from './retry-policy.js';
import { SinkError, SinkErrorCode } from './sink.js';

export interface HttpPostOptions {
  headers: Record<string, string>;
  signal: AbortSignal;
  agent?: Agent;
}

const MAX_RESPONSE_BYTES = 64 * 1024;

/**
 * POSTs a body and resolves on 2xx. Everything else is a SinkError: 408, 429 and 5xx are
 * worth another attempt (429 with its Retry-After), other statuses are not.
 */
export function httpPost(url: URL, body: string, options: HttpPostOptions): Promise<void> {
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(
      url,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...options.headers },
        signal: options.signal,
        ...(options.agent ? { agent: options.agent } : {}),
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          if (text.length < MAX_RESPONSE_BYTES) text += chunk;
        });
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) return resolve();
          const retryable = status === 408 || status === 429 || status >= 500;
          const retryAfter = parseRetryAfter(res.headers['retry-after']);
          reject(new SinkError(SinkErrorCode.Http, `HTTP ${status}: ${text.slice(0, 200)}`, retryable, retryAfter));
        });
        res.on('error', (err) => reject(new SinkError(SinkErrorCode.Network, err.message, true, undefined, { cause: err })));
      },
    );
    req.on('error', (err) => reject(new SinkError(options.signal.aborted ? SinkErrorCode.Timeout : SinkErrorCode.Network, err.message, true, undefined, { cause: err })));
    req.end(body);
  });
}

export interface TlsFiles {
  /** Client certificate and key, for mutual TLS. */
  cert?: Buffer;
  key?: Buffer;
  /** CA bundle the server's certificate must chain to. */
  ca?: Buffer;
}

export function tlsAgent(tls: TlsFiles): HttpsAgent {
  return new HttpsAgent({ ...tls, keepAlive: true });
}
