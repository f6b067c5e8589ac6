/**
 * README's configuration table, generated from SETTINGS (`npm run docs:config`), between two
 * marker comments so the prose around it stays hand-written.
 */
import { SETTINGS } from './settings.js';
import type { Setting } from './setting.js';

export const TABLE_START = '<!-- config-table:start (generated from packages/server/src/config/settings.ts by `npm run docs:config`; edit it there) -->';
export const TABLE_END = '<!-- config-table:end -->';

// A `|` inside a cell would end the cell.
const cell = (s: string) => s.replaceAll('|', '\\|');

export function renderConfigTable(): string {
  const rows = (Object.values(SETTINGS) as Setting<unknown>[]).map((s) => `| \`${s.env}\` | ${cell(s.shownDefault)} | ${cell(s.accepts)} | ${cell(s.description)} |`);
  return ['| variable | default | accepts | meaning |', '|---|---|---|---|', ...rows].join('\n');
}

/** README with the table between the markers replaced; throws when the markers are missing. */
export function withConfigTable(readme: string): string {
  const start = readme.indexOf(TABLE_START);
  const end = readme.indexOf(TABLE_END);
  if (start < 0 || end < start) throw new Error(`README.md lacks the markers ${TABLE_START} … ${TABLE_END}`);
  return `${readme.slice(0, start)}${TABLE_START}\n${renderConfigTable()}\n${readme.slice(end)}`;
}
