/**
 * "1 message", "2 messages", "0.5 messages": a count and its noun in the right form, for every
 * user-facing sentence that counts something (server errors, CLI output). English only, like
 * every message Parley writes; Intl.PluralRules knows the rule (including fractions) so no
 * sentence has to.
 */
const rules = new Intl.PluralRules('en');

export function plural(n: number, one: string, other = `${one}s`): string {
  return `${n} ${rules.select(n) === 'one' ? one : other}`;
}
