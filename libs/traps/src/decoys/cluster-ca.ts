import { digestOf, numberFor } from './derive.js';
import { containsGiveaway } from './giveaways.js';
import { cachedRsaKeyPair } from './rsa-keys.js';
import { selfSignedCaCertificate } from './x509.js';

const DAY_SECONDS = 86_400;
const CA_LIFETIME_YEARS = 10;

const certificates = new Map<string, string>();

/**
 * The cluster's CA certificate (PEM), as kubeadm and EKS make it: CN=kubernetes, valid ten years
 * from the cluster's creation (placed a few months to a few years back). Made once per cluster
 * and process, so ca.crt and kubeconfig files agree.
 */
export function clusterCaCertificate(clusterName: string, now: Date): string {
  const cached = certificates.get(clusterName);
  if (cached) return cached;
  const keyPair = cachedRsaKeyPair('cluster-ca');
  const ageSeconds = numberFor(90, 1100, 'cluster-age', clusterName) * DAY_SECONDS + numberFor(0, DAY_SECONDS - 1, 'cluster-created', clusterName);
  const notBefore = new Date((Math.floor(now.getTime() / 1000) - ageSeconds) * 1000);
  const notAfter = new Date(notBefore);
  notAfter.setUTCFullYear(notAfter.getUTCFullYear() + CA_LIFETIME_YEARS);
  for (let attempt = 0; ; attempt++) {
    // A positive serial below 2^63, as Go's crypto/rand.Int(MaxInt64) gives kubeadm.
    const serialNumber = digestOf('cluster-ca-serial', clusterName, String(attempt)).subarray(0, 8);
    serialNumber[0] = (serialNumber[0] ?? 0) & 0x7f;
    const certificate = selfSignedCaCertificate({ commonName: 'kubernetes', serialNumber, notBefore, notAfter, dnsNames: ['kubernetes'], ...keyPair });
    // The PEM is planted as is and base64-encoded again in kubeconfigs: neither may spell a giveaway.
    if (!containsGiveaway(certificate) && !containsGiveaway(Buffer.from(certificate).toString('base64'))) {
      certificates.set(clusterName, certificate);
      return certificate;
    }
  }
}
