import { parse } from 'dotenv';
import { describe, expect, it } from 'vitest';
import { clusterRegion } from './aws-identity.js';
import { trapTag } from './derive.js';
import { databasePasswordFor, dotenv } from './dotenv.js';
import { sampleDecoyContext } from './samples.js';

describe('dotenv', () => {
  const ctx = sampleDecoyContext();
  const [file] = dotenv(ctx).files;
  const env = parse(file!.content);

  it('is a .env file that dotenv parses', () => {
    expect(file!.name).toBe('.env');
    expect(env['APP_ENV']).toBe('production');
    expect(env['APP_NAME']).toBe('payments-api');
    expect(env['AWS_REGION']).toBe(clusterRegion(ctx));
    expect(env['SECRET_KEY_BASE']).toMatch(/^[0-9a-f]{128}$/);
    expect(env['SENDGRID_API_KEY']).toMatch(/^SG\.[\w-]{22}\.[\w-]{43}$/);
    expect(env['STRIPE_SECRET_KEY']).toMatch(/^sk_live_[A-Za-z0-9]{24}$/);
  });

  it('has a database URL to RDS whose password carries the trap tag', () => {
    const url = new URL(env['DATABASE_URL']!);
    expect(url.protocol).toBe('postgres:');
    expect(url.username).toBe('payments_api');
    expect(url.hostname).toMatch(new RegExp(`^payments-api-db\\.[a-z0-9]{12}\\.${clusterRegion(ctx)}\\.rds\\.amazonaws\\.com$`));
    expect(url.port).toBe('5432');
    expect(url.pathname).toBe('/payments_api');
    expect(url.password).toMatch(/^[A-Za-z0-9]{24}$/);
    expect(url.password).toContain(trapTag(ctx.trapId));
  });

  it('has a TLS Redis URL to ElastiCache with a random auth token', () => {
    const url = new URL(env['REDIS_URL']!);
    expect(url.protocol).toBe('rediss:');
    expect(url.password).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(url.hostname).toMatch(/^master\.payments-api-cache\.[a-z0-9]{6}\.[a-z]+\d\.cache\.amazonaws\.com$/);
  });

  it('makes a new password every time, always with the tag', () => {
    const first = databasePasswordFor(ctx.trapId);
    const second = databasePasswordFor(ctx.trapId);
    expect(first).not.toBe(second);
    expect(second).toContain(trapTag(ctx.trapId));
  });
});
