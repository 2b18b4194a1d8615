import type { DecoyContext, GeneratedDecoy } from './decoy.js';
import { digestOf, digitsFor, pickFor } from './derive.js';
import { serviceAccountNameFor } from './kubernetes-identity.js';
import { cachedRsaKeyPair } from './rsa-keys.js';

const ROLE_SUFFIXES = ['sa', 'deployer', 'storage', 'reader', 'sync'] as const;

/**
 * A Google service account key file (key.json). The RSA key is made once per process (generating
 * one per call takes ~100 ms); the key id and client id derive from the trap id.
 */
export function gcpServiceAccount(ctx: DecoyContext): GeneratedDecoy {
  const projectId = gcpProjectIdFor(ctx.clusterName);
  const clientEmail = `${gcpServiceAccountIdFor(ctx)}@${projectId}.iam.gserviceaccount.com`;
  const privateKey = cachedRsaKeyPair('gcp-service-account').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const keyFile = {
    type: 'service_account',
    project_id: projectId,
    private_key_id: gcpPrivateKeyIdFor(ctx.trapId),
    private_key: privateKey,
    client_email: clientEmail,
    client_id: gcpClientIdFor(ctx.trapId),
    auth_uri: 'https://accounts.google.com/o/oauth2/auth',
    token_uri: 'https://oauth2.googleapis.com/token',
    auth_provider_x509_cert_url: 'https://www.googleapis.com/oauth2/v1/certs',
    client_x509_cert_url: `https://www.googleapis.com/robot/v1/metadata/x509/${encodeURIComponent(clientEmail)}`,
    universe_domain: 'googleapis.com',
  };
  return { files: [{ name: 'key.json', content: Buffer.from(`${JSON.stringify(keyFile, null, 2)}\n`) }] };
}

/** 40 hex digits, like the SHA-1 key ids Google gives service account keys. */
export function gcpPrivateKeyIdFor(trapId: string): string {
  return digestOf('gcp-private-key-id', trapId).subarray(0, 20).toString('hex');
}

/** 21 digits starting with 1, like Google's numeric service account ids. */
export function gcpClientIdFor(trapId: string): string {
  return `1${digitsFor(20, 'gcp-client-id', trapId)}`;
}

/** A project id (6-30 of [a-z0-9-], starting with a letter) shared by the cluster. */
export function gcpProjectIdFor(clusterName: string): string {
  const base = slug(clusterName).slice(0, 22).replace(/-+$/, '');
  const prefix = /^[a-z]/.test(base) ? base : `gke-${base}`.replace(/-+$/, '');
  return `${prefix}-${digitsFor(6, 'gcp-project', clusterName)}`;
}

/** The account id (before the @): the workload's name and a role, 6-30 characters. */
export function gcpServiceAccountIdFor(ctx: DecoyContext): string {
  const suffix = pickFor(ROLE_SUFFIXES, 'gcp-role', ctx.trapId);
  const workload = slug(serviceAccountNameFor(ctx.podName)).slice(0, 29 - suffix.length).replace(/-+$/, '');
  const base = /^[a-z]/.test(workload) ? workload : `app-${workload}`.replace(/-+$/, '');
  return `${base}-${suffix}`.slice(0, 30);
}

function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
}
