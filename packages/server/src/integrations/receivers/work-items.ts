import { md, safeUrl } from './markdown.js';
import { typedPlan, type Outcome } from './receiver.js';

/**
 * A code host's pull/merge requests, issues and branch CI as threads (GitHub, GitLab and generic
 * CI share this): the root always says where the thing stands, each event that changes it is
 * a reply. Pure: state in, what to post and the new state out.
 */

/** A CI run's end, in GitHub's words (GitLab's and others' statuses are mapped onto them); '' while it runs. */
export type Conclusion = 'success' | 'failure' | 'cancelled' | 'skipped' | 'neutral' | 'timed_out' | '';

export interface CiRun {
  conclusion: Conclusion;
  url: string;
  /** The failed jobs, linked to their logs, when the service names them. */
  failed?: { name: string; url: string }[];
}

export interface ItemState {
  kind: 'pr' | 'mr' | 'issue' | 'ci';
  /** How the thing is named where it lives: `acme/api#42`, `group/app!7`. */
  label: string;
  repo: string;
  repoUrl: string;
  number: number;
  title: string;
  url: string;
  author: string;
  /** open, draft, merged, closed; for a branch's CI: the branch. */
  state: string;
  additions: number;
  deletions: number;
  files: number;
  reviews: Record<string, 'approved' | 'changes_requested' | 'commented'>;
  /** The latest run of each workflow or pipeline for it, by name. */
  ci: Record<string, CiRun>;
  comments: number;
  /** The service's delivery ids already applied: a redelivery changes nothing. */
  seen: string[];
}

const SEEN = 50;
const ICON: Record<string, string> = { open: '🟢', draft: '📝', merged: '🟣', closed: '🔴' };
const NOUN: Record<ItemState['kind'], string> = { pr: 'PR', mr: 'MR', issue: 'Issue', ci: 'CI' };

export const link = (label: string, url: string) => (safeUrl(url) ? `[${label}](${url})` : label);
export const isFailure = (c: Conclusion) => c === 'failure' || c === 'timed_out';
export const ciIcon = (c: Conclusion) => (c === 'success' ? '✅' : isFailure(c) ? '❌' : c === 'cancelled' ? '⏹️' : c === '' ? '⏳' : '⚪');

/** The failed runs (and their failed jobs, where known) as links. */
function failures(ci: ItemState['ci']): string {
  return Object.entries(ci)
    .filter(([, r]) => isFailure(r.conclusion))
    .map(([n, r]) => (r.failed && r.failed.length > 0 ? `${link(md(n), r.url)}: ${r.failed.map((j) => link(md(j.name), j.url)).join(', ')}` : link(md(n), r.url)))
    .join(', ');
}

export function ciSummary(ci: ItemState['ci']): string {
  const runs = Object.values(ci);
  if (runs.length === 0) return '';
  const failed = failures(ci);
  if (failed) return `CI ❌ ${failed}`;
  if (runs.every((r) => r.conclusion === 'success' || r.conclusion === 'skipped' || r.conclusion === 'neutral')) return 'CI ✅';
  return 'CI ⏳';
}

export function rootOf(s: ItemState): string {
  if (s.kind === 'ci') {
    const summary = ciSummary(s.ci);
    const where = s.repo ? ` in ${link(md(s.repo), s.repoUrl)}` : '';
    return `${summary.startsWith('CI ❌') ? '❌' : summary === 'CI ✅' ? '✅' : '⏳'} **CI on \`${md(s.state)}\`**${where} · ${summary}`;
  }
  const reviews = Object.values(s.reviews);
  const count = (v: string) => reviews.filter((r) => r === v).length;
  const facts = [
    `${ICON[s.state] ?? ''} ${s.state === 'merged' ? 'merged ✅' : s.state}`.trim(),
    s.kind !== 'issue' && s.files > 0 ? `+${s.additions} −${s.deletions} in ${s.files} file${s.files === 1 ? '' : 's'}` : null,
    reviews.length > 0
      ? `reviews: ${[count('approved') && `✅ ${count('approved')}`, count('changes_requested') && `❌ ${count('changes_requested')}`, count('commented') && `💬 ${count('commented')}`]
          .filter(Boolean)
          .join(' ')}`
      : null,
    ciSummary(s.ci) || null,
    s.comments > 0 ? `${s.comments} comment${s.comments === 1 ? '' : 's'}` : null,
  ].filter((x): x is string => !!x);
  return `**${NOUN[s.kind]} ${link(md(s.label), s.url)}: ${md(s.title)}** by ${md(s.author)}\n${facts.join(' · ')}`;
}

/** A new item's state with nothing known beyond its name. */
export function newItem(kind: ItemState['kind'], label: string, fields: Partial<ItemState>): ItemState {
  return {
    kind,
    label,
    repo: '',
    repoUrl: '',
    number: 0,
    title: '',
    url: '',
    author: 'someone',
    state: 'open',
    additions: 0,
    deletions: 0,
    files: 0,
    reviews: {},
    ci: {},
    comments: 0,
    seen: [],
    ...fields,
  };
}

/**
 * The outcome for one event about an item: `change` moves the state and says what happened (null:
 * nothing worth a reply). `delivery` (the service's id for this request) makes a redelivery a no-op.
 */
export function itemThread(key: string, delivery: string, tags: string[], init: () => ItemState, change: (s: ItemState) => string | null): Outcome {
  return {
    kind: 'thread',
    key,
    tags,
    plan: typedPlan<ItemState>((prior) => {
      if (prior && delivery && prior.seen.includes(delivery)) return { root: rootOf(prior), replies: [], state: prior };
      const s: ItemState = prior ? { ...prior, reviews: { ...prior.reviews }, ci: { ...prior.ci } } : init();
      const said = change(s);
      s.seen = delivery ? [...s.seen, delivery].slice(-SEEN) : s.seen;
      return { root: rootOf(s), replies: said ? [said] : [], state: s };
    }),
  };
}

/**
 * A run's end recorded on the item; what to reply, or null when it is not news (a success after
 * a success). A failure is always news; a success after a failure says "fixed".
 */
export function recordRun(s: ItemState, name: string, run: CiRun, where: string): string | null {
  const before = s.ci[name]?.conclusion;
  s.ci[name] = run;
  if (run.conclusion === '') return null;
  if (before === run.conclusion && run.conclusion === 'success') return null;
  const fixed = before !== undefined && isFailure(before) && run.conclusion === 'success' ? ' (fixed)' : '';
  const jobs = run.failed && run.failed.length > 0 ? `: ${run.failed.map((j) => link(md(j.name), j.url)).join(', ')}` : '';
  return `${ciIcon(run.conclusion)} ${link(md(name), run.url)} ${run.conclusion}${fixed}${where}${jobs}`;
}
