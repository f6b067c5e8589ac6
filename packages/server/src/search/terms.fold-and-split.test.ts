import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fold, tokenize } from './terms.js';

const seq = (text: string) => tokenize(text).seq.map((t) => t.term);
const joined = (text: string) => tokenize(text).joined.map((t) => t.term);

describe('index terms', () => {
  it('folds width, case and Latin accents the same way for every script', () => {
    expect(fold('ＥＣＯＮＮＲＥＦＵＳＥＤ')).toBe('econnrefused');
    expect(fold('Café Naïve')).toBe('cafe naive');
    expect(fold('ｶﾀｶﾅ')).toBe('カタカナ');
    // A Devanagari vowel sign is part of the letter, not an accent.
    expect(fold('हिन्दी')).toBe('हिन्दी');
  });

  it('pairs CJK characters and ends each run with its last character', () => {
    expect(seq('数据库迁移失败')).toEqual(['数据', '据库', '库迁', '迁移', '移失', '失败', '败']);
    expect(seq('デプロイ')).toEqual(['デプ', 'プロ', 'ロイ', 'イ']);
    expect(seq('上')).toEqual(['上']);
  });

  it('splits identifiers into parts and keeps the joined form', () => {
    expect(seq('call get_user_id now')).toEqual(['call', 'get', 'user', 'id', 'now']);
    expect(joined('call get_user_id now')).toEqual(['getuserid']);
    expect(seq('HTTPServer getUserId')).toEqual(['http', 'server', 'get', 'user', 'id']);
    expect(seq('user.profile.name v1.2.3.')).toEqual(['user', 'profile', 'name', 'v1', '2', '3']);
    expect(joined('v1.2.3.')).toEqual(['v123']);
  });

  it('separates scripts without spaces between them', () => {
    expect(seq('v2部署ok')).toEqual(['v2', '部署', '署', 'ok']);
  });

  it('points every term at the characters it came from', () => {
    const text = '😀 Ｃａｆé 部署 getUserId';
    for (const t of [...tokenize(text).seq, ...tokenize(text).joined]) {
      const source = fold(text.slice(t.start, t.end));
      expect(source.replace(/[^\p{L}\p{N}]/gu, '')).toContain(t.term);
    }
    expect(tokenize(text).seq.find((t) => t.term === 'cafe')).toMatchObject({ start: 3, end: 7 });
  });
});

describe('the ASCII fast path', () => {
  it('gives exactly the terms the full Unicode path gives', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(..."aZ09 ._-:/@'`!(){}[]#xyQ".split('')), maxLength: 60 }), (s) => {
        // " é" sends the same text down the Unicode path; its own term ("e") comes last.
        const unicode = tokenize(`${s} é`);
        expect(tokenize(s).seq).toEqual(unicode.seq.slice(0, -1));
        expect(tokenize(s).joined).toEqual(unicode.joined);
      }),
      { numRuns: 2000 },
    );
  });
});
