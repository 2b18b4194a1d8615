export { startMonitor } from './monitor.js';
export type { MonitorConfig, RunningMonitor } from './monitor.js';
export { buildAccessEvent, monotonicToDate } from './access-event-builder.js';
export { containerIdFromCgroup, readProcess, ancestorsOf } from './process-info.js';
export { trapCookie } from './trap-cookie.js';
export { CgroupResolver } from './cgroup-resolver.js';
