import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Two ends of a real unix stream socket. */
export async function unixSocketPair(): Promise<{ a: Socket; b: Socket; dispose: () => void }> {
  const dir = mkdtempSync(join(tmpdir(), 'beesting-pair-'));
  const path = join(dir, 's.sock');
  const server = createServer();
  await new Promise<void>((r) => server.listen(path, r));
  const accepted = new Promise<Socket>((r) => server.once('connection', r));
  const a = createConnection({ path });
  await new Promise((r) => a.once('connect', r));
  const b = await accepted;
  server.close();
  return {
    a,
    b,
    dispose: () => {
      a.destroy();
      b.destroy();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
