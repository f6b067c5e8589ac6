import { Type, type Static } from '@sinclair/typebox';

/**
 * `GET /admin/audit`'s filters. They arrive as text and are read by the server (a username or an
 * id, a time or milliseconds), so each is a string here and a bad value is a typed 400 naming it.
 */
export const AuditQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, description: 'entries per page (default 100)' })),
  before: Type.Optional(Type.String({ pattern: '^[0-9A-HJKMNP-TV-Z]{26}$', description: 'the next page: entries older than this entry id (the last one of the page before)' })),
  actor: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'who acted: a user id or a username (`@` optional)' })),
  action: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'an action (`auth.login`), or every action under a prefix: `auth.`, `auth.*` or `auth*`' })),
  since: Type.Optional(Type.String({ minLength: 1, maxLength: 40, description: 'entries at or after this time: ISO 8601 (no offset means UTC) or milliseconds since 1970' })),
  until: Type.Optional(Type.String({ minLength: 1, maxLength: 40, description: 'entries before this time: ISO 8601 (no offset means UTC) or milliseconds since 1970' })),
});
export type AuditQuery = Static<typeof AuditQuery>;

/**
 * The filters as a client gives them: times may be `Date`s or milliseconds as well as text.
 * The SDK turns them into an `AuditQuery`.
 */
export interface AuditFilters {
  actor?: string;
  action?: string;
  since?: string | number | Date;
  until?: string | number | Date;
  limit?: number;
  before?: string;
}
