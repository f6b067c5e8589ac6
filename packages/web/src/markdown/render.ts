import MarkdownIt, { type StateInline } from 'markdown-it';
import DOMPurify from 'dompurify';
import { shortcodePlugin, shortcodesVersion } from './shortcodes';
import { taskListPlugin } from './tasks';

/**
 * Message Markdown to sanitised HTML. Layers of defence: markdown-it never passes raw HTML
 * through (`html: false`), links are limited to http, https and mailto, and every string goes
 * through DOMPurify with a tag and attribute allow-list (no `style`, no event handlers) before
 * it may reach the DOM. Code is highlighted later, outside this string (see highlight.ts).
 */

const SAFE_URL = /^(https?:|mailto:)/i;
// Same rule as the server (packages/server/src/messages/mentions.ts): not after a word char, @ or dot.
const MENTION = /^@([a-z0-9][a-z0-9._-]{0,31})/i;
const BROADCAST = new Set(['channel', 'here', 'all', 'everyone']);

const md = new MarkdownIt('default', { html: false, linkify: true, breaks: true, typographer: false });
// Images are shown as their link, not loaded: a remote image in a message would leak the reader's IP.
md.disable('image');
md.validateLink = (url) => SAFE_URL.test(url.trim());
md.linkify.set({ fuzzyEmail: false });

function mentionRule(state: StateInline, silent: boolean): boolean {
  if (state.src.charCodeAt(state.pos) !== 0x40) return false;
  const prev = state.pos > 0 ? state.src[state.pos - 1]! : '';
  if (/[\w@.]/.test(prev)) return false;
  const m = MENTION.exec(state.src.slice(state.pos));
  if (!m) return false;
  const name = m[1]!.replace(/[._-]+$/, '');
  const lower = name.toLowerCase();
  if (!BROADCAST.has(lower) && lower.length < 2) return false;
  if (!silent) {
    const token = state.push('mention', '', 0);
    token.content = name;
    token.meta = { broadcast: BROADCAST.has(lower) };
  }
  state.pos += name.length + 1;
  return true;
}

md.inline.ruler.before('emphasis', 'mention', mentionRule);
md.use(shortcodePlugin);
md.use(taskListPlugin);

interface RenderEnv {
  me: string;
  /** The message's @here reached this reader (they were online when it was sent). */
  hereReachedMe: boolean;
}

md.renderer.rules.mention = (tokens, idx, _opts, env) => {
  const t = tokens[idx]!;
  const e = env as RenderEnv | undefined;
  const me = e?.me ?? '';
  const name = t.content;
  const lower = name.toLowerCase();
  // @here calls only the members online when it was sent, so it is marked as mine only for them.
  const isMe = lower === 'here' ? (e?.hereReachedMe ?? false) : (t.meta as { broadcast: boolean }).broadcast || lower === me;
  return `<span class="mention${isMe ? ' mention-me' : ''}" data-mention="${md.utils.escapeHtml(name.toLowerCase())}">@${md.utils.escapeHtml(name)}</span>`;
};

md.renderer.rules.fence = (tokens, idx) => {
  const t = tokens[idx]!;
  const lang = (t.info.trim().split(/\s+/)[0] ?? '').toLowerCase().replace(/[^a-z0-9_+#.-]/g, '');
  const code = t.content.endsWith('\n') ? t.content.slice(0, -1) : t.content;
  const esc = md.utils.escapeHtml;
  if (lang === 'diff' || lang === 'patch') {
    const lines = code.split('\n').map((line) => {
      const kind = line.startsWith('+++') || line.startsWith('---') ? 'meta' : line.startsWith('+') ? 'add' : line.startsWith('-') ? 'del' : line.startsWith('@@') ? 'hunk' : 'ctx';
      return `<span class="diff-line diff-${kind}">${esc(line) || ' '}</span>`;
    });
    return `<pre class="code code-diff"><code>${lines.join('\n')}</code></pre>\n`;
  }
  return `<pre class="code"${lang ? ` data-lang="${esc(lang)}"` : ''}><code>${esc(code)}</code></pre>\n`;
};

const defaultLinkOpen = md.renderer.rules.link_open ?? ((tokens, idx, opts, _env, self) => self.renderToken(tokens, idx, opts));
md.renderer.rules.link_open = (tokens, idx, opts, env, self) => {
  const t = tokens[idx]!;
  t.attrSet('target', '_blank');
  t.attrSet('rel', 'noopener noreferrer nofollow');
  return defaultLinkOpen(tokens, idx, opts, env, self);
};

const ALLOWED_TAGS = [
  'p',
  'br',
  'strong',
  'em',
  's',
  'del',
  'code',
  'pre',
  'blockquote',
  'ul',
  'ol',
  'li',
  'a',
  'span',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'hr',
  'table',
  'thead',
  'tbody',
  'tr',
  'th',
  'td',
  // Task lists' read-only checkboxes (tasks.ts); the hook below keeps only those.
  'label',
  'input',
];
const ALLOWED_ATTR = ['href', 'title', 'target', 'rel', 'class', 'start', 'data-lang', 'data-mention', 'type', 'checked', 'disabled'];

// Runs on every sanitised string: whatever produced an <a>, it only ever leads to http(s) or mail,
// in a new tab that cannot reach back through window.opener.
DOMPurify.addHook('afterSanitizeAttributes', (node) => {
  // The only input a message may hold is a task list's disabled checkbox.
  if (node.nodeName === 'INPUT') {
    if (node.getAttribute('type') !== 'checkbox') node.remove();
    else node.setAttribute('disabled', '');
    return;
  }
  if (node.nodeName !== 'A') return;
  const href = node.getAttribute('href') ?? '';
  if (!SAFE_URL.test(href.trim())) node.removeAttribute('href');
  node.setAttribute('target', '_blank');
  node.setAttribute('rel', 'noopener noreferrer nofollow');
});

/** Sanitises any HTML string bound for the DOM with the message allow-list. */
export function sanitize(html: string): string {
  return DOMPurify.sanitize(html, {
    ALLOWED_TAGS,
    ALLOWED_ATTR,
    ALLOW_DATA_ATTR: false,
    FORBID_TAGS: ['style', 'script', 'iframe', 'img', 'svg', 'math', 'form', 'button', 'select', 'textarea'],
    FORBID_ATTR: ['style'],
  });
}

const cache = new Map<string, string>();
const CACHE_MAX = 3000;

/**
 * Markdown to safe HTML, memoised: a virtualised list re-renders the same bodies while scrolling.
 * `memo: false` for text that must not outlive its row (revealed burn-after-reading content).
 */
export function renderMarkdown(body: string, myUsername: string, hereReachedMe = false, memo = true): string {
  const key = `${shortcodesVersion()}\u0000${myUsername}\u0000${hereReachedMe ? 1 : 0}\u0000${body}`;
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  const html = sanitize(md.render(body, { me: myUsername.toLowerCase(), hereReachedMe } satisfies RenderEnv));
  if (!memo) return html;
  if (cache.size >= CACHE_MAX) cache.delete(cache.keys().next().value!);
  cache.set(key, html);
  return html;
}
