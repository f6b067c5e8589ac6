import fs from 'node:fs/promises';
import { ownAvatarUser, type UpdateProfileBody, type User } from '@parley/protocol';
import { futureTimeOption } from '../durations.js';
import { CliError, Exit } from '../errors.js';
import { printJson, time } from '../output.js';
import { clientFromConfig } from '../session.js';

/** What a profile reads as, one line each. */
export function profileText(u: User, now: Date = new Date()): string {
  const lines = [`${u.display_name} (@${u.username}, ${u.role})`];
  const status = [u.status_emoji, u.status_text].filter(Boolean).join(' ');
  lines.push(`status: ${status || 'none'}${status && u.status_expires_at ? ` (until ${time(u.status_expires_at)})` : ''}`);
  if (u.time_zone) {
    const local = new Intl.DateTimeFormat('en-GB', { timeZone: u.time_zone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(now);
    lines.push(`time zone: ${u.time_zone} (${local} local time)`);
  } else lines.push('time zone: not set');
  lines.push(`avatar: ${ownAvatarUser(u.avatar_url) ? 'uploaded' : (u.avatar_url ?? 'none')}`);
  return `${lines.join('\n')}\n`;
}

/** `parley profile`: my profile. */
export async function showProfile(opts: { json?: boolean }): Promise<void> {
  const me = await clientFromConfig().me();
  if (opts.json) return printJson(me);
  process.stdout.write(profileText(me));
}

interface SetOptions {
  name?: string;
  status?: string;
  statusEmoji?: string;
  statusExpires?: string;
  clearStatus?: boolean;
  tz?: string;
  json?: boolean;
}

/** `--status-expires`: a duration from now (30m, 4h), `today` (local midnight), a time, or `never`. */
export function statusExpiry(text: string, now: Date = new Date()): string | null {
  const t = text.trim().toLowerCase();
  if (t === 'never' || t === 'none') return null;
  if (t === 'today') {
    const end = new Date(now);
    end.setHours(24, 0, 0, 0);
    return end.toISOString();
  }
  return futureTimeOption(text, '--status-expires', now.getTime());
}

/**
 * `parley profile set --name … --status … --status-emoji … --status-expires 1h --tz Europe/Paris`:
 * changes only what is given. A status set without --status-expires stays until changed.
 */
export async function setProfile(opts: SetOptions): Promise<void> {
  const patch: UpdateProfileBody = {};
  if (opts.name !== undefined) patch.display_name = opts.name;
  if (opts.clearStatus) {
    if (opts.status !== undefined || opts.statusEmoji !== undefined) throw new CliError('--clear-status goes alone, without --status or --status-emoji.', Exit.usage);
    Object.assign(patch, { status_text: null, status_emoji: null, status_expires_at: null });
  }
  if (opts.status !== undefined) patch.status_text = opts.status.trim() === '' ? null : opts.status;
  if (opts.statusEmoji !== undefined) patch.status_emoji = opts.statusEmoji.trim() === '' ? null : opts.statusEmoji.trim();
  if (opts.statusExpires !== undefined) {
    if (opts.status === undefined && opts.statusEmoji === undefined) throw new CliError('--status-expires goes with --status or --status-emoji (the status it ends).', Exit.usage);
    patch.status_expires_at = statusExpiry(opts.statusExpires);
  }
  if (opts.tz !== undefined) patch.time_zone = opts.tz.trim() === '' || opts.tz === 'none' ? null : opts.tz.trim();
  if (Object.keys(patch).length === 0) throw new CliError('Nothing to change: give --name, --status, --status-emoji, --clear-status or --tz.', Exit.usage);
  const me = await clientFromConfig().updateProfile(patch);
  if (opts.json) return printJson(me);
  process.stdout.write(profileText(me));
}

/** The picture's type from its first bytes (the server checks again); null when it is none of the four. */
export function imageType(bytes: Uint8Array): string | null {
  const b = Buffer.from(bytes.subarray(0, 12));
  if (b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  if (b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'image/jpeg';
  if (b.subarray(0, 4).toString('latin1') === 'GIF8') return 'image/gif';
  if (b.subarray(0, 4).toString('latin1') === 'RIFF' && b.subarray(8, 12).toString('latin1') === 'WEBP') return 'image/webp';
  return null;
}

/** `--crop x,y,size`: the square to keep, in the picture's pixels. */
export function cropOption(text: string): { x: number; y: number; size: number } {
  const m = /^\s*(\d+)\s*,\s*(\d+)\s*,\s*(\d+)\s*$/.exec(text);
  if (!m || Number(m[3]) === 0) throw new CliError(`--crop ${text}: give x,y,size in pixels of the picture (e.g. 120,40,400).`, Exit.usage);
  return { x: Number(m[1]), y: Number(m[2]), size: Number(m[3]) };
}

/** `parley profile avatar FILE [--crop x,y,size]` uploads my avatar; `--remove` takes it away. */
export async function setAvatar(file: string | undefined, opts: { crop?: string; remove?: boolean; json?: boolean }): Promise<void> {
  const client = clientFromConfig();
  let me: User;
  if (opts.remove) {
    if (file !== undefined || opts.crop !== undefined) throw new CliError('--remove takes no file and no --crop.', Exit.usage);
    me = await client.removeAvatar();
  } else {
    if (file === undefined) throw new CliError('Give the picture to upload (PNG, JPEG, WebP or GIF), or --remove.', Exit.usage);
    const crop = opts.crop === undefined ? undefined : cropOption(opts.crop);
    let bytes: Buffer;
    try {
      bytes = await fs.readFile(file);
    } catch (e) {
      throw new CliError(`${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`, Exit.usage);
    }
    const type = imageType(bytes);
    if (!type) throw new CliError(`${file} is not a PNG, JPEG, WebP or GIF picture.`, Exit.usage);
    me = await client.setAvatar(new Uint8Array(bytes), type, crop);
  }
  if (opts.json) return printJson(me);
  process.stdout.write(opts.remove ? 'Avatar removed\n' : 'Avatar uploaded\n');
}
