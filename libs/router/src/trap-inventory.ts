import { trapKey } from '@beesting/bus';
import { clone, AccessEventSchema, decodeMessage, TrapRegistrationSchema } from '@beesting/events';
import type { AccessEvent, TrapRegistration } from '@beesting/events';
import type { KV } from 'nats';

const CACHE_LIMIT = 10_000;

/** The beesting_traps bucket, read by the router to fill in what an event lacks and for /api/v1/traps. */
export class TrapInventory {
  private readonly cache = new Map<string, TrapRegistration | null>();

  constructor(private readonly kv: () => KV | undefined) {}

  async lookup(node: string, trapId: string): Promise<TrapRegistration | undefined> {
    const key = trapKey(node, trapId);
    if (this.cache.has(key)) return this.cache.get(key) ?? undefined;
    const kv = this.kv();
    if (!kv) return undefined;
    const entry = await kv.get(key).catch(() => null);
    let registration: TrapRegistration | null = null;
    if (entry && entry.operation === 'PUT' && entry.length > 0) {
      try {
        registration = decodeMessage(TrapRegistrationSchema, entry.value);
      } catch {
        registration = null;
      }
    }
    if (this.cache.size >= CACHE_LIMIT) this.cache.delete(this.cache.keys().next().value as string);
    if (registration) this.cache.set(key, registration);
    return registration ?? undefined;
  }

  /** The event with the trap's name, memo and the pod's labels from the inventory where it lacks them. */
  async enrich(event: AccessEvent): Promise<AccessEvent> {
    const node = event.owner?.node;
    const trapId = event.trap?.id;
    if (!node || !trapId) return event;
    const registration = await this.lookup(node, trapId);
    if (!registration) return event;
    const out = clone(AccessEventSchema, event);
    if (out.trap && registration.trap) {
      out.trap.name ||= registration.trap.name;
      out.trap.memo ||= registration.trap.memo;
    }
    const pod = out.owner?.pod;
    if (pod && registration.owner?.pod && Object.keys(pod.labels).length === 0) pod.labels = { ...registration.owner.pod.labels };
    return out;
  }

  async list(): Promise<TrapRegistration[]> {
    const kv = this.kv();
    if (!kv) return [];
    const out: TrapRegistration[] = [];
    for await (const key of await kv.keys()) {
      const entry = await kv.get(key);
      if (!entry || entry.operation !== 'PUT') continue;
      try {
        out.push(decodeMessage(TrapRegistrationSchema, entry.value));
      } catch {
        // A malformed inventory entry is skipped here; the monitor reports it.
      }
    }
    return out;
  }
}
