import { posix } from 'node:path';
import { z } from 'zod';
import { DECOY_KINDS } from '../decoys/decoy.js';

const glob = z.string().min(1, 'an empty glob matches nothing');
const globList = z.array(glob);
const nameFilter = z.strictObject({ include: globList.default(['*']), exclude: globList.default([]) }).default({ include: ['*'], exclude: [] });

const labelSelector = z
  .strictObject({
    matchLabels: z.record(z.string(), z.string()).default({}),
    matchExpressions: z
      .array(
        z
          .strictObject({ key: z.string().min(1), operator: z.enum(['In', 'NotIn', 'Exists', 'DoesNotExist']), values: z.array(z.string()).default([]) })
          .refine((e) => (e.operator === 'In' || e.operator === 'NotIn' ? e.values.length > 0 : e.values.length === 0), {
            message: 'In and NotIn need values; Exists and DoesNotExist take none',
            path: ['values'],
          }),
      )
      .default([]),
  })
  .default({ matchLabels: {}, matchExpressions: [] });

const containerPath = z
  .string()
  .refine((p) => p.startsWith('/'), 'must be an absolute path')
  .refine((p) => posix.normalize(p) === p && !p.endsWith('/') && p !== '/', 'must be a normalized file path (no "..", "//" or trailing "/")');

const octalMode = z
  .string()
  .regex(/^0?[0-7]{3}$/, 'an octal file mode such as "0644"')
  .transform((m) => parseInt(m, 8));

const owner = z
  .string()
  .regex(/^\d+:\d+$/, 'uid:gid, e.g. "0:0"')
  .transform((o) => {
    const [uid, gid] = o.split(':').map(Number);
    return { uid: uid ?? 0, gid: gid ?? 0 };
  });

export const trapSpecSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, 'a DNS label: lower-case letters, digits and "-", at most 63'),
  kind: z.enum(DECOY_KINDS),
  path: containerPath,
  memo: z.string().max(512).default(''),
  mode: octalMode.optional(),
  owner: owner.default({ uid: 0, gid: 0 }),
  selector: z
    .strictObject({ namespaces: nameFilter, podLabels: labelSelector, containers: nameFilter })
    .default({ namespaces: { include: ['*'], exclude: [] }, podLabels: { matchLabels: {}, matchExpressions: [] }, containers: { include: ['*'], exclude: [] } }),
});

export const policySchema = z.strictObject({
  traps: z.array(trapSpecSchema).superRefine((traps, ctx) => {
    const seen = new Map<string, number>();
    traps.forEach((t, i) => {
      const first = seen.get(t.name);
      if (first !== undefined) ctx.addIssue({ code: 'custom', message: `duplicate trap name (also traps[${first}])`, path: [i, 'name'] });
      seen.set(t.name, i);
    });
  }),
});

export type TrapSpec = z.output<typeof trapSpecSchema>;
export type Policy = z.output<typeof policySchema>;
