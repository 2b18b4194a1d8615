/** Shell-style globs for names: `*` any run of characters, `?` one character, the rest literal. */
export function globToRegExp(glob: string): RegExp {
  const body = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`);
}

/** True when `name` matches one of `include` and none of `exclude`. */
export function includedBy(name: string, include: RegExp[], exclude: RegExp[]): boolean {
  return include.some((g) => g.test(name)) && !exclude.some((g) => g.test(name));
}
