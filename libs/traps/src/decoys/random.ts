import { randomBytes, randomInt } from 'node:crypto';
import { containsGiveaway } from './giveaways.js';

export const LOWER_ALPHANUMERIC = 'abcdefghijklmnopqrstuvwxyz0123456789';
export const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
export const BASE64URL_ALPHABET = `${ALPHANUMERIC}-_`;

// Random text can spell a giveaway word by chance ("trap" is one in ~10^6 per position in base64):
// draw again until it does not.
function withoutGiveaway(draw: () => string): string {
  for (;;) {
    const text = draw();
    if (!containsGiveaway(text)) return text;
  }
}

/** Cryptographically random characters of `alphabet`. */
export function randomString(alphabet: string, length: number): string {
  return withoutGiveaway(() => Array.from({ length }, () => alphabet.charAt(randomInt(alphabet.length))).join(''));
}

export function randomHex(bytes: number): string {
  return withoutGiveaway(() => randomBytes(bytes).toString('hex'));
}

export function randomBase64(bytes: number): string {
  return withoutGiveaway(() => randomBytes(bytes).toString('base64'));
}
