/** A failure of libbpf or the kernel, with a BEESTING_ERR_BPF_* code and libbpf's own message. */
export class BpfError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly errno: number,
    readonly libbpf: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'BpfError';
  }

  static from(err: unknown): BpfError {
    const e = err as Error & { code?: string; errno?: number; libbpf?: string };
    return err instanceof BpfError ? err : new BpfError(e.code ?? 'BEESTING_ERR_BPF', e.message, e.errno ?? 0, e.libbpf ?? '', { cause: err });
  }
}
