/**
 * `parley invite create|list|revoke` and `parley login --register --invite`, end to end against
 * an invite-only server in its own process.
 */
import { describe, expect, it } from 'vitest';
import type { Invite, InviteSummary } from '@parley/protocol';
import { api, type TestUser } from '@parley/server/testing';
import { configFor, freshDir, jsonLines, owner, parley, server, url, useCliServer } from './testing/e2e-harness.js';

useCliServer({ env: { PARLEY_REGISTRATION: 'invite' } });

describe('parley invite', { timeout: 90_000 }, () => {
  it('an admin creates a link for two people; each signs up with `login --register --invite`, a third is refused; list shows who used it', async () => {
    const ownerDir = configFor(owner);
    const made = await parley(['invite', 'create', '--expires', '24h', '--uses', '2', '--json'], { configDir: ownerDir });
    expect(made.code).toBe(0);
    const inv = JSON.parse(made.stdout) as Invite & { link: string };
    expect(inv).toMatchObject({ max_uses: 2, link: `${url}/invite/${inv.code}` });
    expect(Date.parse(inv.expires_at) - Date.now()).toBeGreaterThan(23 * 3_600_000);

    const signUp = (name: string, invite: string) =>
      parley(['login', '--server', url, '--username', name, '--password-stdin', '--register', '--invite', invite], { configDir: freshDir(name), input: 'correct horse battery\n' });
    expect((await signUp('cli.one', inv.code)).code).toBe(0);
    // The whole link works as well as the code.
    expect((await signUp('cli.two', inv.link)).code).toBe(0);
    const third = await signUp('cli.three', inv.code);
    expect(third.code).not.toBe(0);
    expect(third.stderr).toMatch(/invite code is invalid, used or expired/i);

    const listed = await parley(['invite', 'list', '--json'], { configDir: ownerDir });
    expect(listed.code).toBe(0);
    const row = jsonLines<InviteSummary>(listed.stdout).find((i) => i.id === inv.id);
    expect(row).toMatchObject({ state: 'used', uses: 2, used_by: [{ username: 'cli.one' }, { username: 'cli.two' }] });
    const table = await parley(['invite', 'list'], { configDir: ownerDir });
    expect(table.stdout).toContain(inv.id);
    expect(table.stdout).toContain('used by cli.one, cli.two');
  });

  it('revoke by id stops the code; members cannot create, list or revoke', async () => {
    const ownerDir = configFor(owner);
    const inv = JSON.parse((await parley(['invite', 'create', '--json'], { configDir: ownerDir })).stdout) as Invite;
    const revoked = await parley(['invite', 'revoke', inv.id!], { configDir: ownerDir });
    expect([revoked.code, revoked.stderr]).toEqual([0, 'Revoked: nobody else can sign up with it.\n']);
    const late = await parley(['login', '--server', url, '--username', 'cli.late', '--password-stdin', '--register', '--invite', inv.code], {
      configDir: freshDir('cli.late'),
      input: 'correct horse battery\n',
    });
    expect(late.code).not.toBe(0);

    const code = (await api<Invite>(server, 'POST', '/invites', {}, owner.token)).body.code;
    const res = await api<{ user: TestUser['user']; access_token: string; refresh_token: string; session_id: string }>(server, 'POST', '/auth/register', {
      username: 'cli.member',
      password: 'correct horse battery',
      invite_code: code,
    });
    const memberDir = configFor({ user: res.body.user, token: res.body.access_token, refresh: res.body.refresh_token, sessionId: res.body.session_id });
    for (const args of [
      ['invite', 'create'],
      ['invite', 'list'],
      ['invite', 'revoke', inv.id!],
    ]) {
      const r = await parley(args, { configDir: memberDir });
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(/admins/i);
    }
    const bad = await parley(['invite', 'create', '--uses', 'lots'], { configDir: ownerDir });
    expect(bad.code).toBe(2);
  });
});
