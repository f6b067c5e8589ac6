import { describe, expect, test } from 'vitest';
import { attachmentsHeight, fileKind, formatSize, languageOf, thumbBox } from './kind';

const att = (mime: string, name: string, preview: string | null = null) => ({ mime, name, preview });

describe('file kinds', () => {
  test('images come from the sniffed type; SVG is a download, not an image', () => {
    expect(fileKind(att('image/png', 'x.png'))).toBe('image');
    expect(fileKind(att('image/webp', 'photo.jpg'))).toBe('image');
    expect(fileKind(att('image/svg+xml', 'logo.svg'))).toBe('other');
  });
  test('text with a known extension is code; other text stays text', () => {
    expect(fileKind(att('text/plain; charset=utf-8', 'main.ts', 'const a = 1;'))).toBe('code');
    expect(fileKind(att('text/plain; charset=utf-8', 'server.log', 'GET /'))).toBe('text');
    expect(fileKind(att('text/plain; charset=utf-8', 'Dockerfile', 'FROM node'))).toBe('code');
  });
  test('pdf, archives, media and the rest', () => {
    expect(fileKind(att('application/pdf', 'a.pdf'))).toBe('pdf');
    expect(fileKind(att('application/zip', 'a.zip'))).toBe('archive');
    expect(fileKind(att('audio/mpeg', 'a.mp3'))).toBe('audio');
    expect(fileKind(att('video/mp4', 'a.mp4'))).toBe('video');
    expect(fileKind(att('application/octet-stream', 'a.bin'))).toBe('other');
  });
  test('languages by extension and well-known names', () => {
    expect(languageOf('src/app.py')).toBe('python');
    expect(languageOf('Makefile')).toBe('make');
    expect(languageOf('notes')).toBeNull();
    expect(languageOf('.bashrc')).toBeNull();
  });
});

describe('sizes and boxes', () => {
  test('sizes read like a file manager', () => {
    expect(formatSize(0)).toBe('0 B');
    expect(formatSize(999)).toBe('999 B');
    expect(formatSize(1500)).toBe('1.5 KB');
    expect(formatSize(25_000_000)).toBe('25 MB');
    expect(formatSize(5 * 1000 ** 3)).toBe('5.0 GB');
  });
  test('a thumbnail box keeps the aspect ratio within the edge and never upscales', () => {
    expect(thumbBox(1600, 1200)).toEqual({ width: 320, height: 240 });
    expect(thumbBox(600, 3000)).toEqual({ width: 64, height: 320 });
    expect(thumbBox(100, 50)).toEqual({ width: 100, height: 50 });
    expect(thumbBox(null, null)).toEqual({ width: 320, height: 240 });
  });
});

describe('estimated height of a message’s files', () => {
  const img = (w: number, h: number) => ({ mime: 'image/png', name: 'a.png', preview: null, width: w, height: h, has_thumbnail: true });
  test('thumbnails share a row (the tallest counts); cards stack with their preview lines', () => {
    expect(attachmentsHeight([])).toBe(0);
    expect(attachmentsHeight([img(1600, 1200), img(600, 3000)])).toBe(4 + 320 + 6);
    const card = { mime: 'text/plain; charset=utf-8', name: 'a.log', preview: 'a\nb', width: null, height: null, has_thumbnail: false };
    expect(attachmentsHeight([card])).toBe(4 + 58 + 2 * 20 + 24);
  });
});
