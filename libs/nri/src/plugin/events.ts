import { Event } from '../gen/nri/pkg/api/v1alpha1/api_pb.js';

/** Bits a runtime with NRI before v0.10.0 accepts; a mask with others fails registration there. */
export const LEGACY_VALID_EVENTS = 0x07ff;
export const ALL_VALID_EVENTS = 0x3fff;

export const eventBit = (event: Event) => 1 << (event - 1);

export function eventMask(events: Iterable<Event>): number {
  let mask = 0;
  for (const e of events) mask |= eventBit(e);
  return mask;
}

export function eventsInMask(mask: number): Event[] {
  const out: Event[] = [];
  for (let e = Event.RUN_POD_SANDBOX; e < Event.LAST; e++) if (mask & eventBit(e)) out.push(e);
  return out;
}

/** True when the runtime's NRI is v0.10.0 or newer, so events 12 to 14 exist. */
export function runtimeKnowsNewEvents(nriVersion: string): boolean {
  const m = /^v?(\d+)\.(\d+)/.exec(nriVersion);
  return !!m && (Number(m[1]) > 0 || Number(m[2]) >= 10);
}

/** NRI >= v0.12.0 delivers lifecycle events through their own methods rather than StateChange. */
export function runtimeUsesDedicatedEvents(nriVersion: string): boolean {
  const m = /^v?(\d+)\.(\d+)/.exec(nriVersion);
  return !!m && (Number(m[1]) > 0 || Number(m[2]) >= 12);
}
