import { AccessKind, OpenerClassification, Severity } from '@beesting/events';
import type { AccessEvent } from '@beesting/events';

export type Classification = { severity: Severity } | { allowListed: string };

/**
 * Exec of a decoy, or a read inside the decoy's own container: critical (that is an
 * attacker in the pod). From another container: high. From the host: medium, unless
 * the executable is a known host agent, whose reads are recorded but not alerted.
 */
export function classify(event: AccessEvent, hostAllowList: readonly string[]): Classification {
  if (event.accessKind === AccessKind.EXEC) return { severity: Severity.CRITICAL };
  switch (event.opener?.classification) {
    case OpenerClassification.OWN_CONTAINER:
      return { severity: Severity.CRITICAL };
    case OpenerClassification.HOST: {
      const exe = event.opener.process?.exe ?? '';
      return hostAllowList.includes(exe) ? { allowListed: exe } : { severity: Severity.MEDIUM };
    }
    default:
      return { severity: Severity.HIGH };
  }
}

/** What one alert stands for: a trap, the container that opened it, the executable. */
export function dedupKey(event: AccessEvent): string {
  const opener = event.opener;
  return [event.trap?.id ?? '', opener?.containerId || 'host', opener?.process?.exe || opener?.process?.comm || '?'].join('|');
}
