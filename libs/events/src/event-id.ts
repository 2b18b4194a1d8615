import { randomBytes } from 'node:crypto';

// Event ids are ULIDs: 48 bits of milliseconds then 80 random bits, in Crockford
// base32. They sort by time as strings, and the random part makes two nodes'
// ids collide with negligible probability. Within one millisecond a generator
// increments the random part, so its ids are strictly increasing.

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const TIME_CHARS = 10;
const RANDOM_CHARS = 16;
const MAX_TIME = 2 ** 48 - 1;
const RANDOM_MAX = (1n << 80n) - 1n;
const EVENT_ID_PATTERN = /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/;

export type EventIdGenerator = () => string;

export interface EventIdSources {
  now?: () => number;
  random?: (bytes: number) => Uint8Array;
}

export function createEventIdGenerator(sources: EventIdSources = {}): EventIdGenerator {
  const now = sources.now ?? Date.now;
  const random = sources.random ?? ((n: number) => randomBytes(n));
  let lastTime = -1;
  let lastRandom = 0n;
  return () => {
    const time = Math.max(now(), lastTime);
    if (time > MAX_TIME || time < 0) throw new RangeError(`event id time out of range: ${time}`);
    if (time === lastTime) {
      // Overflowing 80 bits within one millisecond would need 2^80 ids; wrap to the next ms.
      if (lastRandom === RANDOM_MAX) {
        lastTime = time + 1;
        lastRandom = 0n;
      } else {
        lastRandom += 1n;
      }
    } else {
      lastTime = time;
      lastRandom = bytesToBigInt(random(10));
    }
    return encodeBase32(BigInt(lastTime), TIME_CHARS) + encodeBase32(lastRandom, RANDOM_CHARS);
  };
}

export const newEventId: EventIdGenerator = createEventIdGenerator();

export function isEventId(value: string): boolean {
  return EVENT_ID_PATTERN.test(value);
}

/** The millisecond an event id was made in. */
export function eventIdTime(id: string): Date {
  if (!isEventId(id)) throw new TypeError(`not an event id: ${JSON.stringify(id)}`);
  let ms = 0;
  for (const ch of id.slice(0, TIME_CHARS)) ms = ms * 32 + ALPHABET.indexOf(ch);
  return new Date(ms);
}

function bytesToBigInt(bytes: Uint8Array): bigint {
  let value = 0n;
  for (const b of bytes) value = (value << 8n) | BigInt(b);
  return value;
}

function encodeBase32(value: bigint, chars: number): string {
  let out = '';
  for (let i = 0; i < chars; i++) {
    out = ALPHABET[Number(value & 31n)] + out;
    value >>= 5n;
  }
  return out;
}
