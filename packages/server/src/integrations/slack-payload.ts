/**
 * Slack's incoming-webhook payload (https://api.slack.com/messaging/webhooks) turned into one
 * Parley message body in Markdown. Scripts written for Slack post here unchanged, so the parse is
 * lenient where Slack is (unknown fields ignored, unknown blocks shown by their text) and strict
 * where a wrong type would otherwise post something other than what was meant.
 */

/** Why a payload was refused: `slack` is the plain-text code Slack answers in that case. */
export class PayloadError extends Error {
  constructor(
    readonly slack: 'invalid_payload' | 'no_text' | 'too_many_attachments' | 'msg_too_long',
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

type Obj = Record<string, unknown>;

export interface SlackPayload {
  text?: string;
  mrkdwn: boolean;
  attachments: Obj[];
  blocks: Obj[];
}

/** Slack's own bounds: 50 blocks, 100 attachments, 100 fields, 3,000 characters of block text. */
const MAX_BLOCKS = 50;
const MAX_ATTACHMENTS = 100;
const MAX_FIELDS = 100;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Checks the shape Slack documents; `username`, `icon_*`, `channel` and the rest are accepted and ignored. */
export function parsePayload(raw: unknown): SlackPayload {
  if (!isObj(raw)) throw new PayloadError('invalid_payload', 'The payload must be a JSON object.');
  const text = raw['text'];
  if (text !== undefined && text !== null && typeof text !== 'string') throw new PayloadError('invalid_payload', '`text` must be a string.', '/text');
  const mrkdwn = raw['mrkdwn'];
  if (mrkdwn !== undefined && typeof mrkdwn !== 'boolean') throw new PayloadError('invalid_payload', '`mrkdwn` must be true or false.', '/mrkdwn');
  const list = (key: 'attachments' | 'blocks', max: number): Obj[] => {
    const v = raw[key];
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) throw new PayloadError('invalid_payload', `\`${key}\` must be an array.`, `/${key}`);
    if (v.length > max) throw new PayloadError(key === 'attachments' ? 'too_many_attachments' : 'invalid_payload', `At most ${max} ${key} per message.`, `/${key}`);
    v.forEach((item, i) => {
      if (!isObj(item)) throw new PayloadError('invalid_payload', `Each of \`${key}\` must be an object.`, `/${key}/${i}`);
    });
    return v as Obj[];
  };
  const attachments = list('attachments', MAX_ATTACHMENTS);
  attachments.forEach((a, i) => {
    for (const k of ['fallback', 'color', 'pretext', 'title', 'title_link', 'text', 'footer', 'image_url', 'author_name', 'author_link']) {
      if (a[k] !== undefined && a[k] !== null && typeof a[k] !== 'string') throw new PayloadError('invalid_payload', `\`attachments[${i}].${k}\` must be a string.`, `/attachments/${i}/${k}`);
    }
    const f = a['fields'];
    if (f !== undefined && f !== null) {
      if (!Array.isArray(f) || f.length > MAX_FIELDS || !f.every(isObj))
        throw new PayloadError('invalid_payload', `\`attachments[${i}].fields\` must be an array of at most ${MAX_FIELDS} objects.`, `/attachments/${i}/fields`);
    }
  });
  const blocks = list('blocks', MAX_BLOCKS);
  blocks.forEach((b, i) => {
    if (typeof b['type'] !== 'string') throw new PayloadError('invalid_payload', `\`blocks[${i}].type\` must be a string.`, `/blocks/${i}/type`);
  });
  const hasText = typeof text === 'string' && text.trim() !== '';
  if (!hasText && attachments.length === 0 && blocks.length === 0) throw new PayloadError('no_text', 'The payload needs `text`, `attachments` or `blocks`.', '/text');
  return { ...(typeof text === 'string' ? { text } : {}), mrkdwn: mrkdwn !== false, attachments, blocks };
}

/** Names for the ids a payload mentions (`<@U…>`): Parley user ids to usernames. */
export type NameOf = (userId: string) => string | undefined;

/** Every `<@id>` in the payload's text, so the caller can look their usernames up in one query. */
export function mentionedIds(p: SlackPayload): string[] {
  const all = JSON.stringify([p.text, p.attachments, p.blocks]);
  return [...new Set([...all.matchAll(/<@([A-Za-z0-9]+)(?:\|[^>]*)?>/g)].map((m) => m[1]!))];
}

/** The message body: text, then blocks, then attachments, as Slack shows them. */
export function toMarkdown(p: SlackPayload, nameOf: NameOf): string {
  const parts: string[] = [];
  // With blocks, Slack shows the blocks and uses `text` only for notifications.
  if (p.text && p.text.trim() !== '' && p.blocks.length === 0) parts.push(p.mrkdwn ? mrkdwnToMarkdown(p.text, nameOf) : plain(p.text, nameOf));
  for (const b of p.blocks) {
    const md = blockToMarkdown(b, nameOf);
    if (md !== '') parts.push(md);
  }
  for (const a of p.attachments) {
    const md = attachmentToMarkdown(a, nameOf);
    if (md !== '') parts.push(md);
  }
  if (parts.length === 0 && p.text) parts.push(plain(p.text, nameOf));
  return parts.join('\n\n').trim();
}

// ---- Slack's mrkdwn --------------------------------------------------------------------------

const ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>' };
const decode = (s: string) => s.replace(/&(amp|lt|gt);/g, (e) => ENTITIES[e]!);

/** `<…>` spans: links, user, channel and special mentions, dates. */
function angle(inner: string, nameOf: NameOf): string {
  const bar = inner.indexOf('|');
  const target = bar < 0 ? inner : inner.slice(0, bar);
  const label = bar < 0 ? '' : decode(inner.slice(bar + 1));
  if (target.startsWith('@')) {
    const name = nameOf(target.slice(1));
    return name ? `@${name}` : label ? `@${label.replace(/^@/, '')}` : `@${target.slice(1)}`;
  }
  if (target.startsWith('#')) return `#${label || target.slice(1)}`;
  if (target.startsWith('!')) {
    const [kind] = target.slice(1).split('^');
    if (kind === 'channel' || kind === 'everyone') return '@channel';
    if (kind === 'here') return '@here';
    return label; // !date^…|fallback, !subteam^…|@team
  }
  const url = decode(target);
  if (!/^(https?:\/\/|mailto:)/i.test(url)) return label || url;
  return label ? `[${escapeLinkText(label)}](${url.replace(/[()\s]/g, encodeURIComponent)})` : `<${url}>`;
}

const escapeLinkText = (s: string) => s.replace(/([[\]\\])/g, '\\$1');

/** Slack mrkdwn outside code: `*bold*` → `**bold**`, `~strike~` → `~~strike~~`; `_italic_` is the same in both. */
function emphasis(s: string): string {
  return s.replace(/(^|[^\w*])\*(?=\S)([^*\n]*?\S)\*(?=$|[^\w*])/g, '$1**$2**').replace(/(^|[^\w~])~(?=\S)([^~\n]*?\S)~(?=$|[^\w~])/g, '$1~~$2~~');
}

/** Slack mrkdwn to Markdown; code spans and blocks are left as they are, entities decoded. */
export function mrkdwnToMarkdown(text: string, nameOf: NameOf): string {
  const out: string[] = [];
  // Split off ```blocks``` and `spans`: inside them only entities are decoded.
  const re = /```[\s\S]*?```|`[^`\n]+`/g;
  let last = 0;
  for (const m of text.matchAll(re)) {
    out.push(prose(text.slice(last, m.index), nameOf));
    let code = decode(m[0]);
    // Slack lets a block start right after the fence (```code```); Markdown needs a new line.
    if (code.startsWith('```') && !code.startsWith('```\n')) code = `\`\`\`\n${code.slice(3)}`;
    if (code.startsWith('```') && !code.endsWith('\n```')) code = `${code.slice(0, -3)}\n\`\`\``;
    out.push(code);
    last = m.index + m[0].length;
  }
  out.push(prose(text.slice(last), nameOf));
  return out.join('');
}

function prose(s: string, nameOf: NameOf): string {
  // Links first (their URLs must not be touched by emphasis), kept aside as placeholders.
  const kept: string[] = [];
  const marked = s.replace(/<([^<>\n]+)>/g, (_m, inner: string) => {
    kept.push(angle(inner, nameOf));
    return `\uE000${kept.length - 1}\uE000`;
  });
  return decode(emphasis(marked)).replace(/\uE000(\d+)\uE000/g, (_m, i: string) => kept[Number(i)]!);
}

/** Text Slack would not format (`mrkdwn: false`, `plain_text`): Markdown's own characters escaped. */
function plain(text: string, nameOf: NameOf): string {
  const kept: string[] = [];
  const marked = text.replace(/<([^<>\n]+)>/g, (_m, inner: string) => {
    kept.push(angle(inner, nameOf));
    return `\uE000${kept.length - 1}\uE000`;
  });
  return decode(marked)
    .replace(/([\\`*_~[\]#>|])/g, '\\$1')
    .replace(/\uE000(\d+)\uE000/g, (_m, i: string) => kept[Number(i)]!);
}

// ---- blocks ------------------------------------------------------------------------------------

function textObject(t: unknown, nameOf: NameOf): string {
  if (typeof t === 'string') return mrkdwnToMarkdown(t, nameOf);
  if (!isObj(t) || typeof t['text'] !== 'string') return '';
  return t['type'] === 'plain_text' ? plain(t['text'], nameOf) : mrkdwnToMarkdown(t['text'], nameOf);
}

function imageLink(url: unknown, alt: unknown): string {
  if (typeof url !== 'string' || !/^https?:\/\//i.test(url)) return '';
  return `[${escapeLinkText(typeof alt === 'string' && alt !== '' ? alt : 'image')}](${url})`;
}

/** An element of a context or actions block, or an accessory: its text, a link when it has a URL. */
function element(e: unknown, nameOf: NameOf): string {
  if (!isObj(e)) return '';
  if (e['type'] === 'image') return imageLink(e['image_url'], e['alt_text']);
  if (e['type'] === 'plain_text' || e['type'] === 'mrkdwn') return textObject(e, nameOf);
  const label = textObject(e['text'], nameOf);
  if (typeof e['url'] === 'string' && /^https?:\/\//i.test(e['url'])) return `[${escapeLinkText(label || e['url'])}](${e['url']})`;
  return label;
}

/** Every text a block of a kind we do not know carries, so nothing is dropped silently. */
function anyText(v: unknown, nameOf: NameOf, depth = 0): string[] {
  if (depth > 8) return [];
  if (Array.isArray(v)) return v.flatMap((x) => anyText(x, nameOf, depth + 1));
  if (!isObj(v)) return [];
  if (typeof v['text'] === 'string') return [textObject(v, nameOf)];
  return Object.entries(v).flatMap(([k, x]) => (k === 'type' || k === 'block_id' ? [] : anyText(x, nameOf, depth + 1)));
}

function blockToMarkdown(b: Obj, nameOf: NameOf): string {
  switch (b['type']) {
    case 'header': {
      const t = textObject(b['text'], nameOf);
      return t ? `### ${t}` : '';
    }
    case 'divider':
      return '---';
    case 'section': {
      const lines: string[] = [];
      const t = textObject(b['text'], nameOf);
      if (t) lines.push(t);
      if (Array.isArray(b['fields'])) for (const f of b['fields'].slice(0, MAX_FIELDS)) lines.push(textObject(f, nameOf));
      const acc = element(b['accessory'], nameOf);
      if (acc) lines.push(acc);
      return lines.filter((l) => l !== '').join('\n');
    }
    case 'context': {
      const items = Array.isArray(b['elements']) ? b['elements'].map((e) => element(e, nameOf)).filter((x) => x !== '') : [];
      return items.join(' · ');
    }
    case 'image': {
      const title = textObject(b['title'], nameOf);
      return imageLink(b['image_url'], title || b['alt_text']);
    }
    case 'actions': {
      const items = Array.isArray(b['elements']) ? b['elements'].map((e) => element(e, nameOf)).filter((x) => x !== '') : [];
      return items.join(' · ');
    }
    default: {
      const texts = anyText(b, nameOf).filter((x) => x !== '');
      return texts.length > 0 ? texts.join('\n') : `_(a \`${String(b['type'])}\` block this client cannot show)_`;
    }
  }
}

// ---- attachments -------------------------------------------------------------------------------

const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** Slack's named colours and hex colours as the nearest coloured circle: Markdown has no colour. */
function colourMark(c: string): string {
  const named: Record<string, string> = { good: '🟢', warning: '🟡', danger: '🔴' };
  if (named[c]) return named[c];
  const m = /^#?([0-9a-f]{6})$/i.exec(c);
  if (!m) return '';
  const n = parseInt(m[1]!, 16);
  const [r, g, bl] = [(n >> 16) & 255, (n >> 8) & 255, n & 255];
  const marks: [string, number, number, number][] = [
    ['🔴', 220, 40, 40],
    ['🟠', 240, 140, 20],
    ['🟡', 240, 210, 40],
    ['🟢', 40, 170, 70],
    ['🔵', 40, 110, 220],
    ['🟣', 140, 60, 200],
    ['⚫', 30, 30, 30],
    ['⚪', 230, 230, 230],
  ];
  let best = marks[0]!;
  let dist = Infinity;
  for (const mk of marks) {
    const d = (mk[1] - r) ** 2 + (mk[2] - g) ** 2 + (mk[3] - bl) ** 2;
    if (d < dist) [best, dist] = [mk, d];
  }
  return best[0];
}

function attachmentToMarkdown(a: Obj, nameOf: NameOf): string {
  const md = (s: string) => mrkdwnToMarkdown(s, nameOf);
  const lines: string[] = [];
  const pretext = str(a['pretext']);
  const head: string[] = [];
  const mark = colourMark(str(a['color']));
  if (mark) head.push(mark);
  if (str(a['author_name'])) head.push(str(a['author_link']) ? `[${escapeLinkText(str(a['author_name']))}](${str(a['author_link'])})` : plain(str(a['author_name']), nameOf));
  const title = str(a['title']);
  if (title) head.push(/^https?:\/\//i.test(str(a['title_link'])) ? `**[${escapeLinkText(title)}](${str(a['title_link'])})**` : `**${plain(title, nameOf)}**`);
  if (head.length > 0) lines.push(head.join(' '));
  if (str(a['text'])) lines.push(...md(str(a['text'])).split('\n'));
  const fields = Array.isArray(a['fields']) ? (a['fields'] as Obj[]) : [];
  // Short fields sit side by side in Slack: two to a line here.
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i]!;
    const one = (x: Obj) => `**${plain(str(x['title']), nameOf)}**${str(x['title']) ? ': ' : ''}${md(str(x['value']))}`;
    const next = fields[i + 1];
    if (f['short'] === true && next && next['short'] === true) {
      lines.push(`${one(f)} · ${one(next)}`);
      i++;
    } else lines.push(one(f));
  }
  const image = imageLink(a['image_url'], title || 'image');
  if (image) lines.push(image);
  const foot: string[] = [];
  if (str(a['footer'])) foot.push(md(str(a['footer'])));
  const ts = typeof a['ts'] === 'number' ? a['ts'] : typeof a['ts'] === 'string' ? Number(a['ts']) : NaN;
  if (Number.isFinite(ts) && ts > 0 && ts < 1e11) foot.push(new Date(ts * 1000).toISOString().replace('T', ' ').slice(0, 16) + ' UTC');
  if (foot.length > 0) lines.push(`_${foot.join(' · ')}_`);
  if (lines.length === 0 && str(a['fallback'])) lines.push(plain(str(a['fallback']), nameOf));
  // A quote per attachment: the bar beside it stands in for Slack's coloured one.
  const body = lines.map((l) => (l === '' ? '>' : `> ${l}`)).join('\n');
  return [pretext ? md(pretext) : '', body].filter((x) => x !== '').join('\n');
}
