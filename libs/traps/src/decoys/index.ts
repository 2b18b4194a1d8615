export { DECOY_KINDS } from './decoy.js';
export type { DecoyContext, DecoyFile, DecoyKind, GeneratedDecoy } from './decoy.js';
export { generateDecoy } from './generate-decoy.js';
export { GIVEAWAY_WORDS, containsGiveaway } from './giveaways.js';
