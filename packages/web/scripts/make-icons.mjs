/* global Buffer, URL, console -- a Node script; the repo lint config has no Node globals for .mjs */
// Renders the app icon (public/icons/icon.svg's shape) to PNG without any image library, so the
// manifest has the raster sizes browsers require for installation. Run: node scripts/make-icons.mjs
import fs from 'node:fs';
import zlib from 'node:zlib';

const crcTable = new Uint32Array(256).map((_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}
function png(size, pixel) {
  const raw = Buffer.alloc((size * 4 + 1) * size);
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0;
    for (let x = 0; x < size; x++) {
      const [r, g, b, a] = pixel(x, y);
      const o = y * (size * 4 + 1) + 1 + x * 4;
      raw[o] = r;
      raw[o + 1] = g;
      raw[o + 2] = b;
      raw[o + 3] = a;
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8;
  ihdr[9] = 6;
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', zlib.deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
}

// Signed-distance helpers in the 512-unit design space of icon.svg.
const roundRect = (x, y, x0, y0, x1, y1, r) => {
  const cx = Math.max(x0 + r, Math.min(x, x1 - r));
  const cy = Math.max(y0 + r, Math.min(y, y1 - r));
  const inside = x >= x0 && x <= x1 && y >= y0 && y <= y1;
  const d = Math.hypot(x - cx, y - cy) - r;
  return inside && ((x > x0 + r && x < x1 - r) || (y > y0 + r && y < y1 - r)) ? -1 : d;
};
const inTail = (x, y) => y >= 340 && y <= 412 && x >= 176 && x <= 176 + (412 - y) * (76 / 60) && x <= 260;

function shade(x, y, maskable) {
  const pad = maskable ? 0 : 0;
  const bgD = maskable ? -1 : roundRect(x, y, pad, pad, 512 - pad, 512 - pad, 112);
  if (bgD > 0) return null;
  // Maskable icons keep their content inside the central 80% safe zone.
  const s = maskable ? 0.78 : 1;
  const ux = (x - 256) / s + 256;
  const uy = (y - 256) / s + 256;
  const bubble = roundRect(ux, uy, 96, 148, 416, 352, 40) <= 0 || inTail(ux, uy);
  const dot = [192, 256, 320].some((cx) => Math.hypot(ux - cx, uy - 250) <= 22);
  if (bubble && !dot) return [255, 255, 255];
  return [79, 70, 229];
}

function render(size, maskable) {
  const ss = 4;
  return png(size, (px, py) => {
    let r = 0,
      g = 0,
      b = 0,
      a = 0;
    for (let i = 0; i < ss; i++)
      for (let j = 0; j < ss; j++) {
        const x = ((px + (i + 0.5) / ss) / size) * 512;
        const y = ((py + (j + 0.5) / ss) / size) * 512;
        const c = shade(x, y, maskable);
        if (!c) continue;
        r += c[0];
        g += c[1];
        b += c[2];
        a += 255;
      }
    const n = ss * ss;
    const cov = a / 255;
    return cov ? [Math.round(r / cov), Math.round(g / cov), Math.round(b / cov), Math.round(a / n)] : [0, 0, 0, 0];
  });
}

const out = new URL('../public/icons/', import.meta.url);
fs.writeFileSync(new URL('icon-192.png', out), render(192, false));
fs.writeFileSync(new URL('icon-512.png', out), render(512, false));
fs.writeFileSync(new URL('maskable-512.png', out), render(512, true));
fs.writeFileSync(new URL('apple-touch-icon.png', out), render(180, true));
console.log('icons written');
