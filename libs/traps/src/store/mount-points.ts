import { readFileSync } from 'node:fs';

/** Mount points in this mount namespace at or below `dir`, from /proc/self/mountinfo. */
export function readMountPoints(dir: string): Set<string> {
  const points = new Set<string>();
  for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const field = line.split(' ')[4];
    if (!field) continue;
    // mountinfo escapes space, tab, newline and backslash as octal.
    const point = field.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
    if (point === dir || point.startsWith(`${dir}/`)) points.add(point);
  }
  return points;
}
