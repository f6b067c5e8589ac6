import { AppError } from '../../core/errors.js';
import { md } from './markdown.js';
import { text, type Receiver } from './receiver.js';
import { itemThread, newItem, recordRun, type Conclusion } from './work-items.js';

/**
 * A generic CI notification for Jenkins, Buildkite, Drone and the rest: one small JSON object
 * per build (`{"status","name","url","ref","commit"}`, optionally `repo` and `message`) that a
 * job's last step can send with curl. Each ref is one thread whose root shows every job's last
 * result; a failure is always replied, a success the first time and when it fixes a failure.
 */

const STATUS: Record<string, Conclusion> = {
  success: 'success',
  succeeded: 'success',
  passed: 'success',
  fixed: 'success',
  ok: 'success',
  failure: 'failure',
  failed: 'failure',
  error: 'failure',
  errored: 'failure',
  broken: 'failure',
  unstable: 'failure',
  still_failing: 'failure',
  timed_out: 'timed_out',
  timeout: 'timed_out',
  cancelled: 'cancelled',
  canceled: 'cancelled',
  aborted: 'cancelled',
  skipped: 'skipped',
  not_built: 'skipped',
  pending: '',
  queued: '',
  running: '',
  started: '',
  in_progress: '',
};

const bad = (message: string, field: string) => new AppError('invalid_request', message, { field: `/${field}` });

export interface CiNotice {
  status: Conclusion;
  name: string;
  url: string;
  ref: string;
  commit: string;
  repo: string;
  message: string;
}

/** The documented shape, checked: a wrong field is a typed 400 naming it. */
export function parseCiNotice(raw: unknown): CiNotice {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw bad('The body must be a JSON object: {"status","name","url","ref","commit"}.', '');
  const r = raw as Record<string, unknown>;
  const field = (k: string, required: boolean, max: number): string => {
    const v = r[k];
    if (v === undefined || v === null || v === '') {
      if (required) throw bad(`${k} is required.`, k);
      return '';
    }
    if (typeof v !== 'string' && typeof v !== 'number') throw bad(`${k} must be a string.`, k);
    const s = String(v);
    if (s.length > max) throw bad(`${k} must be at most ${max} characters.`, k);
    return s;
  };
  const status = field('status', true, 40)
    .toLowerCase()
    .replace(/[\s-]+/g, '_');
  if (!(status in STATUS)) throw bad(`status "${status}" is not one of ${Object.keys(STATUS).join(', ')}.`, 'status');
  return {
    status: STATUS[status]!,
    name: field('name', true, 200),
    url: field('url', false, 2_000),
    ref: field('ref', false, 255) || 'unknown ref',
    commit: field('commit', false, 64),
    repo: field('repo', false, 200),
    message: field('message', false, 500),
  };
}

export const ciReceiver: Receiver = {
  verify: () => null,
  read: (d) => {
    const n = parseCiNotice(d.body);
    const ref = n.ref.replace(/^refs\/(heads|tags)\//, '');
    const commit = n.commit ? ` at \`${md(n.commit.slice(0, 8))}\`` : '';
    return itemThread(
      `ci:${n.repo}@${ref}`,
      text(d.header('idempotency-key')),
      ['ci'],
      () => newItem('ci', ref, { repo: n.repo, state: ref }),
      (s) => {
        const said = recordRun(s, n.name, { conclusion: n.status, url: n.url }, ` on \`${md(ref)}\`${commit}`);
        return said && n.message ? `${said}\n> ${md(n.message)}` : said;
      },
    );
  },
};
