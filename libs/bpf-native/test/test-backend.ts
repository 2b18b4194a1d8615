import type { Backend } from '../src/records.js';

/** The backend a test run asks for: natively 'auto' (tracepoint here); the kernel matrix sets lsm or fentry. */
export function testBackend(): Backend | 'auto' {
  const wanted = process.env['BEESTING_TEST_BACKEND'];
  if (wanted === undefined) return 'auto';
  if (wanted !== 'lsm' && wanted !== 'fentry' && wanted !== 'tracepoint') throw new Error(`BEESTING_TEST_BACKEND=${wanted}`);
  return wanted;
}
