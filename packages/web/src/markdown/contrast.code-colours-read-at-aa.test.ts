import { expect, test } from 'vitest';
import { CODE_BG, contrast, readable } from './contrast';

test('a theme colour under 4.5:1 on the code background is darkened (light) or lightened (dark) just enough; readable ones stay', () => {
  expect(contrast('#d73a49', CODE_BG.light)).toBeLessThan(4.5);
  const fixed = readable('#d73a49', CODE_BG.light);
  expect(contrast(fixed, CODE_BG.light)).toBeGreaterThanOrEqual(4.5);
  // Still a red, only darker: each channel moved toward black.
  expect(parseInt(fixed.slice(1, 3), 16)).toBeGreaterThan(parseInt(fixed.slice(3, 5), 16));
  expect(parseInt(fixed.slice(1, 3), 16)).toBeLessThan(0xd7);

  const dim = '#3a3f4b';
  expect(contrast(readable(dim, CODE_BG.dark), CODE_BG.dark)).toBeGreaterThanOrEqual(4.5);
  expect(readable('#24292e', CODE_BG.light)).toBe('#24292e');
  expect(readable('#e1e4e8', CODE_BG.dark)).toBe('#e1e4e8');
  expect(readable('#abc', CODE_BG.light)).not.toBe('#abc');
});
