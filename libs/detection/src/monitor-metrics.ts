import type { BpfDetector } from '@beesting/bpf-native';
import { Counter, Gauge } from 'prom-client';
import type { Registry } from 'prom-client';

/** The monitor's metrics; the kernel's counters are read at each scrape. */
export function registerMonitorMetrics(registry: Registry, detector: BpfDetector, armed: () => number) {
  const registers = [registry];
  new Gauge({ name: 'beesting_monitor_backend_info', help: 'The detection backend in use (value 1).', labelNames: ['backend'], registers }).set({ backend: detector.backend }, 1);
  new Gauge({ name: 'beesting_monitor_armed_traps', help: 'Decoys in the kernel map.', registers, collect() {
    this.set(armed());
  } });
  const kernel = new Gauge({
    name: 'beesting_bpf_counter',
    help: 'Kernel-side counters: hits, records, suppressed (rate limit), drops (ring buffer full), excluded (agent reads).',
    labelNames: ['counter'],
    registers,
    collect() {
      for (const [name, value] of Object.entries(detector.counters())) kernel.set({ counter: name }, Number(value));
    },
  });
  return {
    published: new Counter({ name: 'beesting_monitor_events_total', help: 'Access events handed to the bus (published or spooled).', registers }),
    unknownCookie: new Counter({ name: 'beesting_monitor_unknown_trap_total', help: 'Records for a trap no longer armed (a race with disarm).', registers }),
    armRequests: new Counter({ name: 'beesting_monitor_arm_requests_total', help: 'Arm and disarm requests, by outcome.', labelNames: ['op', 'outcome'], registers }),
  };
}
