import { awsCredentials } from './aws-credentials.js';
import type { DecoyContext, DecoyKind, GeneratedDecoy } from './decoy.js';
import { dockerConfig } from './docker-config.js';
import { dotenv } from './dotenv.js';
import { eksToken } from './eks-token.js';
import { gcpServiceAccount } from './gcp-service-account.js';
import { containsGiveaway } from './giveaways.js';
import { kubeconfig } from './kubeconfig.js';
import { serviceAccountToken } from './service-account-token.js';
import { sshPrivateKey } from './ssh-private-key.js';

const GENERATORS: Record<DecoyKind, (ctx: DecoyContext) => GeneratedDecoy> = {
  'aws-credentials': awsCredentials,
  'eks-token': eksToken,
  'service-account-token': serviceAccountToken,
  kubeconfig,
  'ssh-private-key': sshPrivateKey,
  'gcp-service-account': gcpServiceAccount,
  dotenv,
  'docker-config': dockerConfig,
};

// Signatures, keys and base64 of random bytes can spell a giveaway word by chance; a fresh draw
// almost surely does not. A word that survives every draw comes from the pod's own names.
const MAX_DRAWS = 8;

/** Decoy files for `kind`, plausible for the pod in `ctx` and traceable to `ctx.trapId`. */
export function generateDecoy(kind: DecoyKind, ctx: DecoyContext): GeneratedDecoy {
  const generate = GENERATORS[kind];
  let decoy = generate(ctx);
  for (let draw = 1; draw < MAX_DRAWS && decoy.files.some((file) => containsGiveaway(file.content.toString('latin1'))); draw++) {
    decoy = generate(ctx);
  }
  return decoy;
}
