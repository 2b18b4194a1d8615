import type { Logger } from '@beesting/config';
import { decodeMessage, encodeMessage, TrapRegistrationSchema } from '@beesting/events';
import type { MessageInitShape, TrapRegistration } from '@beesting/events';
import type { Container, CreateContainerResponseSchema, HandlerContext, PodSandbox } from '@beesting/nri';
import { contentFingerprint, planTraps, plantRequestFor } from '@beesting/traps';
import type { DecoyStore, PlantRequest, SkipReason, StoredContainer, TrapMatcher } from '@beesting/traps';
import type { InjectorMetrics } from './injector-metrics.js';
import { trapRegistration } from './trap-registration.js';
import type { TrapRegistry } from './trap-registry.js';
import { containerInfo, podInfo } from './workload-info.js';

export interface TrapInjectorOptions {
  matcher: TrapMatcher;
  store: DecoyStore;
  registry: TrapRegistry;
  metrics: InjectorMetrics;
  logger: Logger;
  nodeName: string;
  clusterName: string;
  armTimeoutMs: number;
}

type CreateReply = MessageInitShape<typeof CreateContainerResponseSchema>;

// Left for the reply to travel after the arm wait, inside the handler's deadline.
const REPLY_MARGIN_MS = 50;
// What the traces show containerd accepts for a plugin's bind mount.
const MOUNT_OPTIONS = ['bind', 'ro', 'rprivate'];

/**
 * The injector's NRI handlers. CreateContainer plants the matching decoys on a tmpfs of
 * the container's own, registers them, waits (briefly) for the monitor to arm them and
 * answers with read-only bind mounts. Nothing here ever fails a container: every problem
 * becomes a skipped trap with a counted reason and a log line, and the answer is empty.
 */
export class TrapInjector {
  constructor(private readonly o: TrapInjectorOptions) {}

  async createContainer(pod: PodSandbox, container: Container, ctx: HandlerContext): Promise<CreateReply> {
    const stopTimer = this.o.metrics.handlerSeconds.startTimer();
    try {
      return await this.plantAndArm(pod, container, ctx);
    } catch (err) {
      this.o.logger.error({ container: container.id, err: (err as Error).message }, 'no traps for this container: unexpected error');
      this.o.metrics.containersSeen.inc({ outcome: 'error' });
      return {};
    } finally {
      stopTimer();
    }
  }

  async removeContainer(container: Pick<Container, 'id'>): Promise<void> {
    await this.removeDecoys(container.id, 'container-removed');
  }

  /**
   * The runtime's view of what runs: decoys of containers that are gone are removed,
   * the traps of the living ones are registered and armed again, and inventory entries
   * of this node that belong to no living trap are deleted.
   */
  async synchronize(containers: Array<Pick<Container, 'id'>>): Promise<{ kept: number; removed: string[] }> {
    const alive = new Set(containers.map((c) => c.id));
    const removed: string[] = [];
    for (const stored of this.o.store.containers()) {
      if (alive.has(stored.containerId)) continue;
      await this.removeDecoys(stored.containerId, 'gone-at-sync');
      removed.push(stored.containerId);
    }
    const kept = this.o.store.containers();
    const registrations = kept.flatMap((c) => this.registrationsOf(c));
    await this.o.registry.registerAndArm(registrations, this.o.armTimeoutMs);
    void this.deleteOrphanedEntries();
    this.o.logger.info({ containers: alive.size, trapped: kept.length, removed: removed.length }, 'synchronized with the runtime');
    return { kept: kept.length, removed };
  }

  private async plantAndArm(pod: PodSandbox, container: Container, ctx: HandlerContext): Promise<CreateReply> {
    const { metrics, logger } = this.o;
    const started = performance.now();
    const podI = podInfo(pod);
    const log = { pod: `${pod.namespace}/${pod.name}`, container: container.name, id: container.id };
    const match = this.o.matcher.match(podI, container);
    logger.debug({ ...log, traps: match.traps.map((t) => t.name), optedOut: match.optedOut }, 'CreateContainer');
    if (match.optedOut) {
      this.skip('opted-out', log);
      metrics.containersSeen.inc({ outcome: 'opted-out' });
      return {};
    }
    if (match.traps.length === 0) {
      metrics.containersSeen.inc({ outcome: 'no-match' });
      return {};
    }
    const plan = planTraps(container.id, match.traps, containerInfo(container).mounts);
    for (const s of plan.skipped) this.skip(s.reason, { ...log, trap: s.name });
    const now = new Date();
    // Filled as the store writes each decoy (its host path is known only then).
    const registrations: TrapRegistration[] = [];
    const requests: Array<{ request: PlantRequest; spec: (typeof plan.planned)[number]['spec'] }> = [];
    for (const planned of plan.planned) {
      try {
        const request = plantRequestFor(planned, {
          podName: pod.name,
          podNamespace: pod.namespace,
          podUid: pod.uid,
          containerName: container.name,
          containerId: container.id,
          nodeName: this.o.nodeName,
          clusterName: this.o.clusterName,
          now,
        });
        const fingerprint = contentFingerprint(request.files[0]?.content ?? Buffer.alloc(0));
        request.record = (hostPath) => {
          const registration = trapRegistration({ trapId: planned.trapId, spec: planned.spec, fingerprint, pod: podI, container, node: this.o.nodeName, hostPath, plantedAt: now });
          registrations.push(registration);
          return Buffer.from(encodeMessage(TrapRegistrationSchema, registration)).toString('utf8');
        };
        requests.push({ request, spec: planned.spec });
      } catch (err) {
        this.skip('generate-failed', { ...log, trap: planned.spec.name, err: (err as Error).message });
      }
    }
    if (requests.length === 0) {
      metrics.containersSeen.inc({ outcome: 'skipped' });
      return {};
    }
    const generatedAt = performance.now();
    let stored: StoredContainer;
    try {
      stored = await this.o.store.plant(
        container.id,
        requests.map((r) => r.request),
      );
    } catch (err) {
      for (const r of requests) this.skip('store-failed', { ...log, trap: r.request.name, err: (err as Error).message });
      metrics.containersSeen.inc({ outcome: 'skipped' });
      return {};
    }
    const plantedAt = performance.now();
    const armWait = Math.min(this.o.armTimeoutMs, ctx.deadline - Date.now() - REPLY_MARGIN_MS);
    const missed = await this.o.registry.registerAndArm(registrations, armWait);
    if (ctx.signal.aborted) {
      // The runtime already got an empty answer: this container runs without the mounts.
      await this.removeDecoys(container.id, 'deadline');
      for (const t of stored.traps) this.skip('deadline', { ...log, trap: t.name });
      metrics.containersSeen.inc({ outcome: 'skipped' });
      return {};
    }
    for (const [trapId, reason] of missed) logger.warn({ ...log, trap: trapId, reason }, 'trap not armed before the container starts; the monitor arms it from the inventory');
    for (const r of requests) metrics.planted.inc({ kind: r.spec.kind });
    metrics.containersSeen.inc({ outcome: 'trapped' });
    const ms = (a: number, b: number) => Math.round((b - a) * 100) / 100;
    logger.info({ ...log, traps: registrations.map(describe), ms: { generate: ms(started, generatedAt), plant: ms(generatedAt, plantedAt), arm: ms(plantedAt, performance.now()) } }, 'traps planted');
    return { adjust: { mounts: stored.traps.map((t) => ({ destination: t.destination, type: 'bind', source: t.source, options: MOUNT_OPTIONS })) } };
  }

  /** The inventory entries kept with a container's decoys; one that does not decode is logged and left out. */
  private registrationsOf(stored: StoredContainer): TrapRegistration[] {
    return stored.traps.flatMap((t) => {
      try {
        return t.record ? [decodeMessage(TrapRegistrationSchema, t.record)] : [];
      } catch (err) {
        this.o.logger.error({ container: stored.containerId, trap: t.trapId, err: (err as Error).message }, 'unreadable trap record: not re-armed');
        return [];
      }
    });
  }

  private async removeDecoys(containerId: string, cause: string): Promise<void> {
    const stored = this.o.store.get(containerId);
    if (!stored) return;
    await this.o.registry.deregister(stored.traps.map((t) => t.trapId));
    try {
      await this.o.store.remove(containerId);
      this.o.metrics.removed.inc({ cause });
    } catch (err) {
      this.o.logger.error({ container: containerId, err: (err as Error).message }, 'could not remove decoys');
    }
  }

  private async deleteOrphanedEntries(): Promise<void> {
    try {
      const listed = await this.o.registry.registeredTrapIds();
      // Taken after the listing: a trap planted meanwhile is in the store already.
      const living = new Set(this.o.store.containers().flatMap((c) => c.traps.map((t) => t.trapId)));
      const orphans = listed.filter((id) => !living.has(id));
      if (orphans.length) await this.o.registry.deregister(orphans, 2000);
    } catch (err) {
      this.o.logger.warn({ err: (err as Error).message }, 'inventory not cleaned: NATS unavailable');
    }
  }

  private skip(reason: SkipReason, fields: Record<string, unknown>): void {
    this.o.metrics.skipped.inc({ reason });
    this.o.logger.info({ ...fields, reason }, 'trap skipped');
  }
}

const describe = (r: TrapRegistration) => ({ id: r.trap?.id, name: r.trap?.name, sha256: r.trap?.contentSha256Prefix });
