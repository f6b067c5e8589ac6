/**
 * Keeps highlighted code readable: a theme colour with less than WCAG AA contrast (4.5:1) against
 * the code block's background is moved toward black (light theme) or white (dark theme) until it
 * has it. github-light's keyword red (#d73a49) is 4.15:1 on our light code background.
 */

/** The code block backgrounds, as `--code-bg` in styles/app.css sets them. */
export const CODE_BG = { light: '#f3f4f7', dark: '#0f1117' } as const;

const AA = 4.5;

type Rgb = [number, number, number];

function parse(hex: string): Rgb | null {
  const h = hex.slice(1);
  const full = h.length === 3 || h.length === 4 ? [...h.slice(0, 3)].map((c) => c + c).join('') : h.slice(0, 6);
  if (!/^[0-9a-f]{6}$/i.test(full)) return null;
  return [0, 2, 4].map((i) => parseInt(full.slice(i, i + 2), 16)) as Rgb;
}

function luminance([r, g, b]: Rgb): number {
  const lin = (c: number) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}

export function contrast(a: string, b: string): number {
  const x = parse(a);
  const y = parse(b);
  if (!x || !y) return 1;
  const [hi, lo] = [luminance(x), luminance(y)].sort((p, q) => q - p) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

const hex = (c: Rgb) => `#${c.map((v) => Math.round(v).toString(16).padStart(2, '0')).join('')}`;

/** `colour`, or the nearest mix of it with black or white that reads at 4.5:1 on `background`. */
export function readable(colour: string, background: string): string {
  const c = parse(colour);
  const bg = parse(background);
  if (!c || !bg || contrast(colour, background) >= AA) return colour;
  const toward: Rgb = luminance(bg) > 0.5 ? [0, 0, 0] : [255, 255, 255];
  for (let t = 0.05; t <= 1; t += 0.05) {
    const mixed = hex(c.map((v, i) => v + (toward[i]! - v) * t) as Rgb);
    if (contrast(mixed, background) >= AA) return mixed;
  }
  return hex(toward);
}
