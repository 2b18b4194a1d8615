import type { ContainerInfo, PodInfo } from '../workload.js';
import { OPT_OUT_ANNOTATION } from '../workload.js';
import { globToRegExp, includedBy } from './glob.js';
import { labelsMatch } from './label-selector.js';
import type { Policy, TrapSpec } from './policy-schema.js';

export type TrapMatch = { optedOut: true; traps: [] } | { optedOut: false; traps: TrapSpec[] };

interface CompiledTrap {
  spec: TrapSpec;
  namespaces: { include: RegExp[]; exclude: RegExp[] };
  containers: { include: RegExp[]; exclude: RegExp[] };
}

const compile = (f: { include: string[]; exclude: string[] }) => ({ include: f.include.map(globToRegExp), exclude: f.exclude.map(globToRegExp) });

/** The policy's selectors compiled once; `match` picks the traps a new container gets. */
export class TrapMatcher {
  private readonly traps: CompiledTrap[];

  constructor(readonly policy: Policy) {
    this.traps = policy.traps.map((spec) => ({ spec, namespaces: compile(spec.selector.namespaces), containers: compile(spec.selector.containers) }));
  }

  match(pod: PodInfo, container: Pick<ContainerInfo, 'name'>): TrapMatch {
    if (pod.annotations[OPT_OUT_ANNOTATION]?.trim().toLowerCase() === 'true') return { optedOut: true, traps: [] };
    const traps = this.traps
      .filter(
        (t) =>
          includedBy(pod.namespace, t.namespaces.include, t.namespaces.exclude) &&
          includedBy(container.name, t.containers.include, t.containers.exclude) &&
          labelsMatch(t.spec.selector.podLabels, pod.labels),
      )
      .map((t) => t.spec);
    return { optedOut: false, traps };
  }
}
