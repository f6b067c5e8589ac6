import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { SignJWT, jwtVerify, errors as joseErrors } from 'jose';
import { AppError } from '../core/errors.js';

export interface AccessClaims {
  sub: string;
  sid: string;
}

/** Loads the signing secret from config, or from `<dataDir>/jwt.secret`, creating it (mode 0600) on first start. */
export function loadJwtSecret(configured: string | null, dataDir: string): Uint8Array {
  if (configured) return new TextEncoder().encode(configured);
  const file = path.join(dataDir, 'jwt.secret');
  fs.mkdirSync(dataDir, { recursive: true });
  if (!fs.existsSync(file)) {
    fs.writeFileSync(file, crypto.randomBytes(48).toString('base64url'), { mode: 0o600, flag: 'wx' });
  }
  return new TextEncoder().encode(fs.readFileSync(file, 'utf8').trim());
}

export class AccessTokens {
  constructor(
    private readonly secret: Uint8Array,
    private readonly ttlSec: number,
  ) {}

  sign(claims: AccessClaims): Promise<string> {
    return new SignJWT({ sid: claims.sid })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(claims.sub)
      .setIssuedAt()
      .setExpirationTime(`${this.ttlSec}s`)
      .setIssuer('parley')
      .sign(this.secret);
  }

  async verify(token: string): Promise<AccessClaims> {
    try {
      const { payload } = await jwtVerify(token, this.secret, { issuer: 'parley', algorithms: ['HS256'] });
      if (typeof payload.sub !== 'string' || typeof payload.sid !== 'string') throw new AppError('invalid_token');
      return { sub: payload.sub, sid: payload.sid };
    } catch (e) {
      if (e instanceof AppError) throw e;
      if (e instanceof joseErrors.JWTExpired) throw new AppError('invalid_token', 'The access token has expired; refresh it.');
      throw new AppError('invalid_token');
    }
  }
}

/**
 * Refresh tokens are `<session id>.<generation>.<session key><rotating secret>`. The session key
 * stays the same for the session's life and only its hash is stored: it proves that whoever
 * presents an old generation once held a real token of this session, so only such a holder can
 * set off the reuse alarm (which revokes the session). The rotating part changes on every refresh;
 * only a hash of key + rotating part for the current generation is stored.
 */
export function makeRefreshToken(sessionId: string, gen: number, sessionKey: string): { token: string; hash: string } {
  const secret = sessionKey + crypto.randomBytes(32).toString('base64url');
  return { token: `${sessionId}.${gen}.${secret}`, hash: hashRefreshSecret(secret, gen) };
}

/** 32 random bytes in base64url: always this many characters. */
const SESSION_KEY_CHARS = 43;

export function newSessionKey(): { key: string; hash: string } {
  const key = crypto.randomBytes(32).toString('base64url');
  return { key, hash: hashSessionKey(key) };
}

export const hashSessionKey = (key: string): string => crypto.createHash('sha256').update(`session-key:${key}`).digest('base64url');

/** The session key inside a refresh secret; null for tokens issued before session keys existed. */
export function sessionKeyOf(secret: string): string | null {
  return secret.length > SESSION_KEY_CHARS ? secret.slice(0, SESSION_KEY_CHARS) : null;
}

export function hashRefreshSecret(secret: string, gen: number): string {
  return crypto.createHash('sha256').update(`${gen}:${secret}`).digest('base64url');
}

export function parseRefreshToken(token: string): { sessionId: string; gen: number; secret: string } | null {
  const m = /^([0-9A-HJKMNP-TV-Z]{26})\.(\d{1,9})\.([A-Za-z0-9_-]{20,128})$/.exec(token);
  if (!m) return null;
  return { sessionId: m[1]!, gen: Number(m[2]), secret: m[3]! };
}

/** How a long random secret shown once (an API token's, a webhook URL's) is stored: its SHA-256. */
export const hashSecret = (secret: string): string => crypto.createHash('sha256').update(secret).digest('base64url');

export function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && crypto.timingSafeEqual(ab, bb);
}
