import { hash, verify } from '@node-rs/argon2';

/* argon2id (the library's default algorithm) with OWASP's m=19 MiB, t=2, p=1: ~47 ms here. */
const OPTIONS = { memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return hash(password, OPTIONS);
}

export async function verifyPassword(stored: string, password: string): Promise<boolean> {
  try {
    return await verify(stored, password);
  } catch {
    return false;
  }
}

/** Verified against when the username does not exist, so timing does not reveal which usernames exist. */
let dummy: Promise<string> | null = null;
export function dummyHash(): Promise<string> {
  dummy ??= hash('parley-timing-equaliser', OPTIONS);
  return dummy;
}
