// http_ece ships no types; the one call the Web Push test makes (RFC 8188 decryption with the
// browser's ECDH key and auth secret, RFC 8291).
declare module 'http_ece' {
  import type { ECDH } from 'node:crypto';
  export function decrypt(buffer: Buffer, params: { version: 'aes128gcm'; privateKey: ECDH; authSecret: string | Buffer }): Buffer;
}
