import type { SecretFinding } from '@parley/protocol';
import { AppError } from '../core/errors.js';
import type { WorkspaceSettingsService } from '../workspace/settings.js';
import { findSecrets, maskSecrets, mayHoldSecret } from './detect.js';

/** A body as it may be stored, and what was found in it (null: nothing). */
export interface Screened {
  body: string;
  report: { policy: 'mask' | 'warn'; found: SecretFinding[] } | null;
}

const MAX_NAMED = 3;

/**
 * Applies the workspace's secret policy to a body before anything stores it: `mask` (the
 * default) stores it with each credential masked, `block` refuses it with `secret_detected`
 * (nothing stored), `warn` stores it as sent and tells the sender. The policy is read only when
 * something was found, so a change holds from the next such message on, on every node.
 */
export class SecretsService {
  constructor(private readonly workspace: WorkspaceSettingsService) {}

  /**
   * null when nothing in `text` can be a credential — nearly every message, decided by one
   * regular expression with no await, so the send path pays nothing else for it.
   */
  screen(text: string): Promise<Screened> | null {
    return mayHoldSecret(text) ? this.check(text) : null;
  }

  private async check(text: string): Promise<Screened> {
    const found = await findSecrets(text);
    if (found.length === 0) return { body: text, report: null };
    const { secret_policy: policy } = await this.workspace.get();
    if (policy === 'block') throw new AppError('secret_detected', describe(found), { secrets: found });
    return { body: policy === 'mask' ? maskSecrets(text, found) : text, report: { policy, found } };
  }
}

/** "A credential (aws at 12–32) is in the message…": names the first few, never their values. */
export function describe(found: readonly SecretFinding[]): string {
  const named = found
    .slice(0, MAX_NAMED)
    .map((f) => `${f.kind} at ${f.start}–${f.end}`)
    .join(', ');
  const more = found.length > MAX_NAMED ? ` and ${found.length - MAX_NAMED} more` : '';
  return `This workspace does not store credentials: found ${named}${more}. Remove ${found.length === 1 ? 'it' : 'them'} and send again.`;
}
