import { projectTestConfig } from '../vitest.shared.js';

// One stack of real processes per file, and they share the machine's kernel: one file at a time.
export default projectTestConfig(import.meta.dirname, { testTimeout: 120_000, serial: true });
