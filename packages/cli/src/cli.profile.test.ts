/**
 * `parley profile` end to end against a real server in its own process: show, set name, status
 * with an expiry and time zone, upload an avatar with a crop and remove it; bad input is a usage
 * error before anything is sent, and the server's refusals come back as its messages.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { ownAvatarUser, type User } from '@parley/protocol';
import { api } from '@parley/server/testing';
import { freshDir, newUser, parley, server, useCliServer } from './testing/e2e-harness.js';

useCliServer();

describe('parley profile', { timeout: 90_000 }, () => {
  it('sets name, status with an expiry and time zone, and shows them; other users see them', async () => {
    const [ada, bob] = await Promise.all([newUser('ada'), newUser('bob')]);
    const before = Date.now();
    const set = await parley(['profile', 'set', '--name', 'Ada Lovelace', '--status', 'In a meeting', '--status-emoji', '📅', '--status-expires', '1h', '--tz', 'Europe/Paris', '--json'], {
      configDir: ada.dir,
    });
    expect(set.code, set.stderr).toBe(0);
    const me = JSON.parse(set.stdout) as User;
    expect(me).toMatchObject({ display_name: 'Ada Lovelace', status_text: 'In a meeting', status_emoji: '📅', time_zone: 'Europe/Paris' });
    expect(Date.parse(me.status_expires_at!)).toBeGreaterThanOrEqual(before + 3_600_000 - 1_000);

    const seen = await api<User>(server, 'GET', `/users/${ada.user.id}`, undefined, bob.token);
    expect(seen.body).toMatchObject({ display_name: 'Ada Lovelace', status_text: 'In a meeting', time_zone: 'Europe/Paris' });

    const shown = await parley(['profile'], { configDir: ada.dir });
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(
      new RegExp(
        `^Ada Lovelace \\(@${ada.user.username}, member\\)\\nstatus: 📅 In a meeting \\(until \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\)\\ntime zone: Europe/Paris \\(\\d\\d:\\d\\d local time\\)\\navatar: none\\n$`,
      ),
    );

    const cleared = await parley(['profile', 'set', '--clear-status', '--tz', 'none', '--json'], { configDir: ada.dir });
    expect(JSON.parse(cleared.stdout)).toMatchObject({ status_text: null, status_emoji: null, status_expires_at: null, time_zone: null, display_name: 'Ada Lovelace' });
  });

  it('refuses a bad zone (the server says why), a past expiry and an empty set', async () => {
    const carol = await newUser('carol');
    const zone = await parley(['profile', 'set', '--tz', 'Mars/Base'], { configDir: carol.dir });
    expect(zone.code).not.toBe(0);
    expect(zone.stderr).toMatch(/Mars\/Base is not a time zone/);
    const past = await parley(['profile', 'set', '--status', 'x', '--status-expires', '2001-01-01T00:00:00Z'], { configDir: carol.dir });
    expect([past.code, past.stderr]).toEqual([2, expect.stringMatching(/that time has passed/)]);
    const nothing = await parley(['profile', 'set'], { configDir: carol.dir });
    expect([nothing.code, nothing.stderr]).toEqual([2, expect.stringMatching(/Nothing to change/)]);
  });

  it('uploads an avatar with a crop (stored 256×256), and removes it', async () => {
    const dave = await newUser('dave');
    const dir = freshDir('pictures');
    const file = path.join(dir, 'me.jpg');
    fs.writeFileSync(
      file,
      await sharp({ create: { width: 300, height: 200, channels: 3, background: '#3a6' } })
        .jpeg()
        .toBuffer(),
    );
    const up = await parley(['profile', 'avatar', file, '--crop', '50,0,200'], { configDir: dave.dir });
    expect([up.code, up.stdout], up.stderr).toEqual([0, 'Avatar uploaded\n']);
    const me = (await api<User>(server, 'GET', '/me', undefined, dave.token)).body;
    expect(ownAvatarUser(me.avatar_url)).toBe(dave.user.id);
    const res = await fetch(`${server.url}${me.avatar_url}`, { headers: { authorization: `Bearer ${dave.token}` } });
    expect(await sharp(Buffer.from(await res.arrayBuffer())).metadata()).toMatchObject({ format: 'webp', width: 256, height: 256 });
    expect((await parley(['profile'], { configDir: dave.dir })).stdout).toMatch(/\navatar: uploaded\n$/);

    const outside = await parley(['profile', 'avatar', file, '--crop', '200,0,200'], { configDir: dave.dir });
    expect(outside.code).not.toBe(0);
    expect(outside.stderr).toMatch(/does not fit/);
    const text = path.join(dir, 'notes.txt');
    fs.writeFileSync(text, 'not a picture');
    expect(await parley(['profile', 'avatar', text], { configDir: dave.dir })).toMatchObject({ code: 2, stderr: expect.stringMatching(/is not a PNG, JPEG, WebP or GIF/) });

    const removed = await parley(['profile', 'avatar', '--remove'], { configDir: dave.dir });
    expect([removed.code, removed.stdout]).toEqual([0, 'Avatar removed\n']);
    expect((await api<User>(server, 'GET', '/me', undefined, dave.token)).body.avatar_url).toBeNull();
  });
});
