import type { CreatedIncomingWebhook, IncomingWebhook } from '@parley/protocol';
import { printJson, time } from '../output.js';
import { clientFromConfig } from '../session.js';

/** `parley webhook create #channel --name CI`: prints the secret URL once (stdout, for scripts). */
export async function createWebhook(target: string, opts: { name: string; icon?: string; json?: boolean }): Promise<void> {
  const client = clientFromConfig();
  const conv = await client.resolveTarget(target);
  const hook = await client.rest.request<CreatedIncomingWebhook>('POST', `/conversations/${conv.id}/webhooks`, { name: opts.name, ...(opts.icon ? { icon_url: opts.icon } : {}) });
  if (opts.json) printJson(hook);
  else {
    process.stderr.write(`Webhook ${hook.id} posts into ${target} as "${hook.name}". Its URL is shown only once:\n`);
    process.stdout.write(`${hook.url}\n`);
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
