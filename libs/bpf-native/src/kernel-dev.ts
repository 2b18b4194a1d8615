// stat().st_dev uses the userspace encoding; the kernel keys files by sb->s_dev, which is
// major << 20 | minor. Converting is what makes ext4 (254:0) and tmpfs minors above 255 match.

export function devMajor(stDev: bigint): bigint {
  return ((stDev >> 8n) & 0xfffn) | ((stDev >> 32n) & ~0xfffn);
}

export function devMinor(stDev: bigint): bigint {
  return (stDev & 0xffn) | ((stDev >> 12n) & ~0xffn);
}

/** The kernel's encoding of a device number from stat()'s (bigint) st_dev. */
export function kernelDev(stDev: bigint): bigint {
  return (devMajor(stDev) << 20n) | devMinor(stDev);
}
