/** Unsent composer text per conversation (and per thread), so switching away loses nothing. */
const prefix = (userId: string) => `parley.draft.${userId}.`;

export function loadDraft(userId: string, key: string): string {
  return localStorage.getItem(prefix(userId) + key) ?? '';
}

export function saveDraft(userId: string, key: string, text: string): void {
  if (text.trim()) localStorage.setItem(prefix(userId) + key, text);
  else localStorage.removeItem(prefix(userId) + key);
}

export function clearDrafts(userId: string): void {
  const p = prefix(userId);
  for (let i = localStorage.length - 1; i >= 0; i--) {
    const k = localStorage.key(i);
    if (k?.startsWith(p)) localStorage.removeItem(k);
  }
}
