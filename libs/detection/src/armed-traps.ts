import { BpfDetector } from '@beesting/bpf-native';
import type { ArmedFile } from '@beesting/bpf-native';
import type { TrapRegistration } from '@beesting/events';
import { trapCookie } from './trap-cookie.js';

export class TrapError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(`${code}: ${message}`);
  }
}

/** The traps in the kernel's map and what each one is, by the cookie the kernel reports. */
export class ArmedTraps {
  private readonly byCookie = new Map<bigint, { registration: TrapRegistration; file: ArmedFile }>();

  constructor(private readonly detector: BpfDetector) {}

  get size(): number {
    return this.byCookie.size;
  }

  arm(registration: TrapRegistration): void {
    const trapId = registration.trap?.id ?? '';
    let file: ArmedFile;
    try {
      file = BpfDetector.fileIdentity(registration.hostPath);
    } catch (err) {
      throw new TrapError('BEESTING_ERR_TRAP_FILE', `decoy ${registration.hostPath} of trap ${trapId}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    const cookie = trapCookie(trapId);
    const previous = this.byCookie.get(cookie);
    if (previous && (previous.file.dev !== file.dev || previous.file.ino !== file.ino)) this.detector.disarm(previous.file);
    this.detector.arm(file, cookie);
    this.byCookie.set(cookie, { registration, file });
  }

  disarm(trapId: string): boolean {
    const cookie = trapCookie(trapId);
    const armed = this.byCookie.get(cookie);
    if (!armed) return false;
    this.detector.disarm(armed.file);
    this.byCookie.delete(cookie);
    return true;
  }

  lookup(cookie: bigint): TrapRegistration | undefined {
    return this.byCookie.get(cookie)?.registration;
  }
}
