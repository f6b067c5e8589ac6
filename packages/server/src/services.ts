import { scrubWal } from './store/wal-scrub.js';
import { PushService } from './push/service.js';
import { PushDispatcher } from './push/dispatcher.js';
import { NotificationsService } from './notifications/service.js';
import type { Deps } from './core/context.js';
import { AuditService } from './audit/service.js';
import { AuthService } from './auth/service.js';
import { SsoService } from './auth/sso.js';
import { DefaultChannel } from './auth/default-channel.js';
import { WorkspaceSettingsService } from './workspace/settings.js';
import { SecretsService } from './secrets/service.js';
import { ApiTokensService } from './auth/api-tokens.js';
import { AccessTokens, loadJwtSecret } from './auth/tokens.js';
import { ConversationsService } from './conversations/service.js';
import { MessagesService } from './messages/service.js';
import { PresenceService } from './presence/service.js';
import { ReceiptsService } from './receipts/service.js';
import { SyncService } from './sync/service.js';
import { UsersService } from './users/service.js';
import { AdminService } from './users/admin.js';
import { AdminConsoleService } from './admin/console.js';
import type { FileStorage } from './files/storage.js';
import { FilesService } from './files/service.js';
import { SearchService } from './search/service.js';
import { SearchBackfill } from './search/backfill.js';
import { buildLimiters, type Limiters } from './core/limits.js';
import { IncomingWebhooksService } from './integrations/incoming-webhooks.js';
import { TagsService } from './tags/service.js';
import { PinsService } from './pins/service.js';
import { SavedService } from './pins/saved.js';
import { TwoFactorService } from './auth/two-factor.js';
import { LoginLockouts } from './auth/lockouts.js';
import { IntegrationThreads } from './integrations/receivers/threads.js';
import { OutgoingWebhooksService } from './integrations/outgoing-webhooks.js';
import { OutgoingDispatcher } from './integrations/outgoing-dispatch.js';
import { SlashCommandsService } from './integrations/slash-commands.js';
import { RemindersService } from './reminders/service.js';
import { TraceService } from './trace/service.js';

/** The composition root of the domain: every service, built once from the same dependencies. */
export interface Services {
  audit: AuditService;
  auth: AuthService;
  sso: SsoService;
  workspace: WorkspaceSettingsService;
  apiTokens: ApiTokensService;
  users: UsersService;
  admin: AdminService;
  /** The admin console's sessions, channels and cluster figures (admin/console.ts). */
  console: AdminConsoleService;
  conversations: ConversationsService;
  messages: MessagesService;
  twoFactor: TwoFactorService;
  tags: TagsService;
  pins: PinsService;
  saved: SavedService;
  receipts: ReceiptsService;
  presence: PresenceService;
  sync: SyncService;
  files: FilesService;
  search: SearchService;
  searchBackfill: SearchBackfill;
  webhooks: IncomingWebhooksService;
  outgoing: OutgoingWebhooksService;
  /** Delivers outgoing webhooks from the outbox (started and stopped with the app). */
  dispatcher: OutgoingDispatcher;
  push: PushService;
  /** Do Not Disturb and sounds, per user. */
  notifications: NotificationsService;
  /** This node's Prometheus metrics (the gateway counts into them). */
  metrics: Deps['metrics'];
  /** The plumbing itself, for operations that work on the storage (an online backup). */
  deps: Deps;
  /** Sends Web Push notifications from its outbox (started and stopped with the app). */
  pushDispatcher: PushDispatcher;
  commands: SlashCommandsService;
  /** `/remind`; its scheduler is started and stopped with the app. */
  reminders: RemindersService;
  /** Every rate limit, shared by all nodes on PostgreSQL (core/limits.ts). */
  limits: Limiters;
  /** Growing sign-in lockouts per account and address, in the database (auth/lockouts.ts). */
  lockouts: LoginLockouts;
  /** "Where did my message go": the message trace, its recorder and sweeper (started and stopped with the app). */
  trace: TraceService;
}

export function buildServices(deps: Deps, storage: FileStorage): Services {
  const audit = new AuditService(deps.db, deps.now);
  const tokens = new AccessTokens(loadJwtSecret(deps.config.jwtSecret, deps.config.dataDir), deps.config.accessTokenTtlSec);
  const users = new UsersService(deps);
  const apiTokens = new ApiTokensService(deps, audit);
  const workspace = new WorkspaceSettingsService(deps, audit);
  const twoFactor = new TwoFactorService(deps, audit, workspace);
  const limits = buildLimiters(deps.config.limits, deps.pg ? deps.config.databaseUrl : null, deps.config.pgSchema, deps.log, deps.now);
  const files = new FilesService(deps, storage.blobs, storage.incoming);
  const conversations = new ConversationsService(deps, audit);
  // A recall frees its files' bytes unless another upload shares them.
  const secrets = new SecretsService(workspace);
  const trace = new TraceService(deps);
  const messages = new MessagesService(
    deps,
    limits.send,
    () => files.collector.kick(),
    secrets,
    () => scrubWal(deps),
    workspace,
    deps.config.traceEnabled ? trace.recorder : null,
  );
  const outgoing = new OutgoingWebhooksService(deps, audit, conversations);
  const dispatcher = new OutgoingDispatcher(deps, messages);
  const push = new PushService(deps);
  const pushDispatcher = new PushDispatcher(deps, push);
  outgoing.onDue = () => dispatcher.kick();
  const lockouts = new LoginLockouts(deps, audit);
  const auth = new AuthService(deps, tokens, audit, apiTokens, lockouts, twoFactor, workspace);
  auth.defaultChannel = new DefaultChannel(deps, conversations);
  return {
    audit,
    auth,
    workspace,
    sso: new SsoService(deps, auth, audit, workspace),
    twoFactor,
    apiTokens,
    users,
    admin: new AdminService(deps, users, audit),
    console: new AdminConsoleService(deps, audit),
    conversations,
    messages,
    tags: new TagsService(deps, messages),
    pins: new PinsService(deps, messages),
    saved: new SavedService(deps, messages),
    receipts: new ReceiptsService(deps, trace.recorder),
    presence: new PresenceService(deps),
    sync: new SyncService(deps),
    search: new SearchService(deps),
    searchBackfill: new SearchBackfill(deps),
    webhooks: new IncomingWebhooksService(deps, audit, conversations, messages, new IntegrationThreads(deps, messages, secrets)),
    outgoing,
    dispatcher,
    push,
    notifications: new NotificationsService(deps),
    pushDispatcher,
    metrics: deps.metrics,
    deps,
    commands: new SlashCommandsService(deps, audit, messages, limits.send),
    reminders: new RemindersService(deps, conversations, messages),
    files,
    limits,
    lockouts,
    trace,
  };
}
