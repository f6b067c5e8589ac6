import { AppError } from '../../core/errors.js';
import { md, safeUrl } from './markdown.js';
import { clip, hmacHex, num, obj, sameSecret, text, typedPlan, type Delivery, type Outcome, type Receiver } from './receiver.js';
import type { ThreadPlan } from './threads.js';

/**
 * Sentry's integration-platform webhooks (an internal integration's): each Sentry issue is one
 * thread, whether it arrives as an `issue` change or as issue-alert (`event_alert`) events; a
 * metric alert is one thread per incident. Repeated events never post again: the root counts
 * them ("×12 in the last hour"); a state change (resolved, regressed, assigned, archived) is a
 * reply. Field names are those of Sentry's "Integration Platform: Webhooks" documentation.
 */

type Obj = Record<string, unknown>;
const HOUR = 3_600_000;
const RECENT = 500;
const SEEN = 50;

export interface SentryState {
  kind: 'issue' | 'metric';
  title: string;
  shortId: string;
  url: string;
  project: string;
  level: string;
  culprit: string;
  /** unresolved, resolved, ignored; for a metric alert: critical, warning, resolved. */
  status: string;
  assignee: string;
  /** Sentry's own totals for the issue, as last reported. */
  count: number;
  users: number;
  /** When each alert event arrived here (ms), the last hour's. */
  recent: number[];
  alerts: number;
  lastAt: string;
  seen: string[];
}

const ICON: Record<string, string> = { unresolved: '🐞', resolved: '✅', ignored: '🔕', critical: '🔥', warning: '⚠️' };

function rootOf(s: SentryState, at: number): string {
  const inHour = s.recent.filter((t) => at - t < HOUR).length;
  const name = s.kind === 'issue' ? (s.shortId ? `${md(s.shortId)}: ${md(s.title)}` : md(s.title)) : md(s.title);
  const head = `${ICON[s.status] ?? '🐞'} **${safeUrl(s.url) ? `[${name}](${s.url})` : name}**${s.project ? ` in ${md(s.project)}` : ''}`;
  const facts = [
    s.status,
    s.level && s.kind === 'issue' ? s.level : null,
    inHour > 1 ? `×${inHour} in the last hour` : null,
    s.count > 0 ? `${s.count} event${s.count === 1 ? '' : 's'}` : null,
    s.users > 0 ? `${s.users} user${s.users === 1 ? '' : 's'}` : null,
    s.assignee ? `assigned to ${md(s.assignee)}` : null,
    `last ${s.lastAt.replace('T', ' ').replace(/\.\d+Z$|Z$/, ' UTC')}`,
  ].filter((x): x is string => !!x);
  return [head, s.culprit ? `\`${md(clip(s.culprit, 200))}\`` : null, facts.join(' · ')].filter((x): x is string => x !== null).join('\n');
}

function issueState(issue: Obj, at: string): SentryState {
  return {
    kind: 'issue',
    title: text(issue.title),
    shortId: text(issue.shortId),
    url: text(issue.web_url) || text(issue.permalink),
    project: text(obj(issue.project).slug) || text(obj(issue.project).name),
    level: text(issue.level),
    culprit: text(issue.culprit),
    status: 'unresolved',
    assignee: '',
    count: num(issue.count),
    users: num(issue.userCount),
    recent: [],
    alerts: 0,
    lastAt: at,
    seen: [],
  };
}

/** One thread plan: `change` moves the state and says what happened (null: only the root changes). */
function plan(key: string, delivery: string, at: string, init: () => SentryState, change: (s: SentryState, ms: number) => string | null): Outcome {
  const ms = Date.parse(at);
  return {
    kind: 'thread',
    key,
    tags: ['sentry'],
    plan: typedPlan<SentryState>((prior): ThreadPlan<SentryState> => {
      if (prior && delivery && prior.seen.includes(delivery)) return { root: rootOf(prior, ms), replies: [], state: prior };
      const s: SentryState = prior ? { ...prior, recent: prior.recent.filter((t) => ms - t < HOUR) } : init();
      const said = change(s, ms);
      s.lastAt = at;
      s.seen = delivery ? [...s.seen, delivery].slice(-SEEN) : s.seen;
      return { root: rootOf(s, ms), replies: said ? [said] : [], state: s };
    }),
  };
}

/** What one Sentry webhook does. `resource` is `Sentry-Hook-Resource`; `delivery` is `Request-ID`. */
export function sentryEvent(resource: string, raw: unknown, delivery: string, at: string): Outcome {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new AppError('invalid_request', 'The body must be Sentry’s webhook JSON object.');
  const p = raw as Obj;
  const data = obj(p.data);
  const action = text(p.action);
  const actor = text(obj(p.actor).name) || 'Sentry';
  switch (resource) {
    case 'issue': {
      const issue = obj(data.issue);
      if (!text(issue.id)) throw new AppError('invalid_request', 'data.issue.id is required.', { field: '/data/issue/id' });
      const said: Record<string, (s: SentryState) => string | null> = {
        created: () => `🆕 New issue${text(issue.level) ? ` (${md(text(issue.level))})` : ''}: ${md(text(issue.title))}`,
        resolved: () => `✅ ${md(actor)} resolved it${text(obj(issue.statusDetails).inRelease) ? ` in ${md(text(obj(issue.statusDetails).inRelease))}` : ''}`,
        unresolved: () => (text(issue.substatus) === 'regressed' ? '🔁 It regressed' : text(issue.substatus) === 'escalating' ? '📈 It is escalating' : `🐞 ${md(actor)} marked it unresolved`),
        ignored: () => `🔕 ${md(actor)} archived it`,
        archived: () => `🔕 ${md(actor)} archived it`,
        assigned: (s) => `👤 ${md(actor)} assigned it to ${md(s.assignee || 'someone')}`,
      };
      const say = said[action];
      if (!say) return { kind: 'ignore', why: `issue ${action}` };
      return plan(
        `sentry:issue:${text(issue.id)}`,
        delivery,
        at,
        () => issueState(issue, at),
        (s) => {
          const status = text(issue.status);
          s.status = status === 'resolved' ? 'resolved' : status === 'ignored' || status === 'archived' ? 'ignored' : 'unresolved';
          if (num(issue.count) > 0) s.count = num(issue.count);
          if (num(issue.userCount) > 0) s.users = num(issue.userCount);
          if (text(issue.title)) s.title = text(issue.title);
          const assigned = obj(issue.assignedTo);
          if (action === 'assigned') s.assignee = text(assigned.name) || text(assigned.email) || text(obj(data).assignee) || s.assignee;
          return say(s);
        },
      );
    }
    case 'event_alert': {
      const event = obj(data.event);
      const issueId = text(event.issue_id);
      if (!issueId) throw new AppError('invalid_request', 'data.event.issue_id is required.', { field: '/data/event/issue_id' });
      const rule = text(data.triggered_rule);
      return plan(
        `sentry:issue:${issueId}`,
        delivery,
        at,
        () => ({
          ...issueState({}, at),
          title: text(event.title) || text(event.message),
          url: text(event.web_url).replace(/\/events\/[^/]+\/?$/, '/'),
          level: text(event.level),
          culprit: text(event.culprit),
        }),
        (s, ms) => {
          s.recent = [...s.recent, ms].slice(-RECENT);
          s.alerts += 1;
          const link = safeUrl(text(event.web_url)) ? `[the event](${text(event.web_url)})` : 'an event';
          // The first alert, or one after the issue was resolved, is news; a repeat only counts.
          if (s.alerts === 1) return `🔔 ${rule ? `“${md(rule)}” triggered` : 'Alert triggered'} by ${link}`;
          if (s.status === 'resolved') {
            s.status = 'unresolved';
            return `🔁 It happened again after it was resolved: ${link}`;
          }
          return null;
        },
      );
    }
    case 'metric_alert': {
      const alert = obj(data.metric_alert);
      const id = text(alert.id) || text(alert.identifier);
      if (!id) throw new AppError('invalid_request', 'data.metric_alert.id is required.', { field: '/data/metric_alert/id' });
      if (!['critical', 'warning', 'resolved'].includes(action)) return { kind: 'ignore', why: `metric_alert ${action}` };
      const rule = obj(alert.alert_rule);
      return plan(
        `sentry:metric:${id}`,
        delivery,
        at,
        () => ({ ...issueState({}, at), kind: 'metric', title: text(rule.name) || text(data.description_title) || 'Metric alert', url: text(data.web_url), status: action }),
        (s) => {
          const before = s.status;
          s.status = action;
          if (before === action && s.alerts > 0) return null;
          s.alerts += 1;
          const icon = ICON[action] ?? '🔔';
          return `${icon} ${md(text(data.description_title) || action)}${text(data.description_text) ? `\n> ${md(clip(text(data.description_text).replace(/\s+/g, ' '), 300))}` : ''}`;
        },
      );
    }
    case 'comment': {
      if (action !== 'created') return { kind: 'ignore', why: `comment ${action}` };
      const issueId = text(data.issue_id);
      if (!issueId) return { kind: 'ignore', why: 'a comment without an issue' };
      return plan(
        `sentry:issue:${issueId}`,
        delivery,
        at,
        () => ({ ...issueState({}, at), title: `Sentry issue ${issueId}` }),
        () => `💬 ${md(actor)}:\n> ${md(clip(text(data.comment).replace(/\s+/g, ' '), 300))}`,
      );
    }
    default:
      return { kind: 'ignore', why: `the ${resource || 'unnamed'} resource is not shown` };
  }
}

/** `Sentry-Hook-Signature`: the hex HMAC-SHA256 of the body as sent, keyed with the integration's client secret. */
export function sentrySignatureValid(clientSecret: string, rawBody: Buffer | string, header: string | undefined): boolean {
  return sameSecret(header, hmacHex(clientSecret, rawBody));
}

export const sentryReceiver: Receiver = {
  keyFromService: true,
  verify: (keys, d) =>
    keys.signingKey !== null && sentrySignatureValid(keys.signingKey, d.rawBody, d.header('sentry-hook-signature'))
      ? null
      : 'Sentry-Hook-Signature is missing or does not match the body signed with the client secret this hook was given.',
  read: (d: Delivery) => sentryEvent(d.header('sentry-hook-resource') ?? '', d.body, d.header('request-id') ?? '', d.at),
};
