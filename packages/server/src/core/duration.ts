/**
 * Parses a window such as `10m`, `90s`, `2h`, `1d`, `1500` (ms) or `unlimited`.
 * Returns milliseconds, or null for unlimited. Zero is rejected on purpose: "no window" must be
 * said explicitly as `unlimited`, and "never editable" is not a window.
 */
export function parseWindow(text: string): number | null {
  const t = text.trim().toLowerCase();
  if (t === 'unlimited') return null;
  const m = /^(\d+)(ms|s|m|h|d)?$/.exec(t);
  if (!m) throw new Error(`"${text}" is not a duration (examples: 500ms, 30s, 10m, 2h, 1d, unlimited)`);
  const n = Number(m[1]);
  const unit = m[2] ?? 'ms';
  const factor = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[unit] ?? 1;
  const ms = n * factor;
  if (ms <= 0) throw new Error(`"${text}" must be greater than zero (use "unlimited" for no limit)`);
  return ms;
}
