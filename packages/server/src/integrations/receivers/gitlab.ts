import { AppError } from '../../core/errors.js';
import { md } from './markdown.js';
import { clip, firstLine, list, num, obj, sameSecret, text, type Delivery, type Outcome, type Receiver } from './receiver.js';
import { itemThread, link, newItem, recordRun, type Conclusion, type ItemState } from './work-items.js';

/**
 * GitLab's project webhooks as threads: each merge request and issue is one thread (notes,
 * approvals, pipelines, merge: replies; the root says where it stands); a ref's pipelines
 * outside a merge request share a thread per ref; pushes, tag pushes and releases are single
 * messages. Field names are those of GitLab's "Webhook events" documentation; the event kind is
 * read from the body's `object_kind`, which every payload carries.
 */

type Obj = Record<string, unknown>;
const TAGS = ['gitlab'];
const ZERO_SHA = /^0+$/;

const who = (u: unknown) => text(obj(u).username) || text(obj(u).name) || 'someone';

/** GitLab's pipeline and job statuses in GitHub's words: '' while it has not finished. */
const STATUS: Record<string, Conclusion> = { success: 'success', failed: 'failure', canceled: 'cancelled', canceling: 'cancelled', skipped: 'skipped', manual: 'neutral' };
export const gitlabConclusion = (status: string): Conclusion => STATUS[status] ?? '';

function mrItem(project: Obj, mr: Obj, author: string): ItemState {
  const path = text(project.path_with_namespace);
  return newItem('mr', `${path}!${num(mr.iid)}`, { repo: path, repoUrl: text(project.web_url), number: num(mr.iid), title: text(mr.title), url: text(mr.url), author });
}

function issueItem(project: Obj, issue: Obj, author: string): ItemState {
  const path = text(project.path_with_namespace);
  return newItem('issue', `${path}#${num(issue.iid)}`, { repo: path, repoUrl: text(project.web_url), number: num(issue.iid), title: text(issue.title), url: text(issue.url), author });
}

const mrState = (mr: Obj) => {
  const state = text(mr.state);
  return state === 'merged' ? 'merged' : state === 'closed' || state === 'locked' ? 'closed' : mr.draft === true || mr.work_in_progress === true ? 'draft' : 'open';
};

/** What one GitLab event does. `delivery` is GitLab's id for the request (the same on a retry). */
export function gitlabEvent(raw: unknown, delivery: string): Outcome {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new AppError('invalid_request', 'The body must be GitLab’s webhook JSON object.');
  const p = raw as Obj;
  const project = obj(p.project);
  const path = text(project.path_with_namespace);
  const projectLink = link(md(path), text(project.web_url));
  const user = who(p.user) === 'someone' ? text(p.user_username) || text(p.user_name) || 'someone' : who(p.user);
  const kind = text(p.object_kind);
  const message = (body: string, tags = TAGS): Outcome => ({ kind: 'message', body, dedupe: delivery || null, tags });
  switch (kind) {
    case 'push':
    case 'tag_push': {
      const ref = text(p.ref).replace(/^refs\/(heads|tags)\//, '');
      if (ZERO_SHA.test(text(p.after))) return message(`🗑️ ${md(user)} deleted ${kind === 'tag_push' ? 'tag' : 'branch'} \`${md(ref)}\` in ${projectLink}`);
      if (kind === 'tag_push') return message(`🏷️ ${md(user)} pushed tag \`${md(ref)}\` in ${projectLink}`);
      const commits = list(p.commits);
      const total = num(p.total_commits_count) || commits.length;
      if (total === 0) return { kind: 'ignore', why: 'a push without commits' };
      const lines = commits.slice(0, 10).map((c) => `- ${link(`\`${text(c.id).slice(0, 8)}\``, text(c.url))} ${md(firstLine(text(c.title) || text(c.message)))} — ${md(text(obj(c.author).name))}`);
      if (total > lines.length) lines.push(`- …and ${total - lines.length} more`);
      return message([`📦 ${md(user)} pushed ${total} commit${total === 1 ? '' : 's'} to \`${md(ref)}\` in ${projectLink}`, ...lines].join('\n'));
    }
    case 'release': {
      if (text(p.action) !== 'create') return { kind: 'ignore', why: `release ${text(p.action)}` };
      return message(`🚀 ${link(md(text(p.name) || text(p.tag)), text(p.url))} released in ${projectLink}`, ['gitlab', 'release']);
    }
    case 'merge_request': {
      const mr = obj(p.object_attributes);
      const action = text(mr.action);
      const approve = (s: ItemState, yes: boolean): string => {
        if (yes) s.reviews[user] = 'approved';
        else delete s.reviews[user];
        return yes ? `✅ ${md(user)} approved it` : `↩️ ${md(user)} took back their approval`;
      };
      const said: Record<string, (s: ItemState) => string | null> = {
        open: () =>
          `🟢 ${md(user)} opened it (\`${md(text(mr.source_branch))}\` → \`${md(text(mr.target_branch))}\`)${text(mr.description) ? `:\n> ${md(clip(firstLine(text(mr.description)), 200))}` : ''}`,
        reopen: () => `🟢 ${md(user)} reopened it`,
        close: () => `🔴 ${md(user)} closed it`,
        merge: () => `🟣 ${md(user)} merged it ✅`,
        approved: (s) => approve(s, true),
        approval: (s) => approve(s, true),
        unapproved: (s) => approve(s, false),
        unapproval: (s) => approve(s, false),
        // An update with `oldrev` is new commits; other updates (title, labels) change only the root.
        update: () =>
          text(mr.oldrev) ? `⬆️ ${md(user)} pushed to \`${md(text(mr.source_branch))}\` (${link(`\`${text(obj(mr.last_commit).id).slice(0, 8)}\``, text(obj(mr.last_commit).url))})` : null,
      };
      const say = said[action];
      if (!say) return { kind: 'ignore', why: `merge_request ${action || 'without an action'}` };
      return itemThread(
        `gl:mr:${path}!${num(mr.iid)}`,
        delivery,
        TAGS,
        () => mrItem(project, mr, who(p.user)),
        (s) => {
          if (text(mr.title)) s.title = text(mr.title);
          s.state = mrState(mr);
          return say(s);
        },
      );
    }
    case 'issue':
    case 'work_item': {
      const issue = obj(p.object_attributes);
      const action = text(issue.action);
      const said: Record<string, string | null> = { open: `🟢 ${md(user)} opened it`, close: `🔴 ${md(user)} closed it`, reopen: `🟢 ${md(user)} reopened it`, update: null };
      if (!(action in said)) return { kind: 'ignore', why: `issue ${action || 'without an action'}` };
      return itemThread(
        `gl:issue:${path}#${num(issue.iid)}`,
        delivery,
        TAGS,
        () => issueItem(project, issue, who(p.user)),
        (s) => {
          if (text(issue.title)) s.title = text(issue.title);
          s.state = text(issue.state) === 'closed' ? 'closed' : 'open';
          return said[action] ?? null;
        },
      );
    }
    case 'note': {
      const note = obj(p.object_attributes);
      const type = text(note.noteable_type);
      const on = type === 'MergeRequest' ? obj(p.merge_request) : type === 'Issue' ? obj(p.issue) : null;
      if (!on) return { kind: 'ignore', why: `a note on a ${type || 'thing'} is not shown` };
      const isMr = type === 'MergeRequest';
      return itemThread(
        isMr ? `gl:mr:${path}!${num(on.iid)}` : `gl:issue:${path}#${num(on.iid)}`,
        delivery,
        TAGS,
        () => {
          const s = isMr ? mrItem(project, on, 'someone') : issueItem(project, on, 'someone');
          s.state = isMr ? mrState(on) : text(on.state) === 'closed' ? 'closed' : 'open';
          return s;
        },
        (s) => {
          s.comments += 1;
          return `💬 ${md(user)} ${link('commented', text(note.url))}:\n> ${md(clip(text(note.note).replace(/\s+/g, ' '), 300))}`;
        },
      );
    }
    case 'pipeline': {
      const pl = obj(p.object_attributes);
      const conclusion = gitlabConclusion(text(pl.status));
      const ref = text(pl.ref);
      const url = text(pl.url) || `${text(project.web_url)}/-/pipelines/${num(pl.id)}`;
      const failed = list(p.builds)
        .filter((b) => text(b.status) === 'failed' && b.allow_failure !== true)
        .sort((a, b) => num(a.id) - num(b.id))
        .map((b) => ({ name: text(b.name) || `job ${num(b.id)}`, url: `${text(project.web_url)}/-/jobs/${num(b.id)}` }));
      const mr = p.merge_request ? obj(p.merge_request) : null;
      const key = mr && num(mr.iid) > 0 ? `gl:mr:${path}!${num(mr.iid)}` : `gl:ci:${path}@${ref}`;
      return itemThread(
        key,
        delivery,
        ['gitlab', 'ci'],
        () => (mr && num(mr.iid) > 0 ? { ...mrItem(project, mr, 'someone'), state: mrState(mr) } : newItem('ci', ref, { repo: path, repoUrl: text(project.web_url), state: ref })),
        (s) => recordRun(s, 'pipeline', { conclusion, url, ...(failed.length > 0 ? { failed } : {}) }, ` on \`${md(ref)}\` (${link(`#${num(pl.id)}`, url)})`),
      );
    }
    default:
      return { kind: 'ignore', why: `the ${kind || 'unnamed'} event is not shown` };
  }
}

/** GitLab's webhooks: `X-Gitlab-Token` carries the Secret token given to GitLab (the key shown when the hook was made). */
export const gitlabReceiver: Receiver = {
  verify: (keys, d) => (keys.signingKey !== null && sameSecret(d.header('x-gitlab-token'), keys.signingKey) ? null : 'X-Gitlab-Token is missing or is not this hook’s secret token.'),
  // GitLab sends the same Idempotency-Key when it retries a request (older versions: the event UUID).
  read: (d: Delivery) => gitlabEvent(d.body, d.header('idempotency-key') ?? d.header('x-gitlab-event-uuid') ?? ''),
};
