import { AppError } from '../../core/errors.js';
import { md, safeUrl } from './markdown.js';
import { basicAuthValid, typedPlan, type Receiver } from './receiver.js';

/**
 * Alertmanager's webhook (payload version 4), and Grafana alerting's (version 1: the same shape
 * with per-alert silence, dashboard and panel links), as one thread per alert group: the first
 * notification of a `groupKey` posts the root, later ones reply only when something changed (an
 * alert started firing, or resolved) and otherwise just bring the root's counts up to date, so a
 * repeat notification every `repeat_interval` never posts again. Alerts are told apart by their
 * `fingerprint`. Pure: the state in, what to post and the new state out.
 */

export interface AmAlert {
  status: 'firing' | 'resolved';
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL: string;
  fingerprint: string;
  /** Grafana's: a silence for this alert, its dashboard and panel. */
  silenceURL: string;
  dashboardURL: string;
  panelURL: string;
}

export type AlertSource = 'alertmanager' | 'grafana';

export interface AmPayload {
  source: AlertSource;
  version: string;
  groupKey: string;
  truncatedAlerts: number;
  status: 'firing' | 'resolved';
  receiver: string;
  groupLabels: Record<string, string>;
  commonLabels: Record<string, string>;
  commonAnnotations: Record<string, string>;
  externalURL: string;
  alerts: AmAlert[];
}

/** What the thread remembers of each alert, by fingerprint. */
export interface AlertState {
  status: 'firing' | 'resolved';
  name: string;
  summary: string;
  startsAt: string;
  endsAt: string | null;
  /** Notifications that carried this alert. */
  seen: number;
}

export interface GroupState {
  alerts: Record<string, AlertState>;
  notifications: number;
  lastAt: string;
  truncated: number;
}

export interface Plan {
  root: string;
  replies: string[];
  state: GroupState;
}

const MAX_ALERTS = 1_000;
const MAX_LISTED = 20;

function strings(v: unknown, field: string): Record<string, string> {
  if (v === undefined || v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v)) throw bad(`${field} must be an object of strings.`, field);
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) out[k] = typeof x === 'string' ? x : String(x);
  return out;
}
const bad = (message: string, field: string) => new AppError('invalid_request', message, { field: `/${field.replace(/\./g, '/')}` });
const str = (v: unknown, field: string, fallback?: string): string => {
  if (typeof v === 'string') return v;
  if (v === undefined && fallback !== undefined) return fallback;
  throw bad(`${field} must be a string.`, field);
};

/** Checks the shape Alertmanager sends; anything else is a typed 400 and posts nothing. */
export function parseAlertmanager(raw: unknown, source: AlertSource = 'alertmanager'): AmPayload {
  const who = source === 'grafana' ? 'Grafana' : 'Alertmanager';
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw bad(`The body must be ${who}’s webhook JSON object.`, '');
  const r = raw as Record<string, unknown>;
  const expected = source === 'grafana' ? '1' : '4';
  const version = str(r.version, 'version', expected);
  if (version !== expected) throw bad(`Payload version ${version} is not supported; ${who} sends version ${expected}.`, 'version');
  const groupKey = str(r.groupKey, 'groupKey');
  if (groupKey === '' || groupKey.length > 2_000) throw bad('groupKey must be 1 to 2000 characters.', 'groupKey');
  if (!Array.isArray(r.alerts) || r.alerts.length === 0) throw bad('alerts must be a non-empty list.', 'alerts');
  if (r.alerts.length > MAX_ALERTS) throw bad(`At most ${MAX_ALERTS} alerts per notification.`, 'alerts');
  const alerts = r.alerts.map((a: unknown, i: number): AmAlert => {
    if (a === null || typeof a !== 'object') throw bad('Each alert must be an object.', `alerts.${i}`);
    const x = a as Record<string, unknown>;
    const status = str(x.status, `alerts.${i}.status`);
    if (status !== 'firing' && status !== 'resolved') throw bad('An alert’s status is firing or resolved.', `alerts.${i}.status`);
    return {
      status,
      labels: strings(x.labels, `alerts.${i}.labels`),
      annotations: strings(x.annotations, `alerts.${i}.annotations`),
      startsAt: str(x.startsAt, `alerts.${i}.startsAt`, ''),
      endsAt: str(x.endsAt, `alerts.${i}.endsAt`, ''),
      generatorURL: str(x.generatorURL, `alerts.${i}.generatorURL`, ''),
      fingerprint: str(x.fingerprint, `alerts.${i}.fingerprint`, '') || JSON.stringify(strings(x.labels, `alerts.${i}.labels`)),
      silenceURL: str(x.silenceURL, `alerts.${i}.silenceURL`, ''),
      dashboardURL: str(x.dashboardURL, `alerts.${i}.dashboardURL`, ''),
      panelURL: str(x.panelURL, `alerts.${i}.panelURL`, ''),
    };
  });
  const status = str(r.status, 'status');
  if (status !== 'firing' && status !== 'resolved') throw bad('status is firing or resolved.', 'status');
  return {
    source,
    version,
    groupKey,
    truncatedAlerts: typeof r.truncatedAlerts === 'number' && r.truncatedAlerts > 0 ? Math.floor(r.truncatedAlerts) : 0,
    status,
    receiver: str(r.receiver, 'receiver', ''),
    groupLabels: strings(r.groupLabels, 'groupLabels'),
    commonLabels: strings(r.commonLabels, 'commonLabels'),
    commonAnnotations: strings(r.commonAnnotations, 'commonAnnotations'),
    externalURL: str(r.externalURL, 'externalURL', ''),
    alerts,
  };
}

const summaryOf = (a: AmAlert) => a.annotations.summary ?? a.annotations.description ?? a.annotations.message ?? '';
const nameOf = (a: AmAlert, p: AmPayload) => a.labels.alertname ?? p.commonLabels.alertname ?? p.groupLabels.alertname ?? 'alert';

function alertLine(a: AmAlert, p: AmPayload): string {
  const extra = Object.entries(a.labels)
    .filter(([k]) => k !== 'alertname' && p.commonLabels[k] === undefined)
    .map(([k, v]) => `${md(k)}=${md(v)}`)
    .join(', ');
  const link = safeUrl(a.generatorURL);
  const name = `**${md(nameOf(a, p))}**${extra ? ` (${extra})` : ''}`;
  const summary = summaryOf(a);
  const more = [
    safeUrl(a.panelURL) ? `[panel](${a.panelURL})` : safeUrl(a.dashboardURL) ? `[dashboard](${a.dashboardURL})` : null,
    a.status === 'firing' && safeUrl(a.silenceURL) ? `[silence](${a.silenceURL})` : null,
  ].filter(Boolean);
  return `- ${link ? `[${name}](${link})` : name}${summary ? `: ${md(summary)}` : ''}${more.length > 0 ? ` · ${more.join(' · ')}` : ''}`;
}

function list(alerts: AmAlert[], p: AmPayload): string {
  const shown = alerts.slice(0, MAX_LISTED).map((a) => alertLine(a, p));
  if (alerts.length > MAX_LISTED) shown.push(`- …and ${alerts.length - MAX_LISTED} more`);
  return shown.join('\n');
}

/** A link that opens Alertmanager's new-silence form for this group's labels (Grafana gives one per alert: the first firing one's). */
function silenceLink(p: AmPayload): string | null {
  if (p.source === 'grafana') return p.alerts.map((a) => (a.status === 'firing' ? safeUrl(a.silenceURL) : null)).find((u) => u !== null) ?? null;
  const base = safeUrl(p.externalURL);
  if (!base) return null;
  const matchers = Object.entries(p.groupLabels).map(([k, v]) => `${k}="${v}"`);
  return `${base.replace(/\/$/, '')}/#/silences/new?filter=${encodeURIComponent(`{${matchers.join(',')}}`)}`;
}

function rootText(p: AmPayload, s: GroupState): string {
  const all = Object.values(s.alerts);
  const firing = all.filter((a) => a.status === 'firing').length;
  const resolved = all.length - firing;
  const title = p.groupLabels.alertname ?? p.commonLabels.alertname ?? (Object.values(s.alerts)[0]?.name || 'Alerts');
  const scope = Object.entries(p.groupLabels)
    .filter(([k]) => k !== 'alertname')
    .map(([k, v]) => `${md(k)}=${md(v)}`)
    .join(', ');
  const head = firing > 0 ? `🔥 **${md(title)}** firing: ${firing}${resolved > 0 ? `, resolved: ${resolved}` : ''}` : `✅ **${md(title)}** resolved${all.length > 1 ? ` (all ${all.length})` : ''}`;
  const summary = p.commonAnnotations.summary ?? (all.length === 1 ? all[0]!.summary : '');
  const links = [
    safeUrl(p.externalURL) ? `[${p.source === 'grafana' ? 'Grafana' : 'Alertmanager'}](${p.externalURL})` : null,
    firing > 0 && silenceLink(p) ? `[Silence](${silenceLink(p)})` : null,
  ].filter(Boolean);
  const facts = [
    `notified ${s.notifications}×`,
    `last ${s.lastAt.replace('T', ' ').replace(/\.\d+Z$|Z$/, ' UTC')}`,
    ...(s.truncated > 0 ? [`${s.truncated} alerts not sent by Alertmanager`] : []),
    ...links,
  ];
  return [`${head}${scope ? ` · ${scope}` : ''}`, summary ? md(summary) : null, facts.join(' · ')].filter((x): x is string => x !== null).join('\n');
}

/**
 * The plan for one notification. `prior` is the group's state from earlier notifications (null
 * for the first). Replies say what changed; a repeat of the same alerts changes only the root.
 */
export function planAlertmanager(p: AmPayload, prior: GroupState | null, at: string): Plan {
  const alerts: Record<string, AlertState> = { ...(prior?.alerts ?? {}) };
  const started: AmAlert[] = [];
  const resolvedNow: AmAlert[] = [];
  for (const a of p.alerts) {
    const before = alerts[a.fingerprint];
    if (a.status === 'firing' && before?.status !== 'firing') started.push(a);
    if (a.status === 'resolved' && before?.status === 'firing') resolvedNow.push(a);
    alerts[a.fingerprint] = {
      status: a.status,
      name: nameOf(a, p),
      summary: summaryOf(a),
      startsAt: a.startsAt,
      endsAt: a.status === 'resolved' ? a.endsAt : null,
      seen: (before?.seen ?? 0) + 1,
    };
  }
  const state: GroupState = { alerts, notifications: (prior?.notifications ?? 0) + 1, lastAt: at, truncated: p.truncatedAlerts };
  const replies: string[] = [];
  if (started.length > 0) replies.push(`🔥 ${prior === null ? 'Firing' : 'Now firing'}:\n${list(started, p)}`);
  // Resolved in its first notification too (a short-lived alert): said once, as resolved.
  const resolvedFirst = prior === null ? p.alerts.filter((a) => a.status === 'resolved') : [];
  if (resolvedNow.length + resolvedFirst.length > 0) replies.push(`✅ Resolved:\n${list([...resolvedNow, ...resolvedFirst], p)}`);
  return { root: rootText(p, state), replies, state };
}

/** Alertmanager or Grafana: trusted by the URL's secret, and by basic auth when the hook was made with it. */
function alertReceiver(source: AlertSource): Receiver {
  return {
    verify: (keys, d) => (basicAuthValid(keys.basicAuth, d.header('authorization')) ? null : 'This hook wants HTTP basic auth, and the username or password is missing or wrong.'),
    read: (d) => {
      const payload = parseAlertmanager(d.body, source);
      return { kind: 'thread', key: `am:${payload.groupKey}`, tags: ['alert'], plan: typedPlan<GroupState>((prior) => planAlertmanager(payload, prior, d.at)) };
    },
  };
}

export const alertmanagerReceiver = alertReceiver('alertmanager');
export const grafanaReceiver = alertReceiver('grafana');
