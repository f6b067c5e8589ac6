/**
 * The one error catalogue. Every error Parley returns, over REST or the socket, has a stable
 * snake_case code from this table; clients branch on the code, never on the message.
 */
export const ERRORS = {
  invalid_request: { status: 400, message: 'The request is not valid.' },
  invalid_query: { status: 400, message: 'The search query is not valid.' },
  invalid_json: { status: 400, message: 'The body is not valid JSON.' },
  invalid_utf8: { status: 400, message: 'The payload is not valid UTF-8.' },
  unsupported_media_type: { status: 415, message: 'Send JSON with Content-Type: application/json.' },
  payload_too_large: { status: 413, message: 'The payload is larger than the limit.' },
  quota_exceeded: { status: 413, message: 'This upload would take you over your storage quota.' },
  headers_too_large: { status: 431, message: 'The request line or headers are larger than the limit.' },
  request_timeout: { status: 408, message: 'The request did not arrive in time.' },
  unauthenticated: { status: 401, message: 'Authentication is required.' },
  invalid_token: { status: 401, message: 'The token is invalid or expired.' },
  invalid_credentials: { status: 401, message: 'Wrong username or password.' },
  mfa_required: { status: 401, message: 'Enter the code from your authenticator app (or a recovery code).' },
  session_revoked: { status: 401, message: 'This session has been revoked.' },
  forbidden: { status: 403, message: 'You are not allowed to do that.' },
  secret_detected: { status: 400, message: 'The message holds a credential; this workspace does not store them.' },
  password_login_disabled: { status: 403, message: 'Sign in with single sign-on.' },
  mfa_enrolment_required: { status: 403, message: 'This workspace requires two-factor sign-in: turn it on to continue.' },
  not_member: { status: 403, message: 'Join the conversation first.' },
  registration_closed: { status: 403, message: 'Registration needs a valid invite code.' },
  conversation_archived: { status: 403, message: 'The conversation is archived.' },
  edit_window_closed: { status: 403, message: 'The edit window for this message has closed.' },
  recall_window_closed: { status: 403, message: 'The recall window for this message has closed.' },
  not_found: { status: 404, message: 'Not found.' },
  burned: { status: 410, message: 'This message burned after reading; its content is gone.' },
  method_not_allowed: { status: 405, message: 'This path does not answer that method.' },
  username_taken: { status: 409, message: 'That username is taken.' },
  idempotency_conflict: { status: 409, message: 'That client_msg_id was already used for another message.' },
  conflict: { status: 409, message: 'The request conflicts with the current state.' },
  rate_limited: { status: 429, message: 'Too many requests; retry later.' },
  too_many_connections: { status: 429, message: 'This account has too many open connections.' },
  unknown_frame: { status: 400, message: 'Unknown frame type.' },
  invalid_frame: { status: 400, message: 'The frame is malformed.' },
  already_authenticated: { status: 400, message: 'This socket is already authenticated.' },
  internal: { status: 500, message: 'Internal server error.' },
  command_failed: { status: 502, message: 'The slash command’s endpoint did not answer as expected.' },
  unavailable: { status: 503, message: 'The service is temporarily unavailable; retry.' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof ERRORS;

export const ERROR_CODES = Object.keys(ERRORS) as ErrorCode[];

/** The error body on the wire: `{ "error": { "code", "message" } }` over REST, inside an error frame on the socket. */
export interface ErrorBody {
  code: ErrorCode;
  message: string;
  /** Present with `rate_limited`: how long to wait before retrying. */
  retry_after_ms?: number;
  /** Present with `invalid_request`: which field was wrong, as a JSON pointer. */
  field?: string;
  /** Present with `mfa_required`: the sign-in's second step answers it at `POST /auth/login/2fa`. */
  challenge?: string;
  /** Present with `secret_detected`: each credential's kind and where it is in the text sent. */
  secrets?: SecretFinding[];
}

/** A credential found in a text: its kind (`aws`, `github`, `privatekey`, `password`…) and its UTF-16 offsets, end exclusive. */
export interface SecretFinding {
  kind: string;
  start: number;
  end: number;
}

export function statusOf(code: ErrorCode): number {
  return ERRORS[code].status;
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(ERRORS, value);
}
