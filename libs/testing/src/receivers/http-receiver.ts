import { createServer } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, Server } from 'node:http';

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
  /** The status written back; 0 until then, and for ever if the client went away first. */
  status: number;
}

export interface Answer {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

/** May answer later (a Promise), to play a slow or hanging server. */
export type Responder = (request: ReceivedRequest, index: number) => Answer | Promise<Answer>;

export interface HttpReceiver {
  readonly url: string;
  readonly requests: ReceivedRequest[];
  respondWith(responder: Responder): void;
  close(): Promise<void>;
}

/** A local HTTP server on a free loopback port that records every request and answers as told. */
export async function startHttpReceiver(responder: Responder = () => ({ status: 200 })): Promise<HttpReceiver> {
  let respond = responder;
  const requests: ReceivedRequest[] = [];
  const server: Server = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      const received: ReceivedRequest = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body, at: Date.now(), status: 0 };
      requests.push(received);
      void Promise.resolve(respond(received, requests.length - 1)).then((answer) => {
        if (res.destroyed) return;
        res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
        res.end(answer.body ?? '{}');
        received.status = answer.status;
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    respondWith: (r) => (respond = r),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
