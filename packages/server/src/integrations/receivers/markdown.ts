/** What receivers share when they write Markdown from other services' text. */

/** Markdown's emphasis, code, link and HTML characters in a title or a label are shown as written. */
export const md = (s: string) => s.replace(/([\\`*_[\]<>|~])/g, '\\$1');

/** Only http(s) URLs become links; anything else leaves the label alone. */
export const safeUrl = (u: string): string | null => (/^https?:\/\//i.test(u) ? u : null);
