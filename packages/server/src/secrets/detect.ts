import { lintSource } from '@secretlint/core';
import { creator as recommended } from '@secretlint/secretlint-rule-preset-recommend';
import type { SecretLintCoreConfig } from '@secretlint/types';

import type { SecretFinding } from '@parley/protocol';

export type { SecretFinding };

/**
 * Whether a text could hold a credential at all: the prefixes and shapes every rule below needs.
 * Nearly every message fails it, and then costs one regular-expression scan (microseconds);
 * secretlint's full rule set (3–5 ms a call, measured) runs only on the rest.
 */
const CANDIDATE =
  /A[KS]IA[0-9A-Z]{12}|aws.{0,20}(?:secret|key)|wJalrXUtnFEMI|gh[pousr]_|github_pat_|glpat-|xox[abposr]-|xapp-|npm_[A-Za-z0-9]{20}|[sr]k_(?:live|test)_|sk-|hf_|-----BEGIN|"private_key"|eyJ[A-Za-z0-9_-]{8,}\.eyJ|:\/\/[^\s/@:]+:[^\s/@]+@|(?:pass(?:word|wd)?|pwd|secret|token|api[_-]?key)["']?\s*[:=]/i;

const CONFIG: SecretLintCoreConfig = {
  rules: [
    {
      id: '@secretlint/secretlint-rule-preset-recommend',
      rule: recommended,
      // AWS access key ids alone (AKIA…) count too: a key id is half of a credential and names the account.
      rules: [{ id: '@secretlint/secretlint-rule-aws', options: { enableIDScanRule: true } }],
    },
  ],
};

/**
 * A private key block, whatever its type (secretlint's rule wants the exact layout of real key
 * files); without its END line (a text cut short, half a key pasted) it runs to the end.
 */
const PEM = /-----BEGIN ((?:RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP )?PRIVATE KEY(?: BLOCK)?)-----[\s\S]*?(?:-----END \1-----|$)/g;

/** Credentials secretlint's recommended rules do not cover. */
const OURS: { kind: string; pattern: RegExp; group?: number; check?: (value: string) => boolean }[] = [
  { kind: 'privatekey', pattern: PEM },
  // AWS's documented example pair: secretlint skips it and offers no way not to. It is the first key
  // anyone pastes to see whether masking works, and a key in that shape is never worth keeping.
  { kind: 'aws', pattern: /\bAKIAIOSFODNN7EXAMPLE\b|wJalrXUtnFEMI\/K7MDENG\/bPxRfiCYEXAMPLEKEY/g },
  { kind: 'stripe', pattern: /\b[sr]k_(?:live|test)_[A-Za-z0-9]{16,}\b/g },
  { kind: 'jwt', pattern: /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{16,}/g },
  // user:password@host in any scheme's URL (redis://, amqp://, https://…): the password only.
  { kind: 'url_password', pattern: /\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@]+:([^\s@/]+)@/dgi, group: 1, check: (v) => !isPlaceholder(v) },
  // password=…, "secret": "…", API_KEY: … with a value that looks generated, not a word or a placeholder.
  {
    kind: 'password',
    // Also inside names: DB_PASSWORD=…, STRIPE_SECRET: …
    pattern: /(?<![A-Za-z0-9])(?:pass(?:word|wd)?|pwd|secret|client_secret|api[_-]?key|access[_-]?token|auth[_-]?token|token)["']?\s*[:=]\s*["']?([^\s"'`,;]{8,})/dgi,
    group: 1,
    check: (v) => !isPlaceholder(v) && entropy(v) >= 3 && /[0-9]/.test(v) && /[A-Za-z]/.test(v),
  },
];

/** `${DB_PASSWORD}`, `<token>`, `xxxxxxxx`, `********`: examples, not secrets. */
function isPlaceholder(v: string): boolean {
  return /^(?:\$\{?[A-Z_][A-Z0-9_]*\}?|<[^>]*>|\{\{.*\}\}|%[A-Z_]+%|(.)\1+)$/i.test(v) || /^(?:changeme|password|secret|example|redacted|hunter2)$/i.test(v);
}

/** Shannon entropy in bits per character. */
function entropy(v: string): number {
  const counts = new Map<string, number>();
  for (const c of v) counts.set(c, (counts.get(c) ?? 0) + 1);
  let bits = 0;
  for (const n of counts.values()) bits -= (n / v.length) * Math.log2(n / v.length);
  return bits;
}

/** Whether `text` could hold a credential at all (one regular expression: microseconds). */
export function mayHoldSecret(text: string): boolean {
  return CANDIDATE.test(text);
}

/** Every credential in `text`, in order, overlaps merged (the wider finding's kind kept). */
export async function findSecrets(text: string): Promise<SecretFinding[]> {
  if (!CANDIDATE.test(text)) return [];
  const found: SecretFinding[] = [];
  const result = await lintSource({ source: { content: text, filePath: 'message.txt', contentType: 'text' }, options: { config: CONFIG, noPhysicFilePath: true } });
  for (const m of result.messages) {
    if (m.type !== 'message') continue;
    found.push(narrow(text, { kind: m.ruleId.replace(/^@secretlint\/secretlint-rule-/, ''), start: m.range[0], end: m.range[1] }));
  }
  for (const rule of OURS) {
    for (const m of text.matchAll(rule.pattern)) {
      const value = rule.group ? m[rule.group]! : m[0];
      if (rule.check && !rule.check(value)) continue;
      const [start, end] = rule.group ? m.indices![rule.group]! : [m.index, m.index + value.length];
      found.push({ kind: rule.kind, start, end });
    }
  }
  return merge(found);
}

/**
 * Some rules report more than the secret: an assignment from its name on (`aws_secret_access_key
 * = …`, with the value's length: secretlint 12's AWS rule), a whole connection URL. Masking that
 * much would hide what the message is about; the value alone is the secret.
 */
function narrow(text: string, f: SecretFinding): SecretFinding {
  const slice = text.slice(f.start, f.end);
  const url = /:\/\/[^\s:/@]+:([^\s@/]+)@/d.exec(slice);
  if (url) return { kind: f.kind, start: f.start + url.indices![1]![0], end: f.start + url.indices![1]![1] };
  const assignment = /^[A-Za-z_][A-Za-z0-9_.-]*["']?\s*[:=]\s*["']?/.exec(slice);
  if (assignment) {
    const start = f.start + assignment[0].length;
    const value = /^[^\s"'`,;]+/.exec(text.slice(start));
    if (value) return { kind: f.kind, start, end: start + value[0].length };
  }
  return f;
}

function merge(found: SecretFinding[]): SecretFinding[] {
  found.sort((a, b) => a.start - b.start || b.end - a.end);
  const out: SecretFinding[] = [];
  for (const f of found) {
    const last = out[out.length - 1];
    if (last && f.start < last.end) {
      if (f.end > last.end) last.end = f.end;
      continue;
    }
    out.push({ ...f });
  }
  return out;
}

/**
 * The text with each finding masked, keeping enough to recognise it: `AKIA********MPLE` (four
 * characters each side of a long value), a private key's BEGIN and END lines around `********`.
 */
export function maskSecrets(text: string, findings: readonly SecretFinding[]): string {
  let out = '';
  let at = 0;
  for (const f of findings) {
    out += text.slice(at, f.start) + maskValue(text.slice(f.start, f.end));
    at = f.end;
  }
  return out + text.slice(at);
}

function maskValue(v: string): string {
  const pem = /^(-----BEGIN [A-Z ]+-----)[\s\S]*?(-----END [A-Z ]+-----)?$/.exec(v);
  if (pem) return `${pem[1]}\n********\n${pem[2] ?? ''}`.trimEnd();
  if (v.length >= 16) return `${v.slice(0, 4)}********${v.slice(-4)}`;
  return '********';
}
