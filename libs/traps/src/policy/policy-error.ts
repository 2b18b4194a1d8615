export const POLICY_ERROR_CODE = 'BEESTING_ERR_POLICY';

/** A policy file that cannot be used; `key` names the offending setting (`traps[1].path`). */
export class PolicyError extends Error {
  readonly code = POLICY_ERROR_CODE;

  constructor(
    readonly key: string,
    readonly reason: string,
    readonly source: string,
  ) {
    super(`${POLICY_ERROR_CODE}: ${source}: ${key ? `${key}: ` : ''}${reason}`);
    this.name = 'PolicyError';
  }
}
