import crypto from 'node:crypto';
import { generateSecret, generateURI, verify } from 'otplib';
import type { RecoveryCodes, TwoFactorSetup, TwoFactorStatus } from '@parley/protocol';
import type { Actor, Deps } from '../core/context.js';
import { AppError } from '../core/errors.js';
import { isoOrNull } from '../core/time.js';
import type { WorkspaceSettingsService } from '../workspace/settings.js';
import type { AuditService } from '../audit/service.js';
import type { Db } from '../store/db.js';
import { hashSecret } from './tokens.js';

/** One code's period (RFC 6238's default, what every authenticator app uses). */
const PERIOD_SEC = 30;
/** A code of the previous or next period is accepted too: phones' clocks drift. */
const TOLERANCE_SEC = 30;
/** The second step of a sign-in must come this soon after the password, in this many tries. */
const CHALLENGE_TTL_MS = 5 * 60_000;
const CHALLENGE_ATTEMPTS = 5;
const RECOVERY_CODE_COUNT = 10;
/** Letters and digits that cannot be misread for one another (no 0/o, 1/l/i). */
const RECOVERY_ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';

/** A code or a recovery code, as a person types it. */
export interface SecondFactor {
  code?: string | undefined;
  recovery_code?: string | undefined;
}

const normaliseRecovery = (code: string) => code.toLowerCase().replace(/[^a-z0-9]/g, '');

function recoveryCode(): string {
  const bytes = crypto.randomBytes(12);
  const chars = [...bytes].map((b) => RECOVERY_ALPHABET[b % RECOVERY_ALPHABET.length]!).join('');
  return `${chars.slice(0, 4)}-${chars.slice(4, 8)}-${chars.slice(8, 12)}`;
}

/** Ten new recovery codes in place of any earlier ones; only their hashes are kept. */
async function newRecoveryCodes(trx: Db, userId: string): Promise<RecoveryCodes> {
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, recoveryCode);
  await trx.deleteFrom('recovery_codes').where('user_id', '=', userId).execute();
  await trx
    .insertInto('recovery_codes')
    .values(codes.map((c) => ({ user_id: userId, code_hash: hashSecret(normaliseRecovery(c)), used_at: null })))
    .execute();
  return { recovery_codes: codes };
}

/**
 * Two-factor sign-in with an authenticator app (TOTP, RFC 6238, through otplib). Enrolment is two
 * steps: a new secret (shown as a QR code and an otpauth:// URI) waits as pending until a code
 * from it proves the app has it; only then is it enabled, with ten recovery codes shown once and
 * kept as hashes. A code is accepted once: the time step of the last accepted code is kept and a
 * code of that step or earlier is refused, so a code seen over someone's shoulder is worthless.
 */
export class TwoFactorService {
  constructor(
    private readonly deps: Deps,
    private readonly audit: AuditService,
    private readonly workspace: WorkspaceSettingsService,
  ) {}

  async enabled(userId: string): Promise<boolean> {
    const row = await this.deps.db.selectFrom('two_factor').select('enabled_at').where('user_id', '=', userId).executeTakeFirst();
    return row?.enabled_at != null;
  }

  async status(actor: Actor): Promise<TwoFactorStatus> {
    const { db } = this.deps;
    const row = await db.selectFrom('two_factor').select('enabled_at').where('user_id', '=', actor.userId).executeTakeFirst();
    const left = await db
      .selectFrom('recovery_codes')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where('user_id', '=', actor.userId)
      .where('used_at', 'is', null)
      .executeTakeFirst();
    const enabledAt = row?.enabled_at == null ? null : Number(row.enabled_at);
    return { enabled: enabledAt !== null, enabled_at: isoOrNull(enabledAt), recovery_codes_left: enabledAt === null ? 0 : Number(left?.n ?? 0) };
  }

  /** A new secret for the user's app; replaces an earlier unconfirmed one. Two-factor already on must be turned off first. */
  async setup(actor: Actor): Promise<TwoFactorSetup> {
    const { db } = this.deps;
    if (await this.enabled(actor.userId)) throw new AppError('conflict', 'Two-factor sign-in is already on; turn it off first to move it to another app.');
    const user = await db.selectFrom('users').select(['username', 'bot_owner_id']).where('id', '=', actor.userId).executeTakeFirstOrThrow();
    if (user.bot_owner_id !== null || actor.via === 'token') throw new AppError('forbidden', 'Two-factor sign-in is for people signing in with a password; bots and API tokens do not sign in.');
    const secret = generateSecret();
    await db
      .insertInto('two_factor')
      .values({ user_id: actor.userId, secret: null, pending_secret: secret, enabled_at: null, last_step: null })
      .onConflict((oc) => oc.column('user_id').doUpdateSet({ pending_secret: secret }))
      .execute();
    return { secret, otpauth_uri: generateURI({ issuer: 'Parley', label: user.username, secret }) };
  }

  /** The first code from the app turns it on; answers the recovery codes, shown this once. */
  async enable(actor: Actor, code: string): Promise<RecoveryCodes> {
    const { db, now } = this.deps;
    const row = await db.selectFrom('two_factor').selectAll().where('user_id', '=', actor.userId).executeTakeFirst();
    if (!row?.pending_secret) throw new AppError('conflict', 'Start with POST /me/2fa/setup: there is no new secret to confirm.');
    const step = await this.validStep(row.pending_secret, code, null);
    if (step === null) throw new AppError('invalid_credentials', 'That code does not match: check the app and the phone’s clock, and try the newest code.');
    const t = now();
    return db.transaction().execute(async (trx) => {
      await trx.updateTable('two_factor').set({ secret: row.pending_secret, pending_secret: null, enabled_at: t, last_step: step }).where('user_id', '=', actor.userId).execute();
      await this.audit.record({ actor_id: actor.userId, action: '2fa.enabled', target: actor.userId, ip: actor.ip ?? null }, trx);
      // Sessions the workspace's requirement held may do everything again.
      await trx.updateTable('sessions').set({ enrol_2fa: 0 }).where('user_id', '=', actor.userId).where('enrol_2fa', '=', 1).execute();
      return newRecoveryCodes(trx, actor.userId);
    });
  }

  /** Off again: needs a current code or a recovery code, so a borrowed session cannot remove it. */
  async disable(actor: Actor, proof: SecondFactor): Promise<void> {
    if ((await this.workspace.get()).require_2fa) throw new AppError('forbidden', 'This workspace requires two-factor sign-in; it cannot be turned off.');
    await this.requireProof(actor.userId, proof);
    await this.deps.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('recovery_codes').where('user_id', '=', actor.userId).execute();
      await trx.deleteFrom('two_factor').where('user_id', '=', actor.userId).execute();
      await this.audit.record({ actor_id: actor.userId, action: '2fa.disabled', target: actor.userId, ip: actor.ip ?? null }, trx);
    });
  }

  /** Ten new recovery codes; the old ones stop working. */
  async regenerate(actor: Actor, proof: SecondFactor): Promise<RecoveryCodes> {
    await this.requireProof(actor.userId, proof);
    return this.deps.db.transaction().execute(async (trx) => {
      await this.audit.record({ actor_id: actor.userId, action: '2fa.recovery_codes_renewed', target: actor.userId, ip: actor.ip ?? null }, trx);
      return newRecoveryCodes(trx, actor.userId);
    });
  }

  /** A workspace admin turns someone's two-factor off (a lost phone and lost codes); audited. */
  async reset(actor: Actor, userId: string): Promise<void> {
    if (actor.role !== 'owner' && actor.role !== 'admin') throw new AppError('forbidden', 'Only workspace owners and admins can reset two-factor sign-in.');
    const { db } = this.deps;
    const target = await db.selectFrom('users').select(['id', 'role']).where('id', '=', userId).executeTakeFirst();
    if (!target) throw new AppError('not_found', 'No such user.');
    if (target.role === 'owner' && actor.role !== 'owner') throw new AppError('forbidden', 'Only an owner can reset an owner’s two-factor sign-in.');
    await db.transaction().execute(async (trx) => {
      await trx.deleteFrom('recovery_codes').where('user_id', '=', userId).execute();
      await trx.deleteFrom('two_factor').where('user_id', '=', userId).execute();
      await this.audit.record({ actor_id: actor.userId, action: '2fa.reset', target: userId, ip: actor.ip ?? null }, trx);
    });
  }

  /** Whether the proof is good for the user, consuming it: a code's time step, or a recovery code, is spent. */
  async check(userId: string, proof: SecondFactor): Promise<boolean> {
    const { db, now } = this.deps;
    if (proof.recovery_code) {
      const used = await db
        .updateTable('recovery_codes')
        .set({ used_at: now() })
        .where('user_id', '=', userId)
        .where('code_hash', '=', hashSecret(normaliseRecovery(proof.recovery_code)))
        .where('used_at', 'is', null)
        .executeTakeFirst();
      return Number(used.numUpdatedRows) === 1;
    }
    if (!proof.code) return false;
    const row = await db.selectFrom('two_factor').selectAll().where('user_id', '=', userId).executeTakeFirst();
    if (!row?.secret || row.enabled_at == null) return false;
    const last = row.last_step === null ? null : Number(row.last_step);
    const step = await this.validStep(row.secret, proof.code, last);
    if (step === null) return false;
    // Two sign-ins racing with the same code: only one moves the step forward.
    const moved = await db
      .updateTable('two_factor')
      .set({ last_step: step })
      .where('user_id', '=', userId)
      .where((eb) => eb.or([eb('last_step', 'is', null), eb('last_step', '<', step)]))
      .executeTakeFirst();
    return Number(moved.numUpdatedRows) === 1;
  }

  /** A challenge for the second step of a sign-in whose password was right. */
  async challenge(userId: string, deviceName: string | undefined): Promise<string> {
    const { db, now } = this.deps;
    const token = crypto.randomBytes(32).toString('base64url');
    const t = now();
    await db.deleteFrom('mfa_challenges').where('expires_at', '<', t).execute();
    await db
      .insertInto('mfa_challenges')
      .values({ id_hash: hashSecret(token), user_id: userId, device_name: deviceName ?? null, attempts: 0, created_at: t, expires_at: t + CHALLENGE_TTL_MS })
      .execute();
    return token;
  }

  /**
   * The second step: the challenge's user if the proof is good (the challenge is then spent), or
   * a refusal. A challenge takes a few tries and lives a few minutes; then the password again.
   */
  async redeem(token: string, proof: SecondFactor): Promise<{ userId: string; deviceName: string | undefined }> {
    const { db, now } = this.deps;
    const idHash = hashSecret(token);
    const row = await db.selectFrom('mfa_challenges').selectAll().where('id_hash', '=', idHash).executeTakeFirst();
    const gone = () => new AppError('invalid_token', 'This sign-in has expired or was used; enter your password again.');
    if (!row || Number(row.expires_at) < now() || row.attempts >= CHALLENGE_ATTEMPTS) {
      if (row) await db.deleteFrom('mfa_challenges').where('id_hash', '=', idHash).execute();
      throw gone();
    }
    if (!(await this.check(row.user_id, proof))) {
      await db
        .updateTable('mfa_challenges')
        .set((eb) => ({ attempts: eb('attempts', '+', 1) }))
        .where('id_hash', '=', idHash)
        .execute();
      throw new AppError('invalid_credentials', 'That code is wrong or was already used.');
    }
    const spent = await db.deleteFrom('mfa_challenges').where('id_hash', '=', idHash).executeTakeFirst();
    if (Number(spent.numDeletedRows) !== 1) throw gone();
    return { userId: row.user_id, deviceName: row.device_name ?? undefined };
  }

  private async requireProof(userId: string, proof: SecondFactor): Promise<void> {
    if (!(await this.enabled(userId))) throw new AppError('conflict', 'Two-factor sign-in is not on.');
    if (!(await this.check(userId, proof))) throw new AppError('invalid_credentials', 'That code is wrong or was already used.');
  }

  /** The time step a code belongs to (this one or a neighbour), after `after` if given; null when it fits none. */
  private async validStep(secret: string, code: string, after: number | null): Promise<number | null> {
    const token = code.replace(/\s+/g, '');
    if (!/^\d{6}$/.test(token)) return null;
    const result = await verify({
      secret,
      token,
      epoch: Math.floor(this.deps.now() / 1000),
      period: PERIOD_SEC,
      epochTolerance: TOLERANCE_SEC,
      ...(after !== null ? { afterTimeStep: after } : {}),
    });
    if (!result.valid) return null;
    // TOTP's answer carries the step (the functional API's type is HOTP's and TOTP's union).
    return 'timeStep' in result && typeof result.timeStep === 'number' ? result.timeStep : null;
  }
}
