import { createHash, sign, type KeyObject } from 'node:crypto';
import {
  bitString,
  boolean,
  explicit,
  implicitPrimitive,
  nullValue,
  objectIdentifier,
  octetString,
  printableString,
  sequence,
  set,
  smallInteger,
  time,
  unsignedInteger,
} from './asn1.js';

// node:crypto parses certificates but cannot make them, so this builds a self-signed v3 CA
// certificate the way kubeadm and EKS make a cluster CA.

const OID = {
  commonName: '2.5.4.3',
  sha256WithRsa: '1.2.840.113549.1.1.11',
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  basicConstraints: '2.5.29.19',
} as const;

// digitalSignature (bit 0), keyEncipherment (bit 2), keyCertSign (bit 5): 1010 0100, last 2 bits unused.
const CA_KEY_USAGE = bitString(Buffer.from([0xa4]), 2);

export interface SelfSignedCaOptions {
  commonName: string;
  /** Big-endian serial number; should be positive and at most 20 bytes. */
  serialNumber: Buffer;
  notBefore: Date;
  notAfter: Date;
  /** DNS names for the subjectAltName extension. */
  dnsNames?: string[];
  privateKey: KeyObject;
  publicKey: KeyObject;
}

/** A PEM certificate for a self-signed CA, signed with sha256WithRSAEncryption. */
export function selfSignedCaCertificate(options: SelfSignedCaOptions): string {
  const name = sequence(set(sequence(objectIdentifier(OID.commonName), printableString(options.commonName))));
  const signatureAlgorithm = sequence(objectIdentifier(OID.sha256WithRsa), nullValue());
  const subjectPublicKeyInfo = options.publicKey.export({ type: 'spki', format: 'der' });
  const tbsCertificate = sequence(
    explicit(0, smallInteger(2)),
    unsignedInteger(options.serialNumber),
    signatureAlgorithm,
    name,
    sequence(time(options.notBefore), time(options.notAfter)),
    name,
    subjectPublicKeyInfo,
    explicit(3, sequence(...caExtensions(options))),
  );
  const signature = sign('sha256', tbsCertificate, options.privateKey);
  return pem('CERTIFICATE', sequence(tbsCertificate, signatureAlgorithm, bitString(signature)));
}

function caExtensions(options: SelfSignedCaOptions): Buffer[] {
  const rsaPublicKey = options.publicKey.export({ type: 'pkcs1', format: 'der' });
  const extensions = [
    extension(OID.keyUsage, true, CA_KEY_USAGE),
    extension(OID.basicConstraints, true, sequence(boolean(true))),
    extension(OID.subjectKeyIdentifier, false, octetString(createHash('sha1').update(rsaPublicKey).digest())),
  ];
  const dnsNames = options.dnsNames ?? [];
  if (dnsNames.length > 0) {
    const generalNames = dnsNames.map((dnsName) => implicitPrimitive(2, Buffer.from(dnsName, 'ascii')));
    extensions.push(extension(OID.subjectAltName, false, sequence(...generalNames)));
  }
  return extensions;
}

function extension(oid: string, critical: boolean, value: Buffer): Buffer {
  return sequence(objectIdentifier(oid), ...(critical ? [boolean(true)] : []), octetString(value));
}

function pem(label: string, der: Buffer): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}
