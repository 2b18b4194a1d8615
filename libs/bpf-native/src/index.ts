export { BpfDetector, DEFAULT_OBJECT } from './bpf-detector.js';
export type { ArmedFile, LoadOptions, LoadResult } from './bpf-detector.js';
export { BpfError } from './bpf-error.js';
export { kernelDev, devMajor, devMinor } from './kernel-dev.js';
export { BACKENDS, COUNTERS, decodeRecords, EVENT_LAYOUT, EVENT_SIZE } from './records.js';
export type { AccessRecord, Backend, BpfCounters } from './records.js';
