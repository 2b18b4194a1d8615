import { isAbsolute } from 'node:path';
import { z } from 'zod';

// Schemas for values that arrive as strings from the environment (or typed from YAML).

const text = z.union([z.string(), z.number()]).transform(String);

export const natsUrls = text.pipe(
  z
    .string()
    .transform((s) => s.split(',').map((u) => u.trim()))
    .refine((urls) => urls.every((u) => /^(nats|tls):\/\/[^\s/]+$/.test(u)), 'expected nats:// or tls:// URLs, separated by commas')
    .transform((urls) => urls.join(',')),
);

export interface HostPort {
  host: string;
  port: number;
}

export const hostPort = text.pipe(
  z.string().transform((s, ctx): HostPort => {
    const match = /^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]*):(\d{1,5})$/.exec(s);
    const port = match ? Number(match[2]) : NaN;
    if (!match || port > 65535) {
      ctx.addIssue({ code: 'custom', message: 'expected host:port, such as 127.0.0.1:9731 or :9731' });
      return z.NEVER;
    }
    return { host: match[1] || '0.0.0.0', port };
  }),
);

export const absolutePath = text.pipe(z.string().refine((p) => isAbsolute(p), 'expected an absolute path'));

export const nodeName = text.pipe(
  z
    .string()
    .max(253)
    .regex(/^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$/, 'expected a node name (letters, digits, "-" and ".")'),
);

export const integer = (min: number, max: number) =>
  text.pipe(
    z
      .string()
      .regex(/^-?\d+$/, 'expected a whole number')
      .transform(Number)
      .pipe(z.number().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`)),
  );

export const httpUrl = text.pipe(
  z.string().refine((s) => {
    try {
      return ['http:', 'https:'].includes(new URL(s).protocol);
    } catch {
      return false;
    }
  }, 'expected an http:// or https:// URL'),
);

export const nonEmpty = text.pipe(z.string().min(1, 'must not be empty'));

export const oneOf = <const T extends readonly [string, ...string[]]>(values: T) =>
  text.pipe(z.enum(values, { error: `expected one of ${values.join(', ')}` }));

export const commaList = text.pipe(
  z.string().transform((s) =>
    s
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean),
  ),
);

export const absolutePathList = commaList.refine((paths) => paths.every((p) => isAbsolute(p)), 'expected absolute paths, separated by commas');

export const boolean = z
  .union([z.boolean(), z.string()])
  .transform((v, ctx) => {
    if (typeof v === 'boolean') return v;
    if (/^(true|1|yes|on)$/i.test(v)) return true;
    if (/^(false|0|no|off)$/i.test(v)) return false;
    ctx.addIssue({ code: 'custom', message: 'expected true or false' });
    return z.NEVER;
  });

/** A map of header names to values: a YAML mapping, or JSON in the environment. */
export const headerMap = z
  .union([z.string(), z.record(z.string(), z.union([z.string(), z.number()]))])
  .transform((v, ctx) => {
    let value: unknown = v;
    if (typeof v === 'string') {
      try {
        value = JSON.parse(v);
      } catch {
        ctx.addIssue({ code: 'custom', message: 'expected a JSON object of header names to values' });
        return z.NEVER;
      }
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      ctx.addIssue({ code: 'custom', message: 'expected a JSON object of header names to values' });
      return z.NEVER;
    }
    const out: Record<string, string> = {};
    for (const [k, x] of Object.entries(value)) {
      if (!/^[A-Za-z0-9-]+$/.test(k) || typeof x === 'object') {
        ctx.addIssue({ code: 'custom', message: `invalid header ${JSON.stringify(k)}` });
        return z.NEVER;
      }
      out[k] = String(x);
    }
    return out;
  });

/** "off", "in-cluster", or the absolute path of a kubeconfig file. */
export const kubernetesSource = text.pipe(z.string().refine((s) => s === 'off' || s === 'in-cluster' || isAbsolute(s), 'expected off, in-cluster, or the absolute path of a kubeconfig'));
