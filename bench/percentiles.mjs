// Percentiles of a list of durations in nanoseconds (bigint), reported in milliseconds.
export function percentiles(samples) {
  const sorted = [...samples].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const at = (p) => Number(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]) / 1e6;
  return { n: sorted.length, p50: at(50), p90: at(90), p99: at(99), max: Number(sorted[sorted.length - 1]) / 1e6 };
}

export function machine() {
  return import('node:os').then((os) => `${os.cpus().length} x ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Linux ${os.release()}, Node ${process.version}`);
}

export const fmt = (ms) => `${ms.toFixed(3)} ms`;
