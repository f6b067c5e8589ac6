import type { CreatedIncomingWebhook, CreatedOutgoingWebhook, CreateOutgoingWebhookBody, IncomingWebhook, OutgoingEventKind, OutgoingWebhook, WebhookDelivery, WebhookKind } from '@parley/protocol';
import { printJson, time } from '../output.js';
import { CliError, Exit } from '../errors.js';
import { readStdin } from '../prompt.js';
import { clientFromConfig } from '../session.js';

const KINDS: Record<WebhookKind, string> = {
  slack: '',
  github: ' (GitHub: one thread per pull request and issue)',
  gitlab: ' (GitLab: one thread per merge request, issue and pipeline ref)',
  sentry: ' (Sentry: one thread per issue and metric alert)',
  alertmanager: ' (Alertmanager: one thread per alert group)',
  grafana: ' (Grafana: one thread per alert group)',
  ci: ' (CI: one thread per branch)',
};
const isKind = (k: string): k is WebhookKind => k in KINDS;

/** `parley webhook create #channel --name CI`: prints the secret URL once (stdout, for scripts). */
export async function createWebhook(target: string, opts: { name: string; icon?: string; kind?: string; secretStdin?: boolean; basicAuthUser?: string; json?: boolean }): Promise<void> {
  if (opts.kind !== undefined && !isKind(opts.kind)) throw new CliError(`--kind is one of ${Object.keys(KINDS).join(', ')}.`, Exit.usage);
  const kind = opts.kind ?? 'slack';
  if (kind === 'sentry' && !opts.secretStdin) throw new CliError('A sentry hook needs the Sentry integration’s Client Secret: pipe it in with --secret-stdin.', Exit.usage);
  if (opts.basicAuthUser !== undefined && !opts.secretStdin) throw new CliError('--basic-auth-user needs its password: pipe it in with --secret-stdin.', Exit.usage);
  const secret = opts.secretStdin ? (await readStdin()).replace(/\r?\n$/, '') : undefined;
  const client = clientFromConfig();
  const conv = await client.resolveTarget(target);
  const hook = await client.rest.request<CreatedIncomingWebhook>('POST', `/conversations/${conv.id}/webhooks`, {
    name: opts.name,
    ...(opts.icon ? { icon_url: opts.icon } : {}),
    ...(opts.kind ? { kind } : {}),
    ...(kind === 'sentry' ? { signing_secret: secret } : {}),
    ...(opts.basicAuthUser !== undefined ? { basic_auth: { username: opts.basicAuthUser, password: secret } } : {}),
  });
  if (opts.json) printJson(hook);
  else {
    process.stderr.write(`Webhook ${hook.id} posts into ${target} as "${hook.name}"${KINDS[hook.kind]}. Its URL is shown only once:\n`);
    process.stdout.write(`${hook.url}\n`);
    if (hook.signing_secret) {
      process.stderr.write(hook.kind === 'gitlab' ? 'The Secret token to give GitLab (Settings → Webhooks):\n' : 'The Secret to give GitHub (Settings → Webhooks; content type application/json):\n');
      process.stdout.write(`${hook.signing_secret}\n`);
    }
  }
}

export async function listWebhooks(target: string, opts: { json?: boolean }): Promise<void> {
  const client = clientFromConfig();
  const conv = await client.resolveTarget(target);
  const { webhooks } = await client.rest.request<{ webhooks: IncomingWebhook[] }>('GET', `/conversations/${conv.id}/webhooks`);
  for (const h of webhooks) {
    if (opts.json) printJson(h);
    else process.stdout.write(`${h.id}  ${h.name.padEnd(24)} created ${time(h.created_at)}${h.last_used_at ? `  last used ${time(h.last_used_at)}` : '  never used'}\n`);
  }
}

export async function rotateWebhook(id: string, opts: { json?: boolean }): Promise<void> {
  const hook = await clientFromConfig().rest.request<CreatedIncomingWebhook>('POST', `/webhooks/${encodeURIComponent(id)}/rotate`);
  if (opts.json) printJson(hook);
  else {
    process.stderr.write(`Webhook ${hook.id} has a new URL; the old one no longer works:\n`);
    process.stdout.write(`${hook.url}\n`);
  }
}

export async function revokeWebhook(id: string): Promise<void> {
  await clientFromConfig().rest.request('DELETE', `/webhooks/${encodeURIComponent(id)}`);
  process.stderr.write(`Webhook ${id} revoked.\n`);
}

/** `parley outgoing create #deploys --url https://ci.example.com/hook --trigger deploy`: the signing secret goes to stdout once. */
export async function createOutgoing(target: string, opts: { name: string; url: string; trigger?: string[]; events?: string; format?: string; icon?: string; json?: boolean }): Promise<void> {
  const client = clientFromConfig();
  const conv = await client.resolveTarget(target);
  const body: CreateOutgoingWebhookBody = {
    name: opts.name,
    url: opts.url,
    ...(opts.trigger && opts.trigger.length > 0 ? { trigger_words: opts.trigger } : {}),
    ...(opts.events ? { events: opts.events.split(',').map((e) => e.trim()) as OutgoingEventKind[] } : {}),
    ...(opts.format ? { format: opts.format as 'json' | 'slack' } : {}),
    ...(opts.icon ? { icon_url: opts.icon } : {}),
  };
  const hook = await client.rest.request<CreatedOutgoingWebhook>('POST', `/conversations/${conv.id}/outgoing-webhooks`, body);
  if (opts.json) printJson(hook);
  else {
    process.stderr.write(
      `Outgoing webhook ${hook.id} sends ${target}'s ${hook.events.join(', ')} events to ${hook.url}` +
        `${hook.trigger_words.length > 0 ? ` (messages starting with ${hook.trigger_words.join(', ')})` : ''}.\n` +
        `Its signing secret is shown only once${hook.format === 'slack' ? ' (then the Slack verification token)' : ''}:\n`,
    );
    process.stdout.write(`${hook.secret}\n${hook.format === 'slack' ? `${hook.token}\n` : ''}`);
  }
}

export async function listOutgoing(target: string, opts: { json?: boolean }): Promise<void> {
  const client = clientFromConfig();
  const conv = await client.resolveTarget(target);
  const { webhooks } = await client.rest.request<{ webhooks: OutgoingWebhook[] }>('GET', `/conversations/${conv.id}/outgoing-webhooks`);
  for (const h of webhooks) {
    if (opts.json) printJson(h);
    else {
      const on = h.trigger_words.length > 0 ? `on ${h.trigger_words.join(' ')}` : h.events.join(',');
      process.stdout.write(`${h.id}  ${h.name.padEnd(20)} ${on.padEnd(20)} ${h.url}\n`);
    }
  }
}

export async function rotateOutgoing(id: string, opts: { json?: boolean }): Promise<void> {
  const hook = await clientFromConfig().rest.request<CreatedOutgoingWebhook>('POST', `/outgoing-webhooks/${encodeURIComponent(id)}/rotate`);
  if (opts.json) printJson(hook);
  else {
    process.stderr.write(`Outgoing webhook ${hook.id} signs with a new secret from now on:\n`);
    process.stdout.write(`${hook.secret}\n${hook.format === 'slack' ? `${hook.token}\n` : ''}`);
  }
}

export async function revokeOutgoing(id: string): Promise<void> {
  await clientFromConfig().rest.request('DELETE', `/outgoing-webhooks/${encodeURIComponent(id)}`);
  process.stderr.write(`Outgoing webhook ${id} revoked; its pending deliveries are dropped.\n`);
}

/** Newest first: when, what, how it went. */
export async function listDeliveries(id: string, opts: { state?: string; limit?: string; json?: boolean }): Promise<void> {
  const q = new URLSearchParams();
  if (opts.state) q.set('state', opts.state);
  if (opts.limit) q.set('limit', opts.limit);
  const { deliveries } = await clientFromConfig().rest.request<{ deliveries: WebhookDelivery[] }>('GET', `/outgoing-webhooks/${encodeURIComponent(id)}/deliveries${q.size > 0 ? `?${q}` : ''}`);
  for (const d of deliveries) {
    if (opts.json) printJson(d);
    else {
      const how = [d.status_code !== null ? `HTTP ${d.status_code}` : null, d.latency_ms !== null ? `${d.latency_ms} ms` : null, `${d.attempts} attempt${d.attempts === 1 ? '' : 's'}`]
        .filter((x) => x !== null)
        .join(', ');
      const next = d.next_attempt_at ? `  next ${time(d.next_attempt_at)}` : '';
      process.stdout.write(`${d.id}  ${time(d.created_at)}  ${d.event_type.padEnd(16)} ${d.state.padEnd(9)} ${how}${next}${d.error ? `  ${d.error}` : ''}\n`);
    }
  }
}

export async function redeliver(id: string, deliveryId: string, opts: { json?: boolean }): Promise<void> {
  const d = await clientFromConfig().rest.request<WebhookDelivery>('POST', `/outgoing-webhooks/${encodeURIComponent(id)}/deliveries/${encodeURIComponent(deliveryId)}/redeliver`);
  if (opts.json) printJson(d);
  else process.stderr.write(`Delivery ${d.id} is queued again.\n`);
}
