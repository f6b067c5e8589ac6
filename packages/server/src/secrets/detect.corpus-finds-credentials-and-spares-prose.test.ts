/**
 * The secret scanner against a corpus: credentials of every kind Parley promises to catch, in
 * prose, code blocks and config snippets; and what must never be taken for one (prose, UUIDs,
 * commit hashes, base64 images, placeholders). The credentials are made up here from a seeded
 * generator, in each kind's real shape.
 */
import { describe, expect, test } from 'vitest';
import { findSecrets, maskSecrets } from './detect.js';

let seed = 42;
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
function random(n: number, alphabet = ALNUM): string {
  let out = '';
  for (let i = 0; i < n; i++) {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    out += alphabet[seed % alphabet.length];
  }
  return out;
}
const UPPER_DIGITS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

const awsId = `AKIA${random(16, UPPER_DIGITS)}`;
const awsSecret = random(40, `${ALNUM}/+`);
const pem = `-----BEGIN RSA PRIVATE KEY-----\n${Array.from({ length: 6 }, () => random(64, `${ALNUM}+/`)).join('\n')}\n-----END RSA PRIVATE KEY-----`;
const jwt = `eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4ifQ.${random(43, `${ALNUM}-_`)}`;

/** [where it appears, the secret itself, the kind expected] */
const POSITIVES: [string, string, string][] = [
  ['an AWS key id in prose', awsId, 'aws'],
  ['an AWS secret in a credentials file', awsSecret, 'aws'],
  // The pair from AWS's own documentation: the first thing a user pastes to try masking.
  ['the AWS documentation example key id', 'AKIAIOSFODNN7EXAMPLE', 'aws'],
  ['the AWS documentation example secret', 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', 'aws'],
  ['a GitHub token', `ghp_${random(36)}`, 'github'],
  ['a GitLab token', `glpat-${random(20)}`, 'gitlab'],
  ['a Slack bot token', `xoxb-${random(11, '0123456789')}-${random(12, '0123456789')}-${random(24)}`, 'slack'],
  ['an npm token', `npm_${random(36)}`, 'npm'],
  ['a Stripe key', `sk_live_${random(24)}`, 'stripe'],
  ['an OpenAI key', `sk-${random(20)}T3BlbkFJ${random(20)}`, 'openai'],
  ['a private key', pem, 'privatekey'],
  ['a JWT', jwt, 'jwt'],
  ['a password in a database URL', `pa55-${random(10)}`, 'database-connection-string'],
  ['a password in a Redis URL', `r3d-${random(12)}`, 'url_password'],
  ['a generic password assignment', `Zq8${random(13)}`, 'password'],
];

function place(what: string, secret: string): string {
  switch (what) {
    case 'an AWS secret in a credentials file':
      return `here is the profile:\n\`\`\`ini\n[default]\naws_access_key_id = ${awsId}\naws_secret_access_key = ${secret}\n\`\`\``;
    case 'a password in a database URL':
      return `connect with \`psql postgres://deploy:${secret}@db.internal:5432/app\` please`;
    case 'a password in a Redis URL':
      return `REDIS_URL is redis://default:${secret}@cache.internal:6379/0 now`;
    case 'a generic password assignment':
      return `in .env: DB_PASSWORD=${secret} (rotate it after)`;
    case 'a private key':
      return `the deploy key:\n\`\`\`\n${secret}\n\`\`\``;
    default:
      return `try this one: ${secret} and tell me if it works`;
  }
}

describe('credentials are found, in prose and in code blocks', () => {
  test.each(POSITIVES)('%s', async (what, secret, kind) => {
    const text = place(what, secret);
    const found = await findSecrets(text);
    const hit = found.find((f) => text.slice(f.start, f.end).includes(secret) || secret.includes(text.slice(f.start, f.end)));
    expect(hit, `${what}: ${JSON.stringify(found)}`).toBeTruthy();
    expect(found.map((f) => f.kind)).toContain(kind);
    // Masked, the secret is gone but recognisable; the prose around it is untouched.
    const masked = maskSecrets(text, found);
    expect(masked).not.toContain(secret);
    expect(masked).toContain('********');
    expect(masked.slice(0, 8)).toBe(text.slice(0, 8));
    // Only the secret goes: a URL keeps its scheme, user and host, an assignment its name.
    if (text.includes('://')) expect(masked).toMatch(/:\/\/[a-z]+:[^@]*\*{8}[^@]*@[a-z.]+/);
    if (what.includes('assignment') || what.includes('credentials file')) expect(masked).toMatch(/(PASSWORD=|aws_secret_access_key = )\S*\*{8}/);
  });

  test('an AWS key id masks as AKIA…MPLE: four characters each side', async () => {
    const text = `key ${awsId} end`;
    expect(maskSecrets(text, await findSecrets(text))).toBe(`key ${awsId.slice(0, 4)}********${awsId.slice(-4)} end`);
  });

  test('a private key keeps its BEGIN and END lines only', async () => {
    const masked = maskSecrets(pem, await findSecrets(pem));
    expect(masked).toBe('-----BEGIN RSA PRIVATE KEY-----\n********\n-----END RSA PRIVATE KEY-----');
  });
});

const NEGATIVES: [string, string][] = [
  ['prose about tokens and passwords', 'The token expired, so reset your password and ask for a new secret key from the admin.'],
  ['a UUID', 'request id 3f1c2b9e-8a7d-4c6b-9e5f-1a2b3c4d5e6f failed'],
  ['commit hashes', 'fixed in 9fceb02d0ae598e95dc970b74767f19372d61af8 and a1b2c3d'],
  ['a base64 image', `![pic](data:image/png;base64,${'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=='.repeat(4)})`],
  ['a URL without credentials', 'see https://github.com/acme/app/pull/42 and postgres://db.internal:5432/app'],
  ['placeholders', 'set PASSWORD=${DB_PASSWORD} and api_key: <your key here>, token = xxxxxxxxxxxx, secret: ********'],
  ['code without secrets', '```ts\nconst token = await auth.sign(user);\nif (password.length < 8) throw new Error("short");\n```'],
  ['a word as a password', 'the wifi password: correcthorse'],
  ['Chinese prose', '请把令牌和密码发给我，部署以后再轮换。'],
];

describe('ordinary text is never taken for a credential', () => {
  test.each(NEGATIVES)('%s', async (_what, text) => {
    expect(await findSecrets(text)).toEqual([]);
  });
});
