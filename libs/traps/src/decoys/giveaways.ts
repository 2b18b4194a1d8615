/** Words that would tell an attacker the credential is planted; none may appear in a decoy. */
export const GIVEAWAY_WORDS = ['beesting', 'decoy', 'honey', 'trap', 'canary'] as const;

const GIVEAWAY_PATTERN = new RegExp(GIVEAWAY_WORDS.join('|'), 'i');

export function containsGiveaway(text: string): boolean {
  return GIVEAWAY_PATTERN.test(text);
}
