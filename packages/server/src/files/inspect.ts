import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { fileTypeFromFile } from 'file-type';
import { findSecrets, maskSecrets, mayHoldSecret } from '../secrets/detect.js';
import sharp from 'sharp';

/** What completion learns from an upload's bytes; the client's claimed type is never consulted. */
export interface Inspected {
  mime: string;
  width: number | null;
  height: number | null;
  preview: string | null;
  /** A small image without any metadata, when the file is an image sharp can read. */
  thumbnail: Buffer | null;
  /** The file was rewritten (metadata stripped): a hash of its bytes as uploaded no longer holds. */
  rewritten?: boolean;
}

const THUMB_EDGE = 320;
const PREVIEW_LINES = 10;
const PREVIEW_CHARS = 1000;
const TEXT_SNIFF_BYTES = 64 * 1024;
/** Raster formats sharp decodes; SVG is left out on purpose (it is active content, served as an attachment). */
const RASTER = new Set(['image/jpeg', 'image/png', 'image/webp', 'image/gif', 'image/avif', 'image/tiff']);

export async function sha256Of(file: string): Promise<string> {
  const hash = crypto.createHash('sha256');
  await pipeline(fs.createReadStream(file), hash);
  return hash.digest('hex');
}

/** The file's first bytes as text, or null when they are not UTF-8 text (a NUL means binary). */
async function textHead(file: string): Promise<string | null> {
  const fh = await fsp.open(file, 'r');
  try {
    const buf = Buffer.alloc(TEXT_SNIFF_BYTES);
    const { bytesRead } = await fh.read(buf, 0, TEXT_SNIFF_BYTES, 0);
    const head = buf.subarray(0, bytesRead);
    if (head.includes(0)) return null;
    // stream: true, so a character cut by the sniff window's end is not taken for bad UTF-8.
    return new TextDecoder('utf-8', { fatal: true }).decode(head, { stream: true });
  } catch (e) {
    if (e instanceof TypeError) return null;
    throw e;
  } finally {
    await fh.close();
  }
}

/**
 * Text a browser could run as markup. file-type reads binary signatures only, so SVG, HTML and
 * XML arrive here as text; naming them for what they are makes them downloads, never pages.
 */
function markupType(text: string): string | null {
  const head = text
    .replace(/^\uFEFF/, '')
    .trimStart()
    .slice(0, 1024)
    .toLowerCase();
  if (!head.startsWith('<')) return null;
  if (head.includes('<svg')) return 'image/svg+xml';
  if (head.startsWith('<!doctype html') || head.includes('<html') || head.includes('<script') || head.includes('<body')) return 'text/html';
  if (head.startsWith('<?xml')) return 'application/xml';
  return null;
}

/**
 * The first lines, with any credential in them masked whatever the workspace's policy: the
 * preview is a copy Parley makes and shows in every message card, and the file itself is what
 * its uploader chose to share.
 */
async function previewOf(text: string): Promise<string> {
  const head = text.split(/\r?\n/).slice(0, PREVIEW_LINES).join('\n').slice(0, PREVIEW_CHARS);
  return mayHoldSecret(head) ? maskSecrets(head, await findSecrets(head)) : head;
}

/**
 * Sniffs the type from the bytes, and for an image rewrites the file in place without its
 * metadata (EXIF GPS, camera serials…) after applying its EXIF orientation, so what is stored
 * and served carries none of it. Returns what to record; the caller hashes the file afterwards.
 */
export async function inspect(file: string): Promise<Inspected> {
  const sniffed = await fileTypeFromFile(file);
  if (!sniffed) {
    const text = await textHead(file);
    if (text === null) return { mime: 'application/octet-stream', width: null, height: null, preview: null, thumbnail: null };
    const markup = markupType(text);
    if (markup) return { mime: markup, width: null, height: null, preview: null, thumbnail: null };
    return { mime: 'text/plain; charset=utf-8', width: null, height: null, preview: await previewOf(text), thumbnail: null };
  }
  if (!RASTER.has(sniffed.mime)) return { mime: sniffed.mime, width: null, height: null, preview: null, thumbnail: null };
  let rewritten = false;
  try {
    const meta = await sharp(file).metadata();
    if (meta.exif || meta.xmp || meta.iptc || (meta.orientation ?? 1) !== 1) {
      // sharp writes no metadata unless asked, so the re-encoded file has none left.
      const clean = await sharp(file, { animated: true }).rotate().toBuffer();
      rewritten = true;
      await fsp.writeFile(file, clean);
    }
    const after = await sharp(file).metadata();
    const thumbnail = await sharp(file).rotate().resize(THUMB_EDGE, THUMB_EDGE, { fit: 'inside', withoutEnlargement: true }).webp().toBuffer();
    return { mime: sniffed.mime, width: after.width ?? null, height: after.height ?? null, preview: null, thumbnail, rewritten };
  } catch {
    // The header said image but the body does not decode: keep it as an opaque file.
    return { mime: sniffed.mime, width: null, height: null, preview: null, thumbnail: null, rewritten };
  }
}
