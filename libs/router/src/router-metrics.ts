import { Counter, Registry } from 'prom-client';

export interface RouterMetrics {
  events: Counter;
  allowListed: Counter;
  folded: Counter;
  windowsOpened: Counter;
  alerts: Counter<'kind'>;
  rbacDenied: Counter;
}

export function createRouterMetrics(registry: Registry = new Registry()): RouterMetrics {
  const registers = [registry];
  return {
    events: new Counter({ name: 'beesting_router_events_total', help: 'Access events handled (allow-listed ones excluded).', registers }),
    allowListed: new Counter({ name: 'beesting_router_allow_listed_total', help: 'Accesses by allow-listed host agents: recorded, not alerted.', registers }),
    folded: new Counter({ name: 'beesting_router_folded_total', help: 'Accesses folded into an open dedup window.', registers }),
    windowsOpened: new Counter({ name: 'beesting_router_windows_opened_total', help: 'Dedup windows opened (one first alert each).', registers }),
    alerts: new Counter({ name: 'beesting_router_alerts_total', help: 'Alerts settled at every sink, by kind (first, summary).', labelNames: ['kind'], registers }),
    rbacDenied: new Counter({ name: 'beesting_router_kubernetes_rbac_denied_total', help: 'Kubernetes API calls refused for lack of RBAC.', registers }),
  };
}
