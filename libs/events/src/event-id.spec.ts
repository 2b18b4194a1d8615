import { describe, expect, it } from 'vitest';
import { createEventIdGenerator, eventIdTime, isEventId } from './event-id.js';

describe('event ids', () => {
  it('encode the millisecond they were made in', () => {
    const next = createEventIdGenerator({ now: () => Date.UTC(2026, 11, 4, 16, 0, 0, 123) });
    const id = next();
    expect(id).toHaveLength(26);
    expect(isEventId(id)).toBe(true);
    expect(eventIdTime(id).toISOString()).toBe('2026-12-04T16:00:00.123Z');
  });

  it('sort by time as plain strings', () => {
    let t = 1_700_000_000_000;
    const next = createEventIdGenerator({ now: () => (t += 7) });
    const ids = Array.from({ length: 1000 }, () => next());
    expect([...ids].sort()).toEqual(ids);
  });

  it('strictly increase within one millisecond and when the clock steps back', () => {
    const times = [5000, 5000, 5000, 4000, 5000];
    const next = createEventIdGenerator({ now: () => times.shift() ?? 5000, random: () => new Uint8Array(10).fill(0xff) });
    const ids = Array.from({ length: 5 }, () => next());
    for (let i = 1; i < ids.length; i++) expect(ids[i]! > ids[i - 1]!).toBe(true);
    // The random part was all ones: the second id rolled over into the next millisecond.
    expect(eventIdTime(ids[1]!).getTime()).toBe(5001);
  });

  it('are unique across independent generators (nodes) in the same millisecond', () => {
    const now = () => 1_700_000_000_000;
    const nodes = Array.from({ length: 50 }, () => createEventIdGenerator({ now }));
    const ids = new Set<string>();
    for (const next of nodes) for (let i = 0; i < 200; i++) ids.add(next());
    expect(ids.size).toBe(50 * 200);
  });

  it('reject strings that are not ids', () => {
    expect(isEventId('01ARZ3NDEKTSV4RRFFQ69G5FAV')).toBe(true);
    expect(isEventId('01ARZ3NDEKTSV4RRFFQ69G5FAU')).toBe(false); // U is not Crockford
    expect(isEventId('81ARZ3NDEKTSV4RRFFQ69G5FAV')).toBe(false); // beyond 48 bits
    expect(() => eventIdTime('nope')).toThrow(/not an event id/);
  });
});
