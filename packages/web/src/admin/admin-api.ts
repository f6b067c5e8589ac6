import type { AdminChannelList, AdminIntegration, AdminIntegrationList, AdminUserList, ClusterStats, Conversation, MessageTrace, RevokedSessions, Session, User } from '@parley/protocol';
import type { ChatStore } from '../chat/store';

/**
 * The admin console's calls, kept with the console (its own chunk) rather than on the chat store:
 * users (`/admin/users`), their sessions, channels, live figures; archiving is the conversation's
 * own `PATCH /conversations/{id}`.
 */
export class AdminApi {
  constructor(private readonly store: ChatStore) {}

  private rest() {
    const client = this.store.client;
    if (!client) throw new Error('Not connected yet.');
    return client.rest;
  }

  users(query: string): Promise<AdminUserList> {
    return this.rest().request<AdminUserList>('GET', `/admin/users?limit=50${query ? `&query=${encodeURIComponent(query)}` : ''}`);
  }

  updateUser(id: string, change: { role?: User['role']; deactivated?: boolean; email?: string | null }): Promise<User> {
    return this.rest().request<User>('PATCH', `/admin/users/${id}`, change);
  }

  resetTwoFactor(id: string): Promise<void> {
    return this.rest().request<void>('DELETE', `/admin/users/${id}/2fa`);
  }

  sessions(id: string): Promise<Session[]> {
    return this.rest()
      .request<{ sessions: Session[] }>('GET', `/admin/users/${id}/sessions`)
      .then((r) => r.sessions);
  }

  signOutEverywhere(id: string): Promise<number> {
    return this.rest()
      .request<RevokedSessions>('DELETE', `/admin/users/${id}/sessions`)
      .then((r) => r.revoked);
  }

  channels(query: string, offset: number): Promise<AdminChannelList> {
    return this.rest().request<AdminChannelList>('GET', `/admin/channels?limit=50&offset=${offset}${query ? `&query=${encodeURIComponent(query)}` : ''}`);
  }

  setArchived(convId: string, archived: boolean): Promise<Conversation> {
    return this.rest().request<Conversation>('PATCH', `/conversations/${convId}`, { archived });
  }

  integrations(): Promise<AdminIntegration[]> {
    return this.rest()
      .request<AdminIntegrationList>('GET', '/admin/integrations')
      .then((r) => r.integrations);
  }

  /** Each kind is removed through its own route, with the rules that route applies. */
  removeIntegration(i: AdminIntegration): Promise<void> {
    const path = { incoming_webhook: `/webhooks/${i.id}`, outgoing_webhook: `/outgoing-webhooks/${i.id}`, slash_command: `/commands/${i.id}`, bot: `/bots/${i.id}` }[i.type];
    return this.rest().request<void>('DELETE', path);
  }

  stats(): Promise<ClusterStats> {
    return this.rest().request<ClusterStats>('GET', '/admin/stats');
  }

  trace(messageId: string): Promise<MessageTrace> {
    return this.rest().request<MessageTrace>('GET', `/admin/messages/${encodeURIComponent(messageId)}/trace`);
  }
}
