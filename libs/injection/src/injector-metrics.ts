import { Counter, Gauge, Histogram } from 'prom-client';
import type { Registry } from 'prom-client';
import { SKIP_REASONS } from '@beesting/traps';

/** The injector's metrics; every way a container can end up without a trap has a label. */
export function registerInjectorMetrics(registry: Registry, activeTraps: () => number) {
  const registers = [registry];
  const skipped = new Counter({ name: 'beesting_injector_traps_skipped_total', help: 'Traps not planted, by reason.', labelNames: ['reason'], registers });
  for (const reason of SKIP_REASONS) skipped.inc({ reason }, 0);
  const armMisses = new Counter({
    name: 'beesting_injector_arm_misses_total',
    help: 'Traps whose arm acknowledgement did not come before the reply (the monitor arms them from the inventory).',
    labelNames: ['reason'],
    registers,
  });
  for (const reason of ['timeout', 'no-monitor', 'refused', 'not-registered']) armMisses.inc({ reason }, 0);
  return {
    containersSeen: new Counter({ name: 'beesting_injector_containers_seen_total', help: 'CreateContainer requests handled, by outcome.', labelNames: ['outcome'], registers }),
    planted: new Counter({ name: 'beesting_injector_traps_planted_total', help: 'Decoys planted and mounted into containers.', labelNames: ['kind'], registers }),
    skipped,
    armMisses,
    removed: new Counter({ name: 'beesting_injector_decoys_removed_total', help: "Containers' decoys removed, by cause.", labelNames: ['cause'], registers }),
    registrationBacklog: new Gauge({ name: 'beesting_injector_registration_backlog', help: 'Trap registrations waiting for NATS.', registers }),
    handlerSeconds: new Histogram({
      name: 'beesting_injector_handler_seconds',
      help: 'CreateContainer handling time, including decoy write and arm round trip.',
      buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 1.5, 2],
      registers,
    }),
    active: new Gauge({ name: 'beesting_injector_active_traps', help: 'Traps planted in running containers.', registers, collect() {
      this.set(activeTraps());
    } }),
  };
}

export type InjectorMetrics = ReturnType<typeof registerInjectorMetrics>;
