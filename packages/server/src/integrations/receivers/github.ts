import crypto from 'node:crypto';
import { AppError } from '../../core/errors.js';
import type { ThreadPlan } from './threads.js';
import { md, safeUrl } from './markdown.js';

/**
 * GitHub's webhooks as threads that update themselves: each pull request and each issue has one
 * thread (opened, pushed to, reviewed, commented, CI, merged: replies; the root always says where
 * it stands), a branch's CI outside any pull request has one too; pushes and releases are single
 * messages. Pure: the event and the thread's state in, what to post and the new state out.
 * Field names are those of GitHub's "Webhook events and payloads" documentation.
 */

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
const text = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');
const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
const login = (v: unknown) => text(obj(v).login) || text(obj(v).name) || 'someone';
const link = (label: string, url: string) => (safeUrl(url) ? `[${label}](${url})` : label);
const firstLine = (s: string) => s.split('\n', 1)[0]!.slice(0, 120);
const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

/** `X-Hub-Signature-256: sha256=<hex HMAC of the raw body>`, compared in constant time. */
export function githubSignatureValid(key: string, rawBody: Buffer | string, header: string | undefined): boolean {
  if (!header || !header.startsWith('sha256=')) return false;
  const expected = Buffer.from(`sha256=${crypto.createHmac('sha256', key).update(rawBody).digest('hex')}`);
  const given = Buffer.from(header);
  return given.length === expected.length && crypto.timingSafeEqual(given, expected);
}

export interface ItemState {
  kind: 'pr' | 'issue' | 'ci';
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
  /** The latest conclusion of each workflow (or check suite) run for it. */
  ci: Record<string, { conclusion: string; url: string }>;
  comments: number;
  /** GitHub's delivery ids already applied: a redelivery changes nothing. */
  seen: string[];
}

export type GithubOutcome = { kind: 'ignore'; why: string } | { kind: 'message'; body: string } | { kind: 'thread'; key: string; plan: (prior: ItemState | null) => ThreadPlan<ItemState> };

const SEEN = 50;
const ICON: Record<string, string> = { open: '🟢', draft: '📝', merged: '🟣', closed: '🔴' };

function ciSummary(ci: ItemState['ci']): string {
  const runs = Object.entries(ci);
  if (runs.length === 0) return '';
  const failed = runs.filter(([, r]) => r.conclusion === 'failure' || r.conclusion === 'timed_out');
  if (failed.length > 0) return `CI ❌ ${failed.map(([n, r]) => link(md(n), r.url)).join(', ')}`;
  if (runs.every(([, r]) => r.conclusion === 'success' || r.conclusion === 'skipped' || r.conclusion === 'neutral')) return 'CI ✅';
  return 'CI ⏳';
}

function rootOf(s: ItemState): string {
  if (s.kind === 'ci') {
    const summary = ciSummary(s.ci);
    return `${summary.startsWith('CI ❌') ? '❌' : summary === 'CI ✅' ? '✅' : '⏳'} **CI on \`${md(s.state)}\`** in ${link(md(s.repo), s.repoUrl)} · ${summary}`;
  }
  const what = s.kind === 'pr' ? 'PR' : 'Issue';
  const reviews = Object.values(s.reviews);
  const facts = [
    `${ICON[s.state] ?? ''} ${s.state === 'merged' ? 'merged ✅' : s.state}`.trim(),
    s.kind === 'pr' && s.files > 0 ? `+${s.additions} −${s.deletions} in ${s.files} file${s.files === 1 ? '' : 's'}` : null,
    reviews.length > 0
      ? `reviews: ${[
          reviews.filter((r) => r === 'approved').length && `✅ ${reviews.filter((r) => r === 'approved').length}`,
          reviews.filter((r) => r === 'changes_requested').length && `❌ ${reviews.filter((r) => r === 'changes_requested').length}`,
          reviews.filter((r) => r === 'commented').length && `💬 ${reviews.filter((r) => r === 'commented').length}`,
        ]
          .filter(Boolean)
          .join(' ')}`
      : null,
    ciSummary(s.ci) || null,
    s.comments > 0 ? `${s.comments} comment${s.comments === 1 ? '' : 's'}` : null,
  ].filter((x): x is string => !!x);
  return `**${what} ${link(`${md(s.repo)}#${s.number}`, s.url)}: ${md(s.title)}** by @${md(s.author)}\n${facts.join(' · ')}`;
}

/** The thread plan for one event: `change` updates the state and says what happened (null: nothing to say). */
function threadOf(key: string, delivery: string, init: () => ItemState, change: (s: ItemState) => string | null): GithubOutcome {
  return {
    kind: 'thread',
    key,
    plan: (prior) => {
      if (prior && delivery && prior.seen.includes(delivery)) return { root: rootOf(prior), replies: [], state: prior };
      const s: ItemState = prior ? { ...prior, reviews: { ...prior.reviews }, ci: { ...prior.ci } } : init();
      const said = change(s);
      s.seen = delivery ? [...s.seen, delivery].slice(-SEEN) : s.seen;
      return { root: rootOf(s), replies: said ? [said] : [], state: s };
    },
  };
}

function prFields(repo: Obj, pr: Obj): ItemState {
  return {
    kind: 'pr',
    repo: text(repo.full_name),
    repoUrl: text(repo.html_url),
    number: num(pr.number),
    title: text(pr.title),
    url: text(pr.html_url),
    author: login(pr.user),
    state: 'open',
    additions: 0,
    deletions: 0,
    files: 0,
    reviews: {},
    ci: {},
    comments: 0,
    seen: [],
  };
}

/** Brings what the event says about the pull request into the state. */
function refreshPr(s: ItemState, pr: Obj): void {
  if (text(pr.title)) s.title = text(pr.title);
  if (pr.additions !== undefined) s.additions = num(pr.additions);
  if (pr.deletions !== undefined) s.deletions = num(pr.deletions);
  if (pr.changed_files !== undefined) s.files = num(pr.changed_files);
  s.state = pr.merged === true ? 'merged' : text(pr.state) === 'closed' ? 'closed' : pr.draft === true ? 'draft' : 'open';
}

/** What one GitHub event does. `delivery` is `X-GitHub-Delivery`. */
export function githubEvent(event: string, raw: unknown, delivery: string): GithubOutcome {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new AppError('invalid_request', 'The body must be GitHub’s webhook JSON object.');
  const p = raw as Obj;
  const repo = obj(p.repository);
  const repoName = text(repo.full_name);
  const action = text(p.action);
  const sender = login(p.sender);
  switch (event) {
    case 'ping':
      return { kind: 'ignore', why: 'ping' };
    case 'push': {
      const ref = text(p.ref).replace(/^refs\/(heads|tags)\//, '');
      if (p.deleted === true) return { kind: 'message', body: `🗑️ @${md(sender)} deleted \`${md(ref)}\` in ${link(md(repoName), text(repo.html_url))}` };
      const commits = Array.isArray(p.commits) ? p.commits.map(obj) : [];
      if (commits.length === 0 && p.created !== true) return { kind: 'ignore', why: 'a push without commits' };
      const lines = commits
        .slice(0, 10)
        .map((c) => `- ${link(`\`${text(c.id).slice(0, 7)}\``, text(c.url))} ${md(firstLine(text(c.message)))} — ${md(text(obj(c.author).username) || text(obj(c.author).name))}`);
      if (commits.length > 10) lines.push(`- …and ${commits.length - 10} more`);
      const head = `📦 @${md(sender)} ${p.forced === true ? 'force-pushed ⚠️' : 'pushed'} ${commits.length} commit${commits.length === 1 ? '' : 's'} to \`${md(ref)}\` in ${link(md(repoName), text(repo.html_url))}${text(p.compare) ? ` (${link('compare', text(p.compare))})` : ''}`;
      return { kind: 'message', body: [head, ...lines].join('\n') };
    }
    case 'release': {
      if (action !== 'published') return { kind: 'ignore', why: `release ${action}` };
      const r = obj(p.release);
      return {
        kind: 'message',
        body: `🚀 ${link(md(text(r.name) || text(r.tag_name)), text(r.html_url))} released in ${md(repoName)}${r.prerelease === true ? ' (pre-release)' : ''} by @${md(login(r.author))}`,
      };
    }
    case 'pull_request': {
      const pr = obj(p.pull_request);
      const key = `gh:pr:${repoName}#${num(pr.number)}`;
      const said: Record<string, (s: ItemState) => string | null> = {
        opened: () => `🟢 @${md(sender)} opened it${text(pr.body) ? `:\n> ${md(clip(firstLine(text(pr.body)), 200))}` : ''}`,
        reopened: () => `🟢 @${md(sender)} reopened it`,
        ready_for_review: () => `👀 @${md(sender)} marked it ready for review`,
        synchronize: () => `⬆️ @${md(sender)} pushed to \`${md(text(obj(pr.head).ref))}\` (${link(`\`${text(p.after).slice(0, 7)}\``, `${text(pr.html_url)}/commits/${text(p.after)}`)})`,
        review_requested: () => `👀 @${md(sender)} asked @${md(login(p.requested_reviewer) === 'someone' ? text(obj(p.requested_team).name) : login(p.requested_reviewer))} for a review`,
        closed: (s) => (s.state === 'merged' ? `🟣 @${md(login(pr.merged_by) === 'someone' ? sender : login(pr.merged_by))} merged it ✅` : `🔴 @${md(sender)} closed it`),
      };
      const say = said[action];
      if (!say && action !== 'edited') return { kind: 'ignore', why: `pull_request ${action}` };
      return threadOf(
        key,
        delivery,
        () => prFields(repo, pr),
        (s) => {
          refreshPr(s, pr);
          return say ? say(s) : null;
        },
      );
    }
    case 'pull_request_review': {
      if (action !== 'submitted') return { kind: 'ignore', why: `pull_request_review ${action}` };
      const pr = obj(p.pull_request);
      const review = obj(p.review);
      const state = text(review.state).toLowerCase();
      const who = login(review.user);
      const [icon, verdict] = state === 'approved' ? ['✅', 'approved'] : state === 'changes_requested' ? ['❌', 'requested changes'] : ['💬', 'reviewed'];
      return threadOf(
        `gh:pr:${repoName}#${num(pr.number)}`,
        delivery,
        () => prFields(repo, pr),
        (s) => {
          refreshPr(s, pr);
          if (state === 'approved' || state === 'changes_requested' || state === 'commented') s.reviews[who] = state;
          return `${icon} @${md(who)} ${link(verdict, text(review.html_url))}${text(review.body) ? `:\n> ${md(clip(firstLine(text(review.body)), 200))}` : ''}`;
        },
      );
    }
    case 'issues': {
      const issue = obj(p.issue);
      const said: Record<string, string> = { opened: `🟢 @${md(sender)} opened it`, closed: `🔴 @${md(sender)} closed it`, reopened: `🟢 @${md(sender)} reopened it` };
      if (!said[action] && action !== 'edited') return { kind: 'ignore', why: `issues ${action}` };
      return threadOf(
        `gh:issue:${repoName}#${num(issue.number)}`,
        delivery,
        () => ({ ...prFields(repo, issue), kind: 'issue' }),
        (s) => {
          if (text(issue.title)) s.title = text(issue.title);
          s.state = text(issue.state) === 'closed' ? 'closed' : 'open';
          return said[action] ?? null;
        },
      );
    }
    case 'issue_comment': {
      if (action !== 'created') return { kind: 'ignore', why: `issue_comment ${action}` };
      const issue = obj(p.issue);
      const isPr = issue.pull_request !== undefined;
      const comment = obj(p.comment);
      return threadOf(
        `gh:${isPr ? 'pr' : 'issue'}:${repoName}#${num(issue.number)}`,
        delivery,
        () => ({ ...prFields(repo, issue), kind: isPr ? 'pr' : 'issue', state: text(issue.state) === 'closed' ? 'closed' : 'open' }),
        (s) => {
          s.comments += 1;
          return `💬 @${md(login(comment.user))} ${link('commented', text(comment.html_url))}:\n> ${md(clip(text(comment.body).replace(/\s+/g, ' '), 300))}`;
        },
      );
    }
    case 'workflow_run':
    case 'check_suite': {
      if (action !== 'completed') return { kind: 'ignore', why: `${event} ${action}` };
      const run = obj(event === 'workflow_run' ? p.workflow_run : p.check_suite);
      const name = event === 'workflow_run' ? text(run.name) : text(obj(run.app).name) || 'checks';
      const conclusion = text(run.conclusion);
      const url = text(run.html_url) || `${text(repo.html_url)}/commit/${text(run.head_sha)}/checks`;
      const branch = text(run.head_branch);
      const prs = Array.isArray(run.pull_requests) ? run.pull_requests.map(obj) : [];
      const icon = conclusion === 'success' ? '✅' : conclusion === 'failure' || conclusion === 'timed_out' ? '❌' : conclusion === 'cancelled' ? '⏹️' : '⚪';
      const pr = prs[0];
      const key = pr ? `gh:pr:${repoName}#${num(pr.number)}` : `gh:ci:${repoName}@${branch}`;
      return threadOf(
        key,
        delivery,
        () => (pr ? { ...prFields(repo, pr), title: `#${num(pr.number)}`, url: `${text(repo.html_url)}/pull/${num(pr.number)}` } : { ...prFields(repo, {}), kind: 'ci', state: branch }),
        (s) => {
          const before = s.ci[name]?.conclusion;
          s.ci[name] = { conclusion, url };
          // A run that ends as the previous one did is not news, except a failure.
          if (before === conclusion && conclusion === 'success') return null;
          const fixed = before === 'failure' && conclusion === 'success' ? ' (fixed)' : '';
          return `${icon} ${link(md(name), url)} ${conclusion || 'finished'}${fixed} on \`${md(branch)}\``;
        },
      );
    }
    default:
      return { kind: 'ignore', why: `the ${event || 'unnamed'} event is not shown` };
  }
}
