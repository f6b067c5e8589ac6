/**
 * The first-run guide's state, per user and browser (localStorage): `new` right after signing up
 * here, `show` once the new account landed in a channel (the workspace's default one), `done`
 * once dismissed. Accounts that signed up elsewhere, or before this existed, never see it.
 */
export type FirstRunState = 'new' | 'show' | 'done';

const key = (userId: string) => `parley.firstRun.${userId}`;

export function firstRunState(userId: string): FirstRunState | null {
  try {
    const v = localStorage.getItem(key(userId));
    return v === 'new' || v === 'show' || v === 'done' ? v : null;
  } catch {
    return null;
  }
}

export function setFirstRunState(userId: string, state: FirstRunState): void {
  try {
    localStorage.setItem(key(userId), state);
  } catch {
    // Private mode without storage: the guide simply is not remembered.
  }
}
