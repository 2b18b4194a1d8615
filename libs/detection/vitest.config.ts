import { projectTestConfig } from '../../vitest.shared.js';

// These tests load programs into the running kernel: one file at a time.
export default projectTestConfig(import.meta.dirname, { testTimeout: 60_000, serial: true });
