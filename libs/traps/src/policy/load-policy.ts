import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { DEFAULT_POLICY } from './default-policy.js';
import { PolicyError } from './policy-error.js';
import { policySchema } from './policy-schema.js';
import type { Policy } from './policy-schema.js';

function keyOf(path: ReadonlyArray<PropertyKey>): string {
  return path.reduce<string>((key, part) => (typeof part === 'number' ? `${key}[${part}]` : key ? `${key}.${String(part)}` : String(part)), '');
}

/** Parses and validates a policy document; errors name the first bad key. */
export function parsePolicy(text: string, source = 'policy'): Policy {
  const doc = parseDocument(text, { uniqueKeys: true });
  const yamlError = doc.errors[0];
  if (yamlError) throw new PolicyError('', `not valid YAML: ${yamlError.message.split('\n')[0]}`, source);
  const result = policySchema.safeParse(doc.toJS() ?? {});
  if (!result.success) {
    // A misspelt key explains the "missing" one it causes: report it first.
    const issue = result.error.issues.find((i) => i.code === 'unrecognized_keys') ?? result.error.issues[0];
    const key = issue ? keyOf(issue.path) : '';
    throw new PolicyError(key, issue?.message ?? 'invalid', source);
  }
  return result.data;
}

/** The policy in `file`, or the built-in default when no file is named. */
export function loadPolicy(file: string | undefined): Policy {
  if (!file) return DEFAULT_POLICY;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new PolicyError('', `cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, file);
  }
  return parsePolicy(text, file);
}
