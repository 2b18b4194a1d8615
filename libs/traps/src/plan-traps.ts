import { createHash } from 'node:crypto';
import type { DecoyContext } from './decoys/decoy.js';
import { generateDecoy } from './decoys/generate-decoy.js';
import { placeTrap } from './placement/placement.js';
import type { Placement, SkipReason } from './placement/placement.js';
import type { TrapSpec } from './policy/policy-schema.js';
import type { PlantRequest } from './store/decoy-store.js';
import type { MountInfo } from './workload.js';

export interface PlannedTrap {
  spec: TrapSpec;
  trapId: string;
  placement: Placement;
}

export interface TrapPlan {
  planned: PlannedTrap[];
  skipped: Array<{ name: string; reason: SkipReason }>;
}

/** Stable per (container, trap): the same container gets the same trap ids after a restart. */
export function trapIdFor(containerId: string, trapName: string): string {
  return createHash('sha256').update(`${containerId}\0${trapName}`).digest('hex').slice(0, 16);
}

/** Decides where each matched trap goes in the container, or why it is skipped. */
export function planTraps(containerId: string, traps: readonly TrapSpec[], mounts: readonly MountInfo[]): TrapPlan {
  const plan: TrapPlan = { planned: [], skipped: [] };
  for (const spec of traps) {
    const placement = placeTrap(
      spec.kind,
      spec.path,
      mounts,
      plan.planned.map((p) => p.placement.destination),
    );
    if ('skip' in placement) plan.skipped.push({ name: spec.name, reason: placement.skip });
    else plan.planned.push({ spec, trapId: trapIdFor(containerId, spec.name), placement });
  }
  return plan;
}

const DAY_MS = 86_400_000;

/**
 * A projected volume is written by kubelet right before the container starts; a file
 * credential baked into an image or a home directory is older: weeks to a year, fixed per trap.
 */
function plausibleMtime(planned: PlannedTrap, now: Date): Date {
  if (planned.placement.layout === 'projected') return now;
  const h = createHash('sha256').update(planned.trapId).digest();
  const ageMs = (30 + (h.readUInt16BE(0) % 370)) * DAY_MS + (h.readUInt32BE(2) % DAY_MS);
  return new Date(Math.floor((now.getTime() - ageMs) / 1000) * 1000);
}

/** The decoy's content (unique to this container and trap) and how it is written. */
export function plantRequestFor(planned: PlannedTrap, ctx: Omit<DecoyContext, 'trapId'>): PlantRequest {
  const decoy = generateDecoy(planned.spec.kind, { ...ctx, trapId: planned.trapId });
  const files = planned.placement.layout === 'file' ? decoy.files.slice(0, 1).map((f) => ({ ...f, name: planned.placement.fileName })) : decoy.files.map((f, i) => (i === 0 ? { ...f, name: planned.placement.fileName } : f));
  return {
    trapId: planned.trapId,
    name: planned.spec.name,
    destination: planned.placement.destination,
    layout: planned.placement.layout,
    files,
    mode: planned.spec.mode ?? 0o644,
    owner: planned.spec.owner,
    mtime: plausibleMtime(planned, ctx.now),
  };
}

/** First 16 hex digits of the decoy file's sha256: its fingerprint in registrations and alerts. */
export function contentFingerprint(content: Buffer): string {
  return createHash('sha256').update(content).digest('hex').slice(0, 16);
}
