/** The one table and the one JSON line a bench run prints. */
import type { Percentiles } from './hist.js';

export type Row = [label: string, value: string];

const fmt = (v: number | null | undefined, digits = 1): string =>
  v === null || v === undefined || !Number.isFinite(v) ? '—' : v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
export const n0 = (v: number | null | undefined): string => fmt(v, 0);
export const n1 = (v: number | null | undefined): string => fmt(v, 1);
export const n2 = (v: number | null | undefined): string => fmt(v, 2);

export function lat(p: Percentiles | null): string {
  if (!p || p.count === 0) return '—';
  return `${n1(p.p50)} / ${n1(p.p95)} / ${n1(p.p99)} / ${n1(p.max)}`;
}

export function table(title: string, rows: Row[]): string {
  const w = Math.max(...rows.map((r) => r[0].length), 6);
  const v = Math.max(...rows.map((r) => r[1].length), 5, title.length - w - 3);
  const line = `+${'-'.repeat(w + 2)}+${'-'.repeat(v + 2)}+`;
  const out = [line, `| ${title.padEnd(w + v + 3)} |`, line];
  for (const [a, b] of rows) out.push(`| ${a.padEnd(w)} | ${b.padStart(v)} |`);
  out.push(line);
  return out.join('\n');
}
