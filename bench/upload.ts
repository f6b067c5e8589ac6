/**
 * `npm run bench -- upload`: files through tus against the spawned server, on loopback.
 *
 * 1. `--concurrency` uploads of `--size` bytes at once, each one creation request and one PATCH
 *    whose body is generated as it is sent (a 1 MiB random block per upload, repeated: distinct
 *    content per upload, so nothing is deduplicated, and neither side ever holds a file). Reports
 *    the aggregate throughput up to the last 204 (which waits for completion: sniffing, hashing,
 *    the move into the blob store) and the server's RSS growth over its resting RSS, sampled every
 *    50 ms (/proc/<pid>/status of the server process, never the bench's own).
 * 2. `--images` photos of a few megapixels made with sharp (half with an EXIF orientation, as a
 *    phone writes them, which makes the server re-encode the image to strip it). Each goes
 *    through the server's completion (`FilesService.complete`: sniff, strip, thumbnail, hash,
 *    store) one at a time in this process, on a Parley built here with its own data directory:
 *    over the wire, loopback transfer and the machine's load would drown a ~50 ms figure. Each is
 *    also uploaded to the spawned server, for the end-to-end time of a photo upload.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { build, loadConfig } from '@parley/server';
import pino from 'pino';
import type { Api } from './load/api.js';
import { n0, n1, type Row } from './load/report.js';
import { sampleProc } from './load/server.js';
import { median, now, sleep } from './load/util.js';

export interface UploadOptions {
  sizeBytes: number;
  concurrency: number;
  images: number;
}

export interface UploadTarget {
  url: string;
  pid(): number | null;
}

const BLOCK = 1024 * 1024;
const MB = 1e6;

/** `1GB`, `256MB`, `64KiB`, `1048576`: binary units (a GB here is 2^30 bytes, as in "1 GB file"). */
export function parseSize(raw: string): number | null {
  const m = /^(\d+(?:\.\d+)?)\s*(b|k|kb|kib|m|mb|mib|g|gb|gib)?$/i.exec(raw.trim());
  if (!m) return null;
  const unit = (m[2] ?? 'b').toLowerCase()[0]!;
  const factor = { b: 1, k: 2 ** 10, m: 2 ** 20, g: 2 ** 30 }[unit] ?? 1;
  return Math.round(Number(m[1]) * factor);
}

/** The creation request; returns the upload URL. */
async function create(target: UploadTarget, token: string, size: number, name: string): Promise<string> {
  const res = await fetch(`${target.url}/api/v1/uploads`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'tus-resumable': '1.0.0', 'upload-length': String(size), 'upload-metadata': `filename ${Buffer.from(name).toString('base64')}` },
  });
  if (res.status !== 201) throw new Error(`upload creation failed: HTTP ${res.status} ${await res.text()}`);
  return res.headers.get('location')!;
}

/** One PATCH carrying `size` bytes of `block` repeated, written as the socket takes them. */
function patchStreaming(location: string, token: string, size: number, block: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = http.request(location, {
      method: 'PATCH',
      agent: false,
      headers: { authorization: `Bearer ${token}`, 'tus-resumable': '1.0.0', 'upload-offset': '0', 'content-type': 'application/offset+octet-stream', 'content-length': String(size) },
    });
    req.on('error', reject);
    req.on('response', (res) => {
      const body: Buffer[] = [];
      res.on('data', (c: Buffer) => body.push(c));
      res.on('end', () => (res.statusCode === 204 ? resolve() : reject(new Error(`PATCH answered ${res.statusCode}: ${Buffer.concat(body).toString().slice(0, 300)}`))));
    });
    let sent = 0;
    const pump = () => {
      while (sent < size) {
        const n = Math.min(block.length, size - sent);
        sent += n;
        if (!req.write(n === block.length ? block : block.subarray(0, n))) {
          req.once('drain', pump);
          return;
        }
      }
      req.end();
    };
    pump();
  });
}

/** Samples the server's RSS until stopped; returns the highest seen. */
function watchRss(pid: number): { stop(): Promise<number> } {
  let peakKb = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      const s = sampleProc(pid);
      if (s) peakKb = Math.max(peakKb, s.rssKb);
      await sleep(50);
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return peakKb;
    },
  };
}

/** A photo-like JPEG: a gradient under noise (so it does not compress to nothing), distinct per seed. */
async function photo(width: number, height: number, seed: number, rotated: boolean): Promise<Buffer> {
  const noise = await sharp({ create: { width, height, channels: 3, background: { r: (seed * 37) % 255, g: 90, b: 160 }, noise: { type: 'gaussian', mean: 120, sigma: 40 } } })
    .png()
    .toBuffer();
  const img = sharp(noise).jpeg({ quality: 85 });
  return (rotated ? img.withMetadata({ orientation: 6 }) : img).toBuffer();
}

async function timedUpload(target: UploadTarget, token: string, bytes: Buffer, name: string): Promise<number> {
  const location = await create(target, token, bytes.length, name);
  const t = now();
  const res = await fetch(location, {
    method: 'PATCH',
    headers: { authorization: `Bearer ${token}`, 'tus-resumable': '1.0.0', 'upload-offset': '0', 'content-type': 'application/offset+octet-stream' },
    body: bytes,
  });
  if (res.status !== 204) throw new Error(`PATCH answered ${res.status}: ${await res.text()}`);
  return now() - t;
}

/** `FilesService.complete` on each photo, one at a time, on a Parley built in this process. */
async function completionTimes(photos: { bytes: Buffer; rotated: boolean }[]): Promise<{ plain: number[]; rotated: number[] }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-bench-thumbs-'));
  const parley = await build(loadConfig({ DATA_DIR: dir }, { logLevel: 'silent' }), { logger: pino({ level: 'silent' }) });
  const files = parley.services.files;
  // Where the disk store (the default) keeps uploads in progress (files/storage.ts).
  const incomingDir = path.join(dir, 'files', 'incoming');
  const out = { plain: [] as number[], rotated: [] as number[] };
  try {
    fs.mkdirSync(incomingDir, { recursive: true });
    for (const [i, p] of [...photos, photos[0]!].entries()) {
      // As tus leaves a finished upload: its bytes under incoming/<id>. No row: the update is a no-op.
      const id = `bench${String(i).padStart(21, '0')}`;
      fs.writeFileSync(path.join(incomingDir, id), p.bytes);
      const t = now();
      await files.complete(id);
      // The first one warms sharp up; the extra last one stands in for it.
      if (i > 0) (p.rotated ? out.rotated : out.plain).push(now() - t);
    }
  } finally {
    await parley.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return out;
}

export async function scenarioUpload(o: UploadOptions, target: UploadTarget, api: Api, log: (msg: string) => void): Promise<{ rows: Row[]; json: Record<string, unknown> }> {
  const owner = await api.owner();
  const pid = target.pid();
  // Warm-up (not measured): the first upload loads tus's and sharp's code paths.
  await timedUpload(target, owner.token, crypto.randomBytes(64 * 1024), 'warm-up.bin');
  await sleep(500);
  const rest = pid ? sampleProc(pid) : null;

  log(`${o.concurrency} concurrent uploads of ${n0(o.sizeBytes / 2 ** 20)} MiB each (${n1((o.sizeBytes * o.concurrency) / 2 ** 30)} GiB in all)…`);
  const blocks = Array.from({ length: o.concurrency }, () => crypto.randomBytes(BLOCK));
  const watch = pid ? watchRss(pid) : null;
  const cpu0 = pid ? sampleProc(pid)?.cpuSec : undefined;
  const t0 = now();
  const each = await Promise.all(
    blocks.map(async (block, i) => {
      const location = await create(target, owner.token, o.sizeBytes, `big-${i}.bin`);
      const t = now();
      await patchStreaming(location, owner.token, o.sizeBytes, block);
      return now() - t;
    }),
  );
  const wallMs = now() - t0;
  const peakKb = watch ? await watch.stop() : 0;
  const cpu1 = pid ? sampleProc(pid)?.cpuSec : undefined;
  const total = o.sizeBytes * o.concurrency;
  const mbps = total / MB / (wallMs / 1000);
  const growthMb = rest && peakKb ? (peakKb - rest.rssKb) / 1024 : null;
  const serverCpuPct = cpu0 !== undefined && cpu1 !== undefined ? ((cpu1 - cpu0) / (wallMs / 1000)) * 100 : null;
  log(`done in ${n1(wallMs / 1000)} s: ${n0(mbps)} MB/s; server RSS ${rest ? n1(rest.rssKb / 1024) : '?'} MB at rest, ${n1(peakKb / 1024)} MB at most`);

  const perKind = Math.max(1, Math.floor(o.images / 2));
  log(`making ${perKind * 2} photos of 2048×1536 with sharp (${perKind} with an EXIF orientation)…`);
  const photos: { bytes: Buffer; rotated: boolean }[] = [];
  for (let i = 0; i < perKind * 2; i++) photos.push({ bytes: await photo(2048, 1536, i, i % 2 === 1), rotated: i % 2 === 1 });
  log('completing each on an in-process Parley, then uploading each to the spawned server…');
  const { plain, rotated } = await completionTimes(photos);
  const endToEnd: number[] = [];
  for (const [i, p] of photos.entries()) endToEnd.push(await timedUpload(target, owner.token, p.bytes, `photo-${i}.jpg`));
  const photoMb = median(photos.map((p) => p.bytes.length)) / MB;

  const rows: Row[] = [
    ['uploads × size', `${o.concurrency} × ${n0(o.sizeBytes / 2 ** 20)} MiB`],
    ['aggregate throughput (to the last 204)', `${n0(mbps)} MB/s`],
    ['wall time / slowest upload', `${n1(wallMs / 1000)} s / ${n1(Math.max(...each) / 1000)} s`],
    ['server CPU during the uploads', serverCpuPct === null ? '—' : `${n0(serverCpuPct)} % of one core`],
    ['server RSS at rest / peak', rest ? `${n1(rest.rssKb / 1024)} MB / ${n1(peakKb / 1024)} MB` : '—'],
    ['server RSS growth', growthMb === null ? '—' : `${n1(growthMb)} MB`],
    ['photos (2048×1536 JPEG, median size)', `${photos.length} (${n1(photoMb)} MB)`],
    ['completion ms per photo, median (plain / EXIF-rotated)', `${n0(median(plain))} / ${n0(median(rotated))}`],
    ['photo upload end to end (PATCH to 204) ms, median', n0(median(endToEnd))],
  ];
  return {
    rows,
    json: {
      uploads: o.concurrency,
      size_bytes: o.sizeBytes,
      wall_s: Math.round(wallMs) / 1000,
      throughput_mb_s: Math.round(mbps),
      upload_s: each.map((ms) => Math.round(ms) / 1000),
      server_cpu_pct: serverCpuPct === null ? null : Math.round(serverCpuPct),
      server_rss_rest_mb: rest ? Math.round(rest.rssKb / 102.4) / 10 : null,
      server_rss_peak_mb: Math.round(peakKb / 102.4) / 10,
      server_rss_growth_mb: growthMb === null ? null : Math.round(growthMb * 10) / 10,
      photos: photos.length,
      photo_median_mb: Math.round(photoMb * 100) / 100,
      completion_ms_plain: plain.map(Math.round),
      completion_ms_rotated: rotated.map(Math.round),
      photo_upload_ms: endToEnd.map(Math.round),
    },
  };
}
