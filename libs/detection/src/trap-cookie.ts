import { createHash } from 'node:crypto';

/** The 64-bit number the kernel carries for a trap: stable for a trap id across restarts. */
export function trapCookie(trapId: string): bigint {
  return createHash('sha256').update(trapId).digest().readBigUInt64LE(0) || 1n;
}
