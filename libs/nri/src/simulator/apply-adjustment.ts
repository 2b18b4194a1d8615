import { clone } from '@bufbuild/protobuf';
import { ContainerSchema } from '../gen/nri/pkg/api/v1alpha1/api_pb.js';
import type { Container, ContainerAdjustment } from '../gen/nri/pkg/api/v1alpha1/api_pb.js';

// What the runtime does with an adjustment, for the parts plugins like ours use:
// mounts replace a mount with the same destination ("-/path" removes one), env entries
// replace a variable in place or append ("-KEY" removes), annotations set ("-key" removes).

export function applyAdjustment(container: Container, adjust: ContainerAdjustment | undefined): Container {
  const out = clone(ContainerSchema, container);
  if (!adjust) return out;
  for (const [key, value] of Object.entries(adjust.annotations)) {
    if (key.startsWith('-')) delete out.annotations[key.slice(1)];
    else out.annotations[key] = value;
  }
  for (const mount of adjust.mounts) {
    const destination = mount.destination.startsWith('-') ? mount.destination.slice(1) : mount.destination;
    out.mounts = out.mounts.filter((m) => m.destination !== destination);
    if (!mount.destination.startsWith('-')) out.mounts.push(mount);
  }
  for (const { key, value } of adjust.env) {
    const name = key.startsWith('-') ? key.slice(1) : key;
    const at = out.env.findIndex((e) => e.split('=', 1)[0] === name);
    if (key.startsWith('-')) {
      if (at >= 0) out.env.splice(at, 1);
    } else if (at >= 0) out.env[at] = `${key}=${value}`;
    else out.env.push(`${key}=${value}`);
  }
  // Sorted by path depth, as the runtime's spec generator does.
  out.mounts.sort((a, b) => a.destination.split('/').length - b.destination.split('/').length);
  return out;
}
