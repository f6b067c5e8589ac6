import type {
  ApiToken,
  AuditEntry,
  AuditFilters,
  Conversation,
  CreatedApiToken,
  CreatedIncomingWebhook,
  CreatedOutgoingWebhook,
  CreateOutgoingWebhookBody,
  CreateWebhookBody,
  IncomingWebhook,
  Lockout,
  LockoutList,
  Member,
  MemberRole,
  MessageEdit,
  OutgoingWebhook,
  PushSettings,
  PushSubscribeBody,
  PushSubscription,
  Session,
  TagCount,
  TokenScope,
  User,
  WebhookDelivery,
  WebhookKind,
  WorkspaceSettings,
  WorkspaceSettingsPatch,
} from '@parley/protocol';
import type { Parley } from '@parley/sdk';

/**
 * The web client's REST calls whose answers go back to the screen that asked and change nothing
 * the chat store holds: sessions, tokens and bots, webhooks, lockouts, the audit log, workspace
 * settings, push subscriptions, member changes (their log events update the store). Calls whose
 * answers the store takes in (conversations, messages, me) stay in the store. `store.api`.
 */
export class RestCalls {
  constructor(private readonly client: () => Parley) {}

  browseChannels(query: string): Promise<Conversation[]> {
    return this.client()
      .rest.request<{ conversations: Conversation[] }>('GET', `/channels?query=${encodeURIComponent(query)}&limit=100`)
      .then((r) => r.conversations);
  }

  listSessions(): Promise<Session[]> {
    return this.client()
      .rest.request<{ sessions: Session[] }>('GET', '/sessions')
      .then((r) => r.sessions);
  }

  revokeSession(id: string): Promise<void> {
    return this.client().rest.request<void>('DELETE', `/sessions/${id}`);
  }

  /** Sign-in lockouts and recent failures (owners and admins). */
  listLockouts(): Promise<Lockout[]> {
    return this.client()
      .rest.request<LockoutList>('GET', '/admin/lockouts')
      .then((r) => r.lockouts);
  }

  clearLockout(key: string): Promise<void> {
    return this.client().rest.request<void>('DELETE', `/admin/lockouts/${encodeURIComponent(key)}`);
  }

  /** A page of the audit log, newest first (owners and admins). */
  auditLog(filters: AuditFilters): Promise<AuditEntry[]> {
    return this.client().audit(filters);
  }

  setTopic(convId: string, topic: string): Promise<Conversation> {
    return this.client().rest.request<Conversation>('PATCH', `/conversations/${convId}`, { topic });
  }

  invite(convId: string, userId: string): Promise<Conversation> {
    return this.client().rest.request<Conversation>('POST', `/conversations/${convId}/members`, { user_id: userId });
  }

  leave(convId: string): Promise<void> {
    return this.client().rest.request<void>('POST', `/conversations/${convId}/leave`);
  }

  removeMember(convId: string, userId: string): Promise<void> {
    return this.client().removeMember(convId, userId);
  }

  setMemberRole(convId: string, userId: string, role: MemberRole): Promise<Member> {
    return this.client().setMemberRole(convId, userId, role);
  }

  messageEdits(messageId: string): Promise<MessageEdit[]> {
    return this.client().messageEdits(messageId);
  }

  listTokens(): Promise<ApiToken[]> {
    return this.client()
      .rest.request<{ tokens: ApiToken[] }>('GET', '/tokens')
      .then((r) => r.tokens);
  }

  listBots(): Promise<User[]> {
    return this.client()
      .rest.request<{ bots: User[] }>('GET', '/bots')
      .then((r) => r.bots);
  }

  /** A token for me or one of my bots; `scopes` left out gives it all of them. */
  createToken(name: string, userId?: string, scopes?: readonly TokenScope[]): Promise<CreatedApiToken> {
    return this.client().rest.request<CreatedApiToken>('POST', '/tokens', { name, ...(userId ? { user_id: userId } : {}), ...(scopes ? { scopes } : {}) });
  }

  createBot(username: string): Promise<User> {
    return this.client().rest.request<User>('POST', '/bots', { username });
  }

  /** Deactivates a bot of mine: its tokens stop, its sockets close. */
  removeBot(id: string): Promise<void> {
    return this.client().rest.request<void>('DELETE', `/bots/${id}`);
  }

  revokeToken(id: string): Promise<void> {
    return this.client().rest.request<void>('DELETE', `/tokens/${id}`);
  }

  /** The two-factor routes under /me/2fa (settings/TwoFactorSection.tsx). */
  twoFactor<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    return this.client().rest.request<T>(method, path, body);
  }

  /** The workspace's run-time settings (owners and admins); with a patch, changed first. */
  workspaceSettings(patch?: WorkspaceSettingsPatch): Promise<WorkspaceSettings> {
    return this.client().rest.request<WorkspaceSettings>(patch ? 'PATCH' : 'GET', '/admin/settings', patch);
  }

  /** The conversation's tags with how many messages carry each, most used first. */
  listTags(convId: string): Promise<TagCount[]> {
    return this.client()
      .rest.request<{ tags: TagCount[] }>('GET', `/conversations/${convId}/tags`)
      .then((r) => r.tags);
  }

  listWebhooks(convId: string): Promise<IncomingWebhook[]> {
    return this.client()
      .rest.request<{ webhooks: IncomingWebhook[] }>('GET', `/conversations/${convId}/webhooks`)
      .then((r) => r.webhooks);
  }

  /** `extra`: a Sentry hook's client secret, an alert hook's basic auth. */
  createWebhook(convId: string, name: string, kind: WebhookKind = 'slack', extra: Pick<CreateWebhookBody, 'signing_secret' | 'basic_auth'> = {}): Promise<CreatedIncomingWebhook> {
    return this.client().rest.request<CreatedIncomingWebhook>('POST', `/conversations/${convId}/webhooks`, { name, kind, ...extra });
  }

  rotateWebhook(id: string): Promise<CreatedIncomingWebhook> {
    return this.client().rest.request<CreatedIncomingWebhook>('POST', `/webhooks/${id}/rotate`);
  }

  revokeWebhook(id: string): Promise<void> {
    return this.client().rest.request<void>('DELETE', `/webhooks/${id}`);
  }

  listOutgoingWebhooks(convId: string): Promise<OutgoingWebhook[]> {
    return this.client()
      .rest.request<{ webhooks: OutgoingWebhook[] }>('GET', `/conversations/${convId}/outgoing-webhooks`)
      .then((r) => r.webhooks);
  }

  createOutgoingWebhook(convId: string, body: CreateOutgoingWebhookBody): Promise<CreatedOutgoingWebhook> {
    return this.client().rest.request<CreatedOutgoingWebhook>('POST', `/conversations/${convId}/outgoing-webhooks`, body);
  }

  rotateOutgoingWebhook(id: string): Promise<CreatedOutgoingWebhook> {
    return this.client().rest.request<CreatedOutgoingWebhook>('POST', `/outgoing-webhooks/${id}/rotate`);
  }

  revokeOutgoingWebhook(id: string): Promise<void> {
    return this.client().rest.request<void>('DELETE', `/outgoing-webhooks/${id}`);
  }

  /** The hook's latest deliveries, newest first. */
  listDeliveries(hookId: string, limit = 50): Promise<WebhookDelivery[]> {
    return this.client()
      .rest.request<{ deliveries: WebhookDelivery[] }>('GET', `/outgoing-webhooks/${hookId}/deliveries?limit=${limit}`)
      .then((r) => r.deliveries);
  }

  redeliver(hookId: string, deliveryId: string): Promise<WebhookDelivery> {
    return this.client().rest.request<WebhookDelivery>('POST', `/outgoing-webhooks/${hookId}/deliveries/${deliveryId}/redeliver`);
  }

  /** Web Push on this device: the server's key, my previews setting and subscriptions. */
  pushSettings(): Promise<PushSettings> {
    return this.client().pushSettings();
  }

  setPushPreviews(previews: boolean): Promise<PushSettings> {
    return this.client().setPushPreviews(previews);
  }

  subscribePush(subscription: PushSubscribeBody): Promise<PushSubscription> {
    return this.client().subscribePush(subscription);
  }

  unsubscribePush(id: string): Promise<void> {
    return this.client().unsubscribePush(id);
  }

  /** `/remind me in 10m …`: the server reads the time in this browser's zone and confirms only to me, here. */
  async createReminder(convId: string, text: string): Promise<void> {
    const tz = Intl.DateTimeFormat().resolvedOptions().timeZone;
    await this.client().rest.request<unknown>('POST', '/reminders', { conv_id: convId, text, ...(tz ? { tz } : {}) });
  }
}
