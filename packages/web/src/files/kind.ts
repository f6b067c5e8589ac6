import type { Attachment } from '@parley/protocol';

export type FileKind = 'image' | 'text' | 'code' | 'pdf' | 'archive' | 'audio' | 'video' | 'other';

/** Raster types the thumbnailer reads; SVG is never shown inline (it is active content). */
const IMAGE = /^image\/(jpeg|png|gif|webp|avif|tiff)$/;
const ARCHIVE = /zip|gzip|x-tar|x-7z|x-bzip2|x-xz|x-rar|zstd/;

/** Extensions whose preview is highlighted, mapped to a language the highlighter knows. */
const CODE_EXT: Record<string, string> = {
  ts: 'ts',
  tsx: 'tsx',
  js: 'js',
  mjs: 'js',
  cjs: 'js',
  jsx: 'jsx',
  json: 'json',
  css: 'css',
  scss: 'scss',
  py: 'python',
  go: 'go',
  rs: 'rust',
  java: 'java',
  kt: 'kotlin',
  swift: 'swift',
  c: 'c',
  h: 'c',
  cc: 'cpp',
  cpp: 'cpp',
  hpp: 'cpp',
  cs: 'csharp',
  rb: 'ruby',
  php: 'php',
  sh: 'sh',
  bash: 'sh',
  zsh: 'sh',
  sql: 'sql',
  yml: 'yaml',
  yaml: 'yaml',
  toml: 'toml',
  md: 'markdown',
  xml: 'xml',
  html: 'html',
  graphql: 'graphql',
  gql: 'graphql',
  lua: 'lua',
  ex: 'elixir',
  exs: 'elixir',
  hs: 'haskell',
  scala: 'scala',
  zig: 'zig',
  ini: 'ini',
  cfg: 'ini',
  proto: 'protobuf',
};
const CODE_NAMES: Record<string, string> = { dockerfile: 'dockerfile', makefile: 'make' };

function extension(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
}

/** The highlighter language for a file name, or null for plain text. */
export function languageOf(name: string): string | null {
  const base = name.split(/[\\/]/).pop()!.toLowerCase();
  return CODE_NAMES[base] ?? CODE_EXT[extension(base)] ?? null;
}

/** What a file is, from the server's sniffed type (never the uploader's claim) and its name. */
export function fileKind(a: Pick<Attachment, 'mime' | 'name' | 'preview'>): FileKind {
  const mime = a.mime.toLowerCase();
  if (IMAGE.test(mime)) return 'image';
  if (mime.startsWith('text/plain') || a.preview !== null) return languageOf(a.name) ? 'code' : 'text';
  if (mime === 'application/pdf') return 'pdf';
  if (mime.startsWith('audio/')) return 'audio';
  if (mime.startsWith('video/')) return 'video';
  if (ARCHIVE.test(mime)) return 'archive';
  return 'other';
}

const UNITS = ['B', 'KB', 'MB', 'GB', 'TB'];

/** A size for people: 1 decimal under 10 units, whole numbers above (1000-based, like Slack and macOS). */
export function formatSize(bytes: number): string {
  let n = Math.max(0, bytes);
  let u = 0;
  while (n >= 1000 && u < UNITS.length - 1) {
    n /= 1000;
    u++;
  }
  const digits = u === 0 || n >= 10 ? 0 : 1;
  return `${n.toFixed(digits)} ${UNITS[u]}`;
}

/** The box a thumbnail takes before it loads, so the timeline never jumps: fits within max×max. */
export function thumbBox(width: number | null, height: number | null, max = 320): { width: number; height: number } {
  if (!width || !height) return { width: max, height: Math.round(max * 0.75) };
  const scale = Math.min(1, max / Math.max(width, height));
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

/**
 * The height a message's files will take once rendered, for the list's first estimate (so rows
 * scrolled into view for the first time rarely resize): thumbnails in one row, then one card per
 * other file, with its preview lines.
 */
export function attachmentsHeight(items: readonly Pick<Attachment, 'mime' | 'name' | 'preview' | 'width' | 'height' | 'has_thumbnail'>[]): number {
  if (items.length === 0) return 0;
  let images = 0;
  let cards = 0;
  for (const a of items) {
    if (fileKind(a) === 'image' && a.has_thumbnail) images = Math.max(images, thumbBox(a.width, a.height).height);
    else cards += 58 + (a.preview ? Math.min(5, a.preview.split('\n').length) * 20 + 24 : 0);
  }
  return 4 + (images ? images + 6 : 0) + cards;
}
