/** What the receivers' tests share: a channel with a hook of a kind, and reading its threads back. */
import { randomUUID } from 'node:crypto';
import type { CreatedIncomingWebhook, CreateWebhookBody, HistoryPage, Message, ThreadPage, WebhookKind } from '@parley/protocol';
import { api, createConversation, type TestServer, type TestUser } from './harness.js';

export async function hookIn(
  server: TestServer,
  admin: TestUser,
  kind: WebhookKind,
  extra: Partial<CreateWebhookBody> = {},
  members: TestUser[] = [],
): Promise<{ convId: string; hook: CreatedIncomingWebhook }> {
  const convId = (await createConversation(server, admin.token, { kind: 'channel', name: `${kind}-${randomUUID().slice(0, 6)}`, visibility: 'private', member_ids: members.map((m) => m.user.id) })).id;
  const res = await api<CreatedIncomingWebhook>(server, 'POST', `/conversations/${convId}/webhooks`, { name: kind, kind, ...extra }, admin.token);
  if (res.status !== 201) throw new Error(`creating a ${kind} hook: ${res.status} ${JSON.stringify(res.body)}`);
  return { convId, hook: res.body };
}

/** The conversation's top-level messages (thread roots and single messages), oldest first. */
export async function rootsIn(server: TestServer, reader: TestUser, convId: string): Promise<Message[]> {
  return (await api<HistoryPage>(server, 'GET', `/conversations/${convId}/messages?limit=100`, undefined, reader.token)).body.messages.filter((m) => m.thread_root_id === null);
}

/** The first line of each reply in a thread. */
export async function replyLines(server: TestServer, reader: TestUser, rootId: string): Promise<string[]> {
  return (await api<ThreadPage>(server, 'GET', `/messages/${rootId}/thread`, undefined, reader.token)).body.replies.map((r) => r.body.split('\n')[0]!);
}

/** POSTs raw JSON as a service does; answers [status, body text]. */
export async function postAs(url: string, body: string, headers: Record<string, string> = {}): Promise<[number, string]> {
  const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  return [r.status, await r.text()];
}
