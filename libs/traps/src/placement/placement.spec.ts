import { describe, expect, it } from 'vitest';
import { placeTrap } from './placement.js';

const EKS = '/var/run/secrets/eks.amazonaws.com/serviceaccount/token';
const bind = (destination: string, ro = false) => ({ destination, type: 'bind', source: `/var/lib/kubelet/x${destination}`, options: ro ? ['rbind', 'rprivate', 'ro'] : ['rbind', 'rprivate', 'rw'] });
const RUNTIME = [
  { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] },
  { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
  { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'ro'] },
  bind('/etc/hosts'),
  bind('/var/run/secrets/kubernetes.io/serviceaccount', true),
];

describe('trap placement', () => {
  it('binds a projected decoy as its directory and a file decoy as the file', () => {
    expect(placeTrap('eks-token', EKS, RUNTIME)).toEqual({ layout: 'projected', destination: '/var/run/secrets/eks.amazonaws.com/serviceaccount', fileName: 'token' });
    expect(placeTrap('aws-credentials', '/root/.aws/credentials', RUNTIME)).toEqual({ layout: 'file', destination: '/root/.aws/credentials', fileName: 'credentials' });
  });

  it('skips a path where the workload already has a mount, above or below, /var/run or /run alike', () => {
    expect(placeTrap('eks-token', EKS, [...RUNTIME, bind('/var/run/secrets/eks.amazonaws.com/serviceaccount', true)])).toEqual({ skip: 'mount-collision' });
    expect(placeTrap('eks-token', EKS, [...RUNTIME, bind('/run/secrets/eks.amazonaws.com/serviceaccount/token')])).toEqual({ skip: 'mount-collision' });
    expect(placeTrap('dotenv', '/app/.env', [...RUNTIME, bind('/app/.env')])).toEqual({ skip: 'mount-collision' });
  });

  it('skips a path inside a read-only volume, or inside any bound volume', () => {
    expect(placeTrap('dotenv', '/config/app/.env', [...RUNTIME, bind('/config', true)])).toEqual({ skip: 'read-only-volume' });
    expect(placeTrap('dotenv', '/data/.env', [...RUNTIME, bind('/data')])).toEqual({ skip: 'inside-volume' });
  });

  it('allows a path inside a filesystem the runtime made for the container', () => {
    expect(placeTrap('dotenv', '/tmp/x/.env', [...RUNTIME, { destination: '/tmp', type: 'tmpfs', source: 'tmpfs', options: ['rw'] }])).toMatchObject({ layout: 'file' });
  });

  it("never touches the real service-account token or the runtime's filesystems", () => {
    expect(placeTrap('service-account-token', '/var/run/secrets/kubernetes.io/serviceaccount/token', [])).toEqual({ skip: 'reserved-path' });
    expect(placeTrap('service-account-token', '/run/secrets/kubernetes.io/serviceaccount/token', [])).toEqual({ skip: 'reserved-path' });
    expect(placeTrap('eks-token', '/run/secrets/token', [])).toEqual({ skip: 'reserved-path' }); // would hide the real one
    expect(placeTrap('dotenv', '/proc/.env', [])).toEqual({ skip: 'reserved-path' });
    expect(placeTrap('eks-token', '/token', [])).toEqual({ skip: 'reserved-path' });
    expect(placeTrap('service-account-token', '/var/run/secrets/kubernetes.io/admin-sa/token', RUNTIME)).toMatchObject({ layout: 'projected' });
  });

  it('skips a trap that collides with one planned before it', () => {
    expect(placeTrap('eks-token', EKS, RUNTIME, ['/var/run/secrets/eks.amazonaws.com/serviceaccount'])).toEqual({ skip: 'mount-collision' });
    expect(placeTrap('dotenv', '/srv/.env', RUNTIME, ['/root/.aws/credentials'])).toMatchObject({ layout: 'file' });
  });
});
