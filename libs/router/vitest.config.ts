import { projectTestConfig } from '../../vitest.shared.js';

// Each file runs router replicas, a nats-server and receivers with timing of their own: one file at a time.
export default projectTestConfig(import.meta.dirname, { testTimeout: 60_000, serial: true });
