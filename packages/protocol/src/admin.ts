import { Type, type Static } from '@sinclair/typebox';
import { Id, Nullable, Session, Timestamp, User } from './entities.js';

/**
 * The admin console (`/admin/...`): what workspace owners and admins see of the whole workspace.
 * None of it carries message content: a private channel shows its name and head count only.
 */

/** `GET /admin/users`: the users found, which of them are deactivated and their email addresses (the user object says neither). */
export const AdminUserList = Type.Object({
  users: Type.Array(User),
  deactivated: Type.Array(Id, { description: 'the ids of the listed users who are deactivated' }),
  emails: Type.Array(Type.Object({ id: Id, email: Type.String() }), {
    description: 'the address single sign-on links each listed user by, for those that have one (set with `PATCH /admin/users/{id}` `{email}`)',
  }),
});
export type AdminUserList = Static<typeof AdminUserList>;

/** `GET /admin/users/{id}/sessions`: another user's live device sessions (`current` is always false). */
export const AdminSessionList = Type.Object({ sessions: Type.Array(Session) });
export type AdminSessionList = Static<typeof AdminSessionList>;

/** `DELETE /admin/users/{id}/sessions`: how many device sessions were signed out. */
export const RevokedSessions = Type.Object({ revoked: Type.Integer({ minimum: 0, description: 'device sessions signed out (their sockets close on every node)' }) });
export type RevokedSessions = Static<typeof RevokedSessions>;

export const AdminChannelOwner = Type.Object({ id: Id, username: Type.String() });
export type AdminChannelOwner = Static<typeof AdminChannelOwner>;

export const AdminChannel = Type.Object({
  id: Id,
  name: Type.String(),
  visibility: Type.Union([Type.Literal('public'), Type.Literal('private')]),
  member_count: Type.Integer({ minimum: 0 }),
  owners: Type.Array(AdminChannelOwner),
  archived: Type.Boolean(),
  last_activity_at: Nullable(Timestamp),
  can_archive: Type.Boolean({ description: 'whether the asking admin may archive or unarchive it (`PATCH /conversations/{id}`): public channels, and private ones they belong to' }),
});
export type AdminChannel = Static<typeof AdminChannel>;

export const AdminChannelQuery = Type.Object({
  query: Type.Optional(Type.String({ maxLength: 100, description: 'part of the channel name' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, description: 'channels per page (default 50)' })),
  offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000, description: 'channels to skip: the `next_offset` of the page before' })),
});
export type AdminChannelQuery = Static<typeof AdminChannelQuery>;

export const AdminChannelList = Type.Object({
  channels: Type.Array(AdminChannel),
  next_offset: Nullable(Type.Integer({ minimum: 0, description: 'the next page, null on the last one' })),
});
export type AdminChannelList = Static<typeof AdminChannelList>;

/** One Parley node as its last heartbeat (every ~10 s, through the database) described it. */
export const NodeStats = Type.Object({
  name: Type.String(),
  started_at: Timestamp,
  last_heartbeat_at: Timestamp,
  healthy: Type.Boolean({ description: 'false when no heartbeat came for 30 seconds (the node stopped, hung or lost the database)' }),
  sockets: Type.Integer({ minimum: 0, description: 'WebSockets open on the node' }),
  authenticated_sockets: Type.Integer({ minimum: 0 }),
  users: Type.Integer({ minimum: 0, description: 'distinct signed-in users with a socket on the node' }),
  messages_last_minute: Type.Integer({ minimum: 0, description: 'messages the node stored in the minute before its heartbeat' }),
});
export type NodeStats = Static<typeof NodeStats>;

export const ClusterStats = Type.Object({
  nodes: Type.Array(NodeStats),
  totals: Type.Object({
    nodes: Type.Integer({ minimum: 0 }),
    healthy_nodes: Type.Integer({ minimum: 0 }),
    sockets: Type.Integer({ minimum: 0, description: 'over the healthy nodes' }),
    users: Type.Integer({ minimum: 0, description: 'over the healthy nodes; a user on two nodes counts twice' }),
    messages_last_minute: Type.Integer({ minimum: 0 }),
  }),
  at: Timestamp,
});
export type ClusterStats = Static<typeof ClusterStats>;

/** What kind of integration a row of `GET /admin/integrations` is; each is removed through its own route. */
export const AdminIntegrationType = Type.Union([Type.Literal('incoming_webhook'), Type.Literal('outgoing_webhook'), Type.Literal('slash_command'), Type.Literal('bot')]);
export type AdminIntegrationType = Static<typeof AdminIntegrationType>;

/**
 * One live integration of the workspace. Webhooks belong to a conversation; slash commands and
 * bots to the workspace. Secrets are never listed (they are shown once, when made or rotated).
 */
export const AdminIntegration = Type.Object({
  id: Id,
  type: AdminIntegrationType,
  name: Type.String({ description: 'the webhook’s name, `/command`, or the bot’s display name' }),
  detail: Type.String({
    description: 'incoming: what it accepts (`slack`, `github`…); outgoing and slash command: the URL Parley calls; bot: its @username',
  }),
  conversation: Nullable(
    Type.Object({
      id: Id,
      name: Nullable(Type.String()),
      kind: Type.Union([Type.Literal('channel'), Type.Literal('group')]),
      visibility: Type.Union([Type.Literal('public'), Type.Literal('private')]),
      archived: Type.Boolean(),
    }),
  ),
  created_by: Nullable(AdminChannelOwner),
  created_at: Timestamp,
  last_used_at: Type.Union([Timestamp, Type.Null()], { description: 'incoming: its last post; outgoing: its last delivery; command: its last run; bot: its tokens’ last use' }),
  dead_deliveries: Type.Integer({ minimum: 0, description: 'outgoing webhooks: deliveries that gave up (0 for the others)' }),
  can_remove: Type.Boolean({
    description: 'whether the asking admin may remove it: webhooks where they manage the conversation’s (public channels, and private conversations they belong to); commands and bots always',
  }),
});
export type AdminIntegration = Static<typeof AdminIntegration>;

export const AdminIntegrationQuery = Type.Object({ type: Type.Optional(AdminIntegrationType) });
export type AdminIntegrationQuery = Static<typeof AdminIntegrationQuery>;

export const AdminIntegrationList = Type.Object({ integrations: Type.Array(AdminIntegration) });
export type AdminIntegrationList = Static<typeof AdminIntegrationList>;
