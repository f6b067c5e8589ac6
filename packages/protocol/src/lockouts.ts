import { Type, type Static } from '@sinclair/typebox';
import { Nullable, Timestamp } from './entities.js';

/**
 * A sign-in lockout key as workspace admins see it (`GET /admin/lockouts`): an account
 * (`account:<username>`, whether or not such an account exists) or a client address (`ip:<address>`).
 */
export const Lockout = Type.Object({
  key: Type.String({ description: '`account:<username>` or `ip:<address>`; `DELETE /admin/lockouts/{key}` lifts it' }),
  kind: Type.Union([Type.Literal('account'), Type.Literal('ip')]),
  subject: Type.String({ description: 'the username, or the address (IPv6: its /64 block)' }),
  failures: Type.Integer({ minimum: 0, description: 'failed attempts in the current window' }),
  level: Type.Integer({ minimum: 0, description: 'lockouts so far; each lasts twice as long as the one before' }),
  locked_until: Nullable(Timestamp),
  last_failure_at: Nullable(Timestamp),
});
export type Lockout = Static<typeof Lockout>;

export const LockoutList = Type.Object({ lockouts: Type.Array(Lockout) });
export type LockoutList = Static<typeof LockoutList>;

/** `DELETE /admin/lockouts/{key}`: keys hold usernames and IPv6 addresses, so they travel URL-encoded. */
export const LockoutParams = Type.Object({ key: Type.String({ minLength: 4, maxLength: 300 }) });
export type LockoutParams = Static<typeof LockoutParams>;
