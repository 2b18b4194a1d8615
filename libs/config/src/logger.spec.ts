import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.js';
import { createMetricsRegistry } from './metrics.js';

function capture() {
  const lines: Array<Record<string, unknown>> = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      lines.push(JSON.parse(chunk.toString()));
      done();
    },
  });
  return { lines, destination };
}

describe('logging', () => {
  it('writes JSON lines naming the app and node, at the configured level', async () => {
    const { lines, destination } = capture();
    const logger = createLogger({ app: 'monitor', node: 'node-1', level: 'warn', destination });
    logger.info('hidden');
    logger.warn({ backend: 'tracepoint' }, 'lsm not available');
    await new Promise((r) => setImmediate(r));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 'warn', app: 'monitor', node: 'node-1', backend: 'tracepoint', msg: 'lsm not available' });
  });

  it('censors decoy content and secrets wherever they appear', async () => {
    const { lines, destination } = capture();
    const logger = createLogger({ app: 'injector', destination });
    logger.info({ content: 'aws_secret_access_key=abc', decoy: { content: 'eyJhbGciOi', kind: 'eks' }, webhookSecret: 'k' }, 'planted');
    await new Promise((r) => setImmediate(r));
    const text = JSON.stringify(lines);
    expect(text).not.toContain('aws_secret_access_key');
    expect(text).not.toContain('eyJhbGciOi');
    expect(lines[0]).toMatchObject({ content: '[redacted]', decoy: { content: '[redacted]', kind: 'eks' }, webhookSecret: '[redacted]' });
  });
});

describe('metrics', () => {
  it('give each app a registry with process metrics and its app and node labels', async () => {
    const registry = createMetricsRegistry({ app: 'alert-router', node: 'node-2' });
    const text = await registry.metrics();
    expect(text).toMatch(/^process_cpu_user_seconds_total\{app="alert-router",node="node-2"\} /m);
    expect(text).toContain('nodejs_heap_size_used_bytes');
  });
});
