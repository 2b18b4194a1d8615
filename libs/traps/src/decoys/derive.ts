import { createHash } from 'node:crypto';

// Deterministic values: cluster-wide ones (region, account, endpoint) so every container of a
// cluster tells the same story, and trap-derived ones so a leaked credential leads back to its trap.

// No vowels, so a derived tag can never spell a giveaway word.
const TAG_ALPHABET = 'bcdfghjklmnpqrstvwxz0123456789';

export function digestOf(...parts: string[]): Buffer {
  return createHash('sha256').update(parts.join('\0')).digest();
}

/** A stable pick from `choices` for `parts`. */
export function pickFor<Choices extends readonly [unknown, ...unknown[]]>(choices: Choices, ...parts: string[]): Choices[number] {
  const index = digestOf(...parts).readUInt32BE(0) % choices.length;
  return choices[index] ?? choices[0];
}

/** A stable integer in [min, max] for `parts`. */
export function numberFor(min: number, max: number, ...parts: string[]): number {
  return min + (digestOf(...parts).readUInt32BE(0) % (max - min + 1));
}

/** `length` decimal digits for `parts`, the first one not zero. */
export function digitsFor(length: number, ...parts: string[]): string {
  const value = BigInt(`0x${digestOf(...parts).toString('hex')}`);
  const span = 9n * 10n ** BigInt(length - 1);
  return (10n ** BigInt(length - 1) + (value % span)).toString();
}

/** A short lowercase tag derived from the trap id, to weave into names and passwords. */
export function trapTag(trapId: string, length = 8): string {
  const digest = digestOf('tag', trapId);
  return Array.from({ length }, (_, i) => TAG_ALPHABET.charAt((digest[i] ?? 0) % TAG_ALPHABET.length)).join('');
}

/** A UUID-shaped (version 4 layout) value derived from `parts`. */
export function uuidFor(...parts: string[]): string {
  const bytes = digestOf(...parts).subarray(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x40;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
