/**
 * For a promise no one awaits: its failure is logged with what was being done, never dropped.
 * Failures the user would notice go through the toast as well (see `toggleReactionOrSay`).
 */
export function warnFailed(what: string): (err: unknown) => void {
  return (err) => console.warn(`Parley: ${what} failed`, err);
}
