import type { RecoveryCodes, TwoFactorSetup, TwoFactorStatus, User } from '@parley/protocol';
import { printJson } from '../output.js';
import { clientFromConfig } from '../session.js';
import { findUser } from './admin.js';

const proof = (code: string) => (/^[0-9 ]{6,8}$/.test(code) ? { code } : { recovery_code: code });

function printCodes(res: RecoveryCodes, json: boolean | undefined): void {
  if (json) return printJson(res);
  process.stderr.write('Recovery codes, each usable once instead of a code (shown only now; keep them somewhere safe):\n');
  process.stdout.write(`${res.recovery_codes.join('\n')}\n`);
}

/** `parley 2fa status` */
export async function twoFactorStatus(opts: { json?: boolean }): Promise<void> {
  const s = await clientFromConfig().rest.request<TwoFactorStatus>('GET', '/me/2fa');
  if (opts.json) printJson(s);
  else process.stdout.write(s.enabled ? `Two-factor sign-in is on (since ${s.enabled_at}); ${s.recovery_codes_left} recovery codes left.\n` : 'Two-factor sign-in is off.\n');
}

/** `parley 2fa setup`: a new secret for the authenticator app; `parley 2fa enable CODE` confirms it. */
export async function twoFactorSetup(opts: { json?: boolean }): Promise<void> {
  const s = await clientFromConfig().rest.request<TwoFactorSetup>('POST', '/me/2fa/setup');
  if (opts.json) return printJson(s);
  process.stderr.write('Add this to your authenticator app (as a link, or type the secret), then run: parley 2fa enable CODE\n');
  process.stdout.write(`${s.otpauth_uri}\n${s.secret}\n`);
}

export async function twoFactorEnable(code: string, opts: { json?: boolean }): Promise<void> {
  const res = await clientFromConfig().rest.request<RecoveryCodes>('POST', '/me/2fa/enable', { code });
  process.stderr.write('Two-factor sign-in is on: signing in now asks for a code.\n');
  printCodes(res, opts.json);
}

export async function twoFactorDisable(code: string): Promise<void> {
  await clientFromConfig().rest.request('POST', '/me/2fa/disable', proof(code));
  process.stderr.write('Two-factor sign-in is off.\n');
}

export async function twoFactorRecoveryCodes(code: string, opts: { json?: boolean }): Promise<void> {
  printCodes(await clientFromConfig().rest.request<RecoveryCodes>('POST', '/me/2fa/recovery-codes', proof(code)), opts.json);
}

/** `parley admin users reset-2fa NAME`: a lost phone; audited. */
export async function resetTwoFactor(username: string): Promise<void> {
  const u: User = await findUser(username);
  await clientFromConfig().rest.request('DELETE', `/admin/users/${u.id}/2fa`);
  process.stderr.write(`Two-factor sign-in of ${u.username} is off; they sign in with their password and may set it up again.\n`);
}
