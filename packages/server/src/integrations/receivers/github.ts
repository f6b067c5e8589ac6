import { AppError } from '../../core/errors.js';
import { md } from './markdown.js';
import { clip, firstLine, hmacHex, list, num, obj, sameSecret, text, type Delivery, type Outcome, type Receiver } from './receiver.js';
import { itemThread, link, newItem, recordRun, type Conclusion, type ItemState } from './work-items.js';

/**
 * GitHub's webhooks as threads that update themselves: each pull request and each issue has one
 * thread (opened, pushed to, reviewed, commented, CI, merged: replies; the root always says where
 * it stands), a branch's CI outside any pull request has one too; pushes and releases are single
 * messages. Pure: the event and the thread's state in, what to post and the new state out.
 * Field names are those of GitHub's "Webhook events and payloads" documentation.
 */

/** `X-Hub-Signature-256: sha256=<hex HMAC of the raw body>`, compared in constant time. */
export function githubSignatureValid(key: string, rawBody: Buffer | string, header: string | undefined): boolean {
  return header !== undefined && header.startsWith('sha256=') && sameSecret(header, `sha256=${hmacHex(key, rawBody)}`);
}

const login = (v: unknown) => text(obj(v).login) || text(obj(v).name) || 'someone';
const TAGS = ['github'];

function prFields(repo: Record<string, unknown>, pr: Record<string, unknown>): ItemState {
  return newItem('pr', `${text(repo.full_name)}#${num(pr.number)}`, {
    repo: text(repo.full_name),
    repoUrl: text(repo.html_url),
    number: num(pr.number),
    title: text(pr.title),
    url: text(pr.html_url),
    author: login(pr.user),
  });
}

/** Brings what the event says about the pull request into the state. */
function refreshPr(s: ItemState, pr: Record<string, unknown>): void {
  if (text(pr.title)) s.title = text(pr.title);
  if (pr.additions !== undefined) s.additions = num(pr.additions);
  if (pr.deletions !== undefined) s.deletions = num(pr.deletions);
  if (pr.changed_files !== undefined) s.files = num(pr.changed_files);
  s.state = pr.merged === true ? 'merged' : text(pr.state) === 'closed' ? 'closed' : pr.draft === true ? 'draft' : 'open';
}

const CONCLUSIONS = new Set<Conclusion>(['success', 'failure', 'cancelled', 'skipped', 'neutral', 'timed_out']);

/** What one GitHub event does. `delivery` is `X-GitHub-Delivery`. */
export function githubEvent(event: string, raw: unknown, delivery: string): Outcome {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new AppError('invalid_request', 'The body must be GitHub’s webhook JSON object.');
  const p = raw as Record<string, unknown>;
  const repo = obj(p.repository);
  const repoName = text(repo.full_name);
  const action = text(p.action);
  const sender = login(p.sender);
  switch (event) {
    case 'ping':
      return { kind: 'ignore', why: 'ping' };
    case 'push': {
      const ref = text(p.ref).replace(/^refs\/(heads|tags)\//, '');
      if (p.deleted === true) return { kind: 'message', body: `🗑️ ${md(sender)} deleted \`${md(ref)}\` in ${link(md(repoName), text(repo.html_url))}`, dedupe: delivery || null, tags: TAGS };
      const commits = list(p.commits);
      if (commits.length === 0 && p.created !== true) return { kind: 'ignore', why: 'a push without commits' };
      const lines = commits
        .slice(0, 10)
        .map((c) => `- ${link(`\`${text(c.id).slice(0, 7)}\``, text(c.url))} ${md(firstLine(text(c.message)))} — ${md(text(obj(c.author).username) || text(obj(c.author).name))}`);
      if (commits.length > 10) lines.push(`- …and ${commits.length - 10} more`);
      const head = `📦 ${md(sender)} ${p.forced === true ? 'force-pushed ⚠️' : 'pushed'} ${commits.length} commit${commits.length === 1 ? '' : 's'} to \`${md(ref)}\` in ${link(md(repoName), text(repo.html_url))}${text(p.compare) ? ` (${link('compare', text(p.compare))})` : ''}`;
      return { kind: 'message', body: [head, ...lines].join('\n'), dedupe: delivery || null, tags: TAGS };
    }
    case 'release': {
      if (action !== 'published') return { kind: 'ignore', why: `release ${action}` };
      const r = obj(p.release);
      return {
        kind: 'message',
        body: `🚀 ${link(md(text(r.name) || text(r.tag_name)), text(r.html_url))} released in ${md(repoName)}${r.prerelease === true ? ' (pre-release)' : ''} by ${md(login(r.author))}`,
        dedupe: delivery || null,
        tags: ['github', 'release'],
      };
    }
    case 'pull_request': {
      const pr = obj(p.pull_request);
      const key = `gh:pr:${repoName}#${num(pr.number)}`;
      const said: Record<string, (s: ItemState) => string | null> = {
        opened: () => `🟢 ${md(sender)} opened it${text(pr.body) ? `:\n> ${md(clip(firstLine(text(pr.body)), 200))}` : ''}`,
        reopened: () => `🟢 ${md(sender)} reopened it`,
        ready_for_review: () => `👀 ${md(sender)} marked it ready for review`,
        synchronize: () => `⬆️ ${md(sender)} pushed to \`${md(text(obj(pr.head).ref))}\` (${link(`\`${text(p.after).slice(0, 7)}\``, `${text(pr.html_url)}/commits/${text(p.after)}`)})`,
        review_requested: () => `👀 ${md(sender)} asked ${md(login(p.requested_reviewer) === 'someone' ? text(obj(p.requested_team).name) : login(p.requested_reviewer))} for a review`,
        closed: (s) => (s.state === 'merged' ? `🟣 ${md(login(pr.merged_by) === 'someone' ? sender : login(pr.merged_by))} merged it ✅` : `🔴 ${md(sender)} closed it`),
      };
      const say = said[action];
      if (!say && action !== 'edited') return { kind: 'ignore', why: `pull_request ${action}` };
      return itemThread(
        key,
        delivery,
        TAGS,
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
      return itemThread(
        `gh:pr:${repoName}#${num(pr.number)}`,
        delivery,
        TAGS,
        () => prFields(repo, pr),
        (s) => {
          refreshPr(s, pr);
          if (state === 'approved' || state === 'changes_requested' || state === 'commented') s.reviews[who] = state;
          return `${icon} ${md(who)} ${link(verdict, text(review.html_url))}${text(review.body) ? `:\n> ${md(clip(firstLine(text(review.body)), 200))}` : ''}`;
        },
      );
    }
    case 'issues': {
      const issue = obj(p.issue);
      const said: Record<string, string> = { opened: `🟢 ${md(sender)} opened it`, closed: `🔴 ${md(sender)} closed it`, reopened: `🟢 ${md(sender)} reopened it` };
      if (!said[action] && action !== 'edited') return { kind: 'ignore', why: `issues ${action}` };
      return itemThread(
        `gh:issue:${repoName}#${num(issue.number)}`,
        delivery,
        TAGS,
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
      return itemThread(
        `gh:${isPr ? 'pr' : 'issue'}:${repoName}#${num(issue.number)}`,
        delivery,
        TAGS,
        () => ({ ...prFields(repo, issue), kind: isPr ? 'pr' : 'issue', state: text(issue.state) === 'closed' ? 'closed' : 'open' }),
        (s) => {
          s.comments += 1;
          return `💬 ${md(login(comment.user))} ${link('commented', text(comment.html_url))}:\n> ${md(clip(text(comment.body).replace(/\s+/g, ' '), 300))}`;
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
      const pr = list(run.pull_requests)[0];
      const key = pr ? `gh:pr:${repoName}#${num(pr.number)}` : `gh:ci:${repoName}@${branch}`;
      const ended: Conclusion = CONCLUSIONS.has(conclusion as Conclusion) ? (conclusion as Conclusion) : 'neutral';
      return itemThread(
        key,
        delivery,
        ['github', 'ci'],
        () => (pr ? { ...prFields(repo, pr), title: `#${num(pr.number)}`, url: `${text(repo.html_url)}/pull/${num(pr.number)}` } : { ...prFields(repo, {}), kind: 'ci', state: branch }),
        (s) => recordRun(s, name, { conclusion: ended, url }, ` on \`${md(branch)}\``),
      );
    }
    default:
      return { kind: 'ignore', why: `the ${event || 'unnamed'} event is not shown` };
  }
}

/** GitHub's webhooks, signed with the key shown when the hook was made. */
export const githubReceiver: Receiver = {
  verify: (keys, d) =>
    keys.signingKey !== null && githubSignatureValid(keys.signingKey, d.rawBody, d.header('x-hub-signature-256'))
      ? null
      : 'X-Hub-Signature-256 is missing or does not match the body signed with this hook’s secret.',
  read: (d: Delivery) => githubEvent(d.header('x-github-event') ?? '', d.body, d.header('x-github-delivery') ?? ''),
};
