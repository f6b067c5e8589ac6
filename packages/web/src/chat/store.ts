import type {
  CommandResult,
  Conversation,
  CreateConversationBody,
  CreatedSlashCommand,
  CreateCommandBody,
  EphemeralMessage,
  HelloFrame,
  LogEvent,
  Member,
  ReadEvent,
  Message,
  NotifyLevel,
  Presence,
  SearchPage,
  SendAck,
  ServerEvent,
  SlashCommand,
  ThreadPage,
  UpdateConversationBody,
  User,
} from '@parley/protocol';
import { isMessageUpdate } from '@parley/protocol';
import { addLive, emptyTimeline, findById, mergeAround, mergeLatest, Parley, ParleyError, replaceIfPresent, upsert, upsertMany, withMuted, type ConnectionHealth } from '@parley/sdk';
import { openUploadsDb } from '../storage/uploads';
import { openUserDb, type ParleyDb } from '../storage/db';
import { IdbOutbox } from '../storage/outbox';
import { loadSession, updateTokens, updateUser, type StoredSession } from '../storage/session';
import { maybeNotify } from '../notifications/notify';
import { errorText, omit } from './names';
import { PendingSends } from './pending';
import { RestCalls } from './rest-calls';
import { cacheRecord, readCache, writeCache } from './cache';
import { REACTION_SETTLE_MS, hasMyReaction, withMyReaction, type ReactionWish } from './reactions';
import { deviceLabel } from '../auth/device';
import { warnFailed } from '../app/report';
import { toast } from '../ui/toast';
import { translate } from '../i18n/i18n';
import { coordinatedFetch } from '../auth/refresh';
import { FilesApi } from '../files/api';
import { ComposerUploads } from '../files/composer-uploads';
import { withEphemeral } from './ephemeral';
import { Reveals } from './reveals';
import { applyToChat, membersWithUser, type Applied, type ConversationEvent } from './events';
import { InvitesApi } from '../settings/invites-api';
import { NoticesFeed } from '../conversation/notices';
import { PinsAndSaved } from './pins';
import type { ChatState, MissingReason, PendingMessage, ThreadState, Timeline } from './types';

const LATEST_PAGE = 50;
const OLDER_PAGE = 100;
/** Messages loaded on each side of a message opened from search or a link. */
const AROUND_PAGE = 30;
/** Every history page in low-bandwidth mode. */
const LOW_BANDWIDTH_PAGE = 20;
const LOW_BANDWIDTH_KEY = 'parley.lowBandwidth';

function loadLowBandwidth(): boolean {
  try {
    return localStorage.getItem(LOW_BANDWIDTH_KEY) === '1';
  } catch {
    return false;
  }
}

function saveLowBandwidth(on: boolean): void {
  try {
    if (on) localStorage.setItem(LOW_BANDWIDTH_KEY, '1');
    else localStorage.removeItem(LOW_BANDWIDTH_KEY);
  } catch {
    /* private mode: the choice lasts this page only */
  }
}
const PERSIST_DELAY_MS = 1_000;
/** The custom commands are fetched again when the `/` list opens and they are older than this. */
const COMMANDS_MAX_AGE_MS = 15_000;

export type SessionEndReason = 'revoked' | 'logout';

const isLog = (e: ServerEvent): e is LogEvent => 'seq' in e && typeof (e as { seq?: unknown }).seq === 'number';

const FRAME_MS = 16;

/** Whether the code runs inside a click, key press or form change (not a socket frame or a timer). */
function fromUserInput(): boolean {
  const e = typeof window === 'undefined' ? undefined : window.event;
  return !!e && e.isTrusted && (e instanceof UIEvent || e.type === 'change' || e.type === 'input' || e.type === 'submit');
}

/**
 * The web client's state and every action on it. One instance per signed-in session: it restores
 * the IndexedDB cache (so a reload renders before the network answers), then runs the SDK, whose
 * ordered, deduplicated event stream it folds into conversations, timelines and counters.
 */
export class ChatStore {
  state: ChatState;
  client: Parley | null = null;
  private readonly listeners = new Set<() => void>();
  private readonly db: Promise<ParleyDb>;
  private readonly outbox: IdbOutbox;
  /** Messages shown as pending until the server has them (chat/pending.ts). */
  private readonly sends: PendingSends;
  private persistTimer: ReturnType<typeof setTimeout> | null = null;
  private typingTimer: ReturnType<typeof setInterval> | null = null;
  private refreshTimers = new Map<string, ReturnType<typeof setTimeout>>();
  private userFetches = new Set<string>();
  private memberFetches = new Map<string, Promise<void>>();
  private latestFetches = new Map<string, Promise<void>>();
  private subscribedPresence = new Set<string>();
  private stopped = false;
  private readonly cleanups: (() => void)[] = [];
  /** Attachment bytes (thumbnails, downloads) fetched with this session's token. */
  readonly files = new FilesApi(() => this.requireClient().rest.freshToken());
  /** REST calls whose answers go to the screen that asked, not into this store. */
  readonly api = new RestCalls(() => this.requireClient());
  private markClientReady: (client: Parley) => void = () => undefined;
  /** Uploads restored from before a reload may start before the client exists: they wait for it. */
  private readonly clientReady = new Promise<Parley>((resolve) => (this.markClientReady = resolve));
  /** Files waiting in composers, uploading (and resuming after a reload). */
  readonly uploads: ComposerUploads;
  /**
   * Revealed burn-after-reading content: kept apart from `state`, whose timelines are cached in
   * IndexedDB, so it is never written anywhere; its file bytes are let go with it.
   */
  readonly reveals = new Reveals({
    reveal: (id) => this.requireClient().reveal(id),
    onDrop: (m) => {
      for (const a of m.attachments) {
        this.files.thumbs.forget(a.id);
        this.files.full.forget(a.id);
      }
    },
  });
  /** Pinned lists and my saved messages (chat/pins.ts), kept live from the events below. */
  readonly marks = new PinsAndSaved({ client: () => this.requireClient(), onMessage: (m) => this.replaceMessage(m) });
  /** Invite codes and links (owners and admins; settings/InvitesSection.tsx). */
  readonly invites = new InvitesApi(() => this.requireClient());
  /** The timeline's "joined" / "renamed" lines (conversation/notices.ts), fed every log event. */
  readonly notices = new NoticesFeed(() => this.requireClient());

  constructor(
    session: StoredSession,
    private readonly onSessionEnded: (reason: SessionEndReason) => void,
  ) {
    this.state = {
      me: session.user,
      connection: 'idle',
      online: navigator.onLine,
      refusal: null,
      ready: false,
      conversations: {},
      countsAsOf: {},
      timelines: {},
      members: {},
      reads: {},
      users: { [session.user.id]: session.user },
      pending: {},
      typing: {},
      presence: {},
      threads: {},
      limits: null,
      missing: {},
      ephemeral: {},
      commands: null,
      lowBandwidth: loadLowBandwidth(),
      notifications: null,
    };
    this.db = openUserDb(session.user.id);
    // A failing IndexedDB (private browsing, quota) must not stop the app: it just runs without a cache.
    this.db.catch(warnFailed('opening the IndexedDB cache (running without one)'));
    this.outbox = new IdbOutbox(this.db);
    this.sends = new PendingSends(
      {
        pending: () => this.state.pending,
        setPending: (f) => this.set((s) => ({ pending: f(s.pending) })),
        me: () => this.state.me.id,
        client: () => this.client,
        persist: () => this.schedulePersist(),
      },
      this.outbox,
    );
    // resume: unfinished uploads are found again by the file's fingerprint after a reload.
    const uploadsDb = openUploadsDb(session.user.id);
    uploadsDb.catch(warnFailed('opening the composer files database (files will not survive a reload)'));
    this.uploads = new ComposerUploads(async (file, opts) => (await this.clientReady).uploadFile(file, { ...opts, resume: true }), uploadsDb);
    void this.start(session);
  }

  // ---- subscription ------------------------------------------------------------------------

  subscribe = (fn: () => void): (() => void) => {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  };

  getState = (): ChatState => this.state;

  private set(patch: Partial<ChatState> | ((s: ChatState) => Partial<ChatState>)): void {
    const p = typeof patch === 'function' ? patch(this.state) : patch;
    this.state = { ...this.state, ...p };
    this.scheduleNotify();
  }

  private notifyPending = false;
  private lastNotifyAt = -Infinity;
  /**
   * Screens hear of changes at most about once per frame, not once per event: a busy channel or a
   * resync delivers events faster than React can render each one (200 messages froze a page for
   * seconds). A change after a quiet frame is drawn at once, and so is one made by the user's own
   * input: a controlled checkbox or field that waited a frame would flip back and forth. `state`
   * itself changes at once, so actions read the newest. Hidden tabs get no frames, so a timer
   * stands in (a throttled one, which is fine there).
   */
  private scheduleNotify(): void {
    if (fromUserInput() || (!this.notifyPending && performance.now() - this.lastNotifyAt >= FRAME_MS)) {
      this.notifyNow();
      return;
    }
    if (this.notifyPending) return;
    this.notifyPending = true;
    const run = () => {
      if (this.notifyPending) this.notifyNow();
    };
    if (typeof requestAnimationFrame === 'function' && document.visibilityState === 'visible') requestAnimationFrame(run);
    setTimeout(run, 100);
  }

  private notifyNow(): void {
    this.notifyPending = false;
    this.lastNotifyAt = performance.now();
    for (const l of this.listeners) l();
  }

  private setTimeline(convId: string, f: (t: Timeline) => Timeline): void {
    this.set((s) => ({ timelines: { ...s.timelines, [convId]: f(s.timelines[convId] ?? emptyTimeline()) } }));
  }

  private setConv(conv: Conversation): void {
    this.set((s) => ({ conversations: { ...s.conversations, [conv.id]: conv } }));
  }

  // ---- lifecycle ---------------------------------------------------------------------------

  private async start(session: StoredSession): Promise<void> {
    let cursors: Record<string, number> = {};
    try {
      cursors = await this.restoreCache();
    } catch {
      cursors = {};
    }
    // A failed read leaves nothing pending: the SDK's outbox still sends what it holds.
    await this.sends.restore().catch(warnFailed('reading the outbox'));
    if (this.stopped) return;

    const client = new Parley({
      url: location.origin,
      token: session.access_token,
      refreshToken: session.refresh_token,
      onTokens: (t) => updateTokens(t),
      outbox: this.outbox,
      cursors,
      deviceName: deviceLabel(),
      fetch: coordinatedFetch,
    });
    this.client = client;
    if (this.state.lowBandwidth) void client.setLowBandwidth(true);
    this.markClientReady(client);
    client.on('state', (connection) => {
      this.set({ connection });
      // The SDK stops for good after an error it cannot fix (say, a refresh that failed on the
      // network). Unless the session really ended, start it again after a pause.
      if (connection === 'closed' && !this.stopped) setTimeout(() => !this.stopped && client.connect().catch(warnFailed('reconnecting')), 5_000);
    });
    client.on('hello', (h) => void this.onHello(h));
    client.on('conversation', (c) => this.upsertConversation(c));
    client.on('event', (e) => this.onEvent(e));
    client.on('sent', (ack) => this.onSent(ack));
    client.on('send_failed', ({ entry, error }) => this.sends.failed(entry.client_msg_id, error));
    client.on('error', (err) => {
      if (err.code === 'session_revoked' || err.code === 'invalid_token' || err.code === 'unauthenticated') this.endSession('revoked');
      if (err.code === 'too_many_connections') this.set({ refusal: 'too_many_connections' });
    });
    // The cache is applied and the client exists: the shell can render (before the network answers).
    this.set({ ready: true });
    // The connection banner shows the state; the reason goes to the console.
    client.connect().catch(warnFailed('connecting'));

    const onOnline = () => {
      this.set({ online: true });
      client.reconnectNow();
    };
    const onOffline = () => this.set({ online: false });
    const onHide = () => {
      if (document.visibilityState === 'hidden') void this.persistNow();
      if (this.state.connection === 'open') client.request('presence.set', { status: document.visibilityState === 'hidden' ? 'away' : 'online' }).catch(warnFailed('setting presence'));
    };
    const onPageHide = () => void this.persistNow();
    // Another tab refreshed the tokens: use them, so this tab never presents a rotated refresh token.
    const onStorage = (e: StorageEvent) => {
      if (e.key !== 'parley.session' || !e.newValue) return;
      const next = loadSession();
      if (next && next.user.id === this.state.me.id && next.access_token !== client.rest.accessToken) client.rest.setTokens({ access_token: next.access_token, refresh_token: next.refresh_token });
    };
    window.addEventListener('storage', onStorage);
    window.addEventListener('online', onOnline);
    window.addEventListener('offline', onOffline);
    document.addEventListener('visibilitychange', onHide);
    window.addEventListener('pagehide', onPageHide);
    this.cleanups.push(() => {
      window.removeEventListener('online', onOnline);
      window.removeEventListener('offline', onOffline);
      document.removeEventListener('visibilitychange', onHide);
      window.removeEventListener('pagehide', onPageHide);
      window.removeEventListener('storage', onStorage);
    });
    this.typingTimer = setInterval(() => this.pruneTyping(), 1_000);
  }

  /** Stops the client; unsent messages stay in the outbox for the next session of this account. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const c of this.cleanups) c();
    if (this.typingTimer) clearInterval(this.typingTimer);
    for (const t of this.refreshTimers.values()) clearTimeout(t);
    if (this.persistTimer) clearTimeout(this.persistTimer);
    this.reveals.clear();
    this.files.clear();
    this.uploads.stop();
    await this.client?.close();
    (await this.db.catch(() => null))?.close();
  }

  private endSession(reason: SessionEndReason): void {
    if (this.stopped) return;
    void this.stop();
    this.onSessionEnded(reason);
  }

  async logout(): Promise<void> {
    try {
      await this.client?.rest.request('POST', '/auth/logout');
    } catch {
      /* the local sign-out proceeds whatever the server says */
    }
    this.endSession('logout');
  }

  private async onHello(h: HelloFrame): Promise<void> {
    this.set((s) => ({ me: h.user, limits: h.limits, refusal: null, users: { ...s.users, [h.user.id]: h.user } }));
    updateUser(h.user);
    const client = this.client;
    if (!client) return;
    try {
      await client.resync();
    } catch {
      /* the SDK retries on its own */
    }
    // Pages fetched before the SDK knew a conversation may miss events: fetch them again now.
    for (const [id, t] of Object.entries(this.state.timelines)) if (t.loaded && !t.anchored) void this.loadLatest(id, true);
    try {
      const list = await client.listConversations();
      this.mergeConversationList(list);
    } catch {
      /* offline or failing: the cached list stays */
    }
    this.subscribedPresence.clear();
    void this.subscribePresence();
    client.notificationSettings().then((n) => this.set({ notifications: n }), warnFailed('loading the notification settings'));
    const missingUsers = new Set<string>();
    for (const c of Object.values(this.state.conversations)) if (c.dm_user_id) missingUsers.add(c.dm_user_id);
    this.ensureUsers([...missingUsers]);
    this.schedulePersist();
  }

  // ---- cache -------------------------------------------------------------------------------

  private async restoreCache(): Promise<Record<string, number>> {
    const c = await readCache(await this.db);
    this.set((s) => ({
      conversations: { ...c.conversations, ...s.conversations },
      countsAsOf: { ...c.countsAsOf, ...s.countsAsOf },
      users: { ...c.users, ...s.users },
      timelines: { ...c.timelines, ...s.timelines },
      pending: { ...c.pending, ...s.pending },
    }));
    return c.cursors;
  }

  private schedulePersist(): void {
    if (this.persistTimer || this.stopped) return;
    this.persistTimer = setTimeout(() => {
      this.persistTimer = null;
      void this.persistNow();
    }, PERSIST_DELAY_MS);
  }

  /** Saves conversations, cursors and timeline tails together, taken at one instant so they agree. */
  private async persistNow(): Promise<void> {
    const client = this.client;
    if (!client) return;
    const record = cacheRecord(this.state, client.cursorSnapshot());
    try {
      await writeCache(await this.db, record);
    } catch {
      /* a cache write failing only costs the next cold start */
    }
  }

  // ---- conversations -----------------------------------------------------------------------

  /**
   * Takes a conversation summary from the server. Its counters are exact as of its `last_seq`;
   * we keep ours when they are newer (events we already applied) and ask again later.
   */
  upsertConversation(incoming: Conversation): void {
    const s = this.state;
    const cur = s.conversations[incoming.id];
    const asOf = s.countsAsOf[incoming.id] ?? -1;
    if (cur && incoming.last_seq < asOf) {
      this.scheduleRefresh(incoming.id);
      return;
    }
    let conv = incoming;
    const myRead = cur?.membership?.read_seq ?? -1;
    if (conv.membership && myRead > conv.membership.read_seq) {
      conv = { ...conv, membership: { ...conv.membership, read_seq: myRead } };
      if (myRead >= conv.last_seq) conv = { ...conv, unread_count: 0, mention_count: 0 };
      else this.scheduleRefresh(conv.id);
    }
    this.set((st) => ({
      conversations: { ...st.conversations, [conv.id]: conv },
      countsAsOf: { ...st.countsAsOf, [conv.id]: conv.last_seq },
      missing: st.missing[conv.id] ? omit(st.missing, conv.id) : st.missing,
    }));
    if (conv.dm_user_id) {
      this.ensureUsers([conv.dm_user_id]);
      if (!this.subscribedPresence.has(conv.dm_user_id)) void this.subscribePresence();
    }
    this.schedulePersist();
  }

  private mergeConversationList(list: Conversation[]): void {
    const ids = new Set(list.map((c) => c.id));
    for (const c of list) this.upsertConversation(c);
    // Conversations we were in but the server no longer lists: we left or were removed.
    const gone = Object.values(this.state.conversations).filter((c) => c.membership && !ids.has(c.id));
    if (gone.length) {
      this.set((s) => {
        const conversations = { ...s.conversations };
        for (const c of gone) delete conversations[c.id];
        return { conversations };
      });
    }
  }

  private scheduleRefresh(convId: string): void {
    if (this.refreshTimers.has(convId)) return;
    this.refreshTimers.set(
      convId,
      setTimeout(() => {
        this.refreshTimers.delete(convId);
        void this.fetchConversation(convId).catch(warnFailed(`refreshing conversation ${convId}`));
      }, 400),
    );
  }

  async fetchConversation(convId: string): Promise<Conversation | null> {
    const client = this.client;
    if (!client) return null;
    try {
      const conv = await client.rest.request<Conversation>('GET', `/conversations/${convId}`);
      this.upsertConversation(conv);
      if (!conv.membership) this.setMissing(convId, 'not_member');
      return conv;
    } catch (e) {
      if (e instanceof ParleyError && (e.code === 'not_found' || e.code === 'not_member' || e.code === 'forbidden')) this.setMissing(convId, e.code === 'not_found' ? 'not_found' : 'not_member');
      throw e;
    }
  }

  private setMissing(convId: string, reason: MissingReason): void {
    this.set((s) => ({ missing: { ...s.missing, [convId]: reason } }));
  }

  async createConversation(body: CreateConversationBody): Promise<Conversation> {
    const conv = await this.requireClient().createConversation(body);
    this.upsertConversation(conv);
    return conv;
  }

  async joinChannel(convId: string): Promise<Conversation> {
    const conv = await this.requireClient().rest.request<Conversation>('POST', `/conversations/${convId}/join`);
    this.set((s) => ({ missing: omit(s.missing, convId) }));
    this.upsertConversation(conv);
    void this.loadLatest(convId, true);
    void this.loadMembers(convId, true);
    return conv;
  }

  searchUsers(query: string, signal?: AbortSignal): Promise<User[]> {
    return this.requireClient()
      .rest.request<{ users: User[] }>('GET', `/users?query=${encodeURIComponent(query)}&limit=20`, undefined, signal)
      .then((r) => {
        this.rememberUsers(r.users);
        return r.users;
      });
  }

  /** A change from the details panel; the answer is shown at once (the log event follows). */
  async updateConversation(convId: string, patch: UpdateConversationBody): Promise<Conversation> {
    const conv = await this.requireClient().updateConversation(convId, patch);
    this.upsertConversation(conv);
    return conv;
  }

  /** A conversation's own retention in days, or null for the workspace's (workspace owners and admins). */
  async setRetention(convId: string, days: number | null): Promise<Conversation> {
    const conv = await this.requireClient().rest.request<Conversation>('PUT', `/conversations/${convId}/retention`, { days });
    this.upsertConversation(conv);
    return conv;
  }

  /** Adds or removes a tag on a message (`/tag`); the answer replaces the message everywhere it is shown. */
  async tagMessage(messageId: string, tag: string, op: 'add' | 'remove'): Promise<Message> {
    const msg = await this.requireClient().request(op === 'add' ? 'tag.add' : 'tag.remove', { message_id: messageId, tag });
    this.replaceMessage(msg);
    return msg;
  }

  /** A change to my profile (settings/ProfileSection.tsx), shown at once as user.updated would show it. */
  async updateMe(change: (client: Parley) => Promise<User>): Promise<User> {
    const me = await change(this.requireClient());
    this.rememberUsers([me]);
    this.set({ me });
    updateUser(me);
    return me;
  }

  // ---- slash commands, reminders, answers only I see -----------------------------------------

  private commandsFetch: Promise<SlashCommand[]> | null = null;
  private commandsFetchedAt = 0;

  /**
   * The workspace's custom slash commands (for the composer's `/` list), fetched once and again
   * when older than `maxAgeMs` (0: a fetch that starts now, after a change). Resolves with the
   * list held afterwards.
   */
  loadCommands(maxAgeMs = Infinity): Promise<SlashCommand[]> {
    const held = this.state.commands;
    if (held && Date.now() - this.commandsFetchedAt < maxAgeMs) return Promise.resolve(held);
    const running = this.commandsFetch;
    if (running) {
      return maxAgeMs > 0
        ? running
        : running.then(
            () => this.loadCommands(0),
            () => this.loadCommands(0),
          );
    }
    const client = this.client;
    if (!client) return Promise.reject(new ParleyError('disconnected', 'Still starting up.'));
    const p = client.rest
      .request<{ commands: SlashCommand[] }>('GET', '/commands')
      .then((r) => {
        this.commandsFetchedAt = Date.now();
        this.set({ commands: r.commands });
        return r.commands;
      })
      .finally(() => {
        if (this.commandsFetch === p) this.commandsFetch = null;
      });
    this.commandsFetch = p;
    return p;
  }

  /** Background refresh of the `/` list: a failure keeps what is held (and is logged). */
  refreshCommands(maxAgeMs = COMMANDS_MAX_AGE_MS): void {
    if (!this.client) return;
    this.loadCommands(maxAgeMs).catch(warnFailed('loading the slash commands'));
  }

  /** Runs `/name text` on the server; its answer only I see is shown at once (the event that follows is the same one). */
  async runCommand(convId: string, name: string, text: string, threadRootId: string | null): Promise<CommandResult> {
    const res = await this.requireClient().runCommand(convId, name, text, threadRootId ? { threadRootId } : {});
    if (res.ephemeral) this.addEphemeral(res.ephemeral);
    return res;
  }

  /** `/mute`: mine alone; my other devices hear of it from the server (`conversation.muted`). */
  async setMuted(convId: string, muted: boolean): Promise<void> {
    const conv = await this.requireClient().rest.request<Conversation>('PUT', `/conversations/${convId}/mute`, { muted });
    if (conv.membership) this.applyMuted(conv.id, conv.membership.muted, conv.membership.notify);
  }

  /** What notifies me in a conversation (all, mentions, nothing): mine alone, on every device of mine. */
  async setNotifyLevel(convId: string, level: NotifyLevel): Promise<void> {
    const conv = await this.requireClient().setNotifyLevel(convId, level);
    if (conv.membership) this.applyMuted(conv.id, conv.membership.muted, conv.membership.notify);
  }

  private applyMuted(convId: string, muted: boolean, notify: NotifyLevel | undefined): void {
    const conv = withMuted(this.state.conversations[convId], muted, notify);
    if (conv) this.setConv(conv);
  }

  /** Do Not Disturb until a time (null: off); my other devices hear of it (`notifications.updated`). */
  async setDoNotDisturb(until: Date | null): Promise<void> {
    this.set({ notifications: await this.requireClient().setDoNotDisturb(until) });
  }

  async setSounds(on: boolean): Promise<void> {
    this.set({ notifications: await this.requireClient().setSounds(on) });
  }

  async createCommand(body: CreateCommandBody): Promise<CreatedSlashCommand> {
    const created = await this.requireClient().rest.request<CreatedSlashCommand>('POST', '/commands', body);
    await this.loadCommands(0).catch(warnFailed('reloading the slash commands'));
    return created;
  }

  async revokeCommand(id: string): Promise<void> {
    await this.requireClient().rest.request<void>('DELETE', `/commands/${id}`);
    this.set((s) => ({ commands: s.commands?.filter((c) => c.id !== id) ?? null }));
    await this.loadCommands(0).catch(warnFailed('reloading the slash commands'));
  }

  /** An answer only I see: kept once per id, in time order, until dismissed or the page reloads. */
  addEphemeral(m: EphemeralMessage): void {
    const cur = this.state.ephemeral[m.conv_id];
    const next = withEphemeral(cur, m);
    if (next === cur) return;
    this.set((s) => ({ ephemeral: { ...s.ephemeral, [m.conv_id]: next } }));
    this.ensureUsers([m.sender_id]);
  }

  dismissEphemeral(convId: string, id: string): void {
    const cur = this.state.ephemeral[convId];
    if (!cur?.some((m) => m.id === id)) return;
    this.set((s) => ({ ephemeral: { ...s.ephemeral, [convId]: (s.ephemeral[convId] ?? []).filter((m) => m.id !== id) } }));
  }

  private requireClient(): Parley {
    if (!this.client) throw new ParleyError('disconnected', 'Still starting up.');
    return this.client;
  }

  // ---- users, members, presence ------------------------------------------------------------

  rememberUsers(users: readonly User[]): void {
    if (users.length === 0) return;
    this.set((s) => {
      const next = { ...s.users };
      for (const u of users) next[u.id] = u;
      return { users: next };
    });
  }

  /** Fetches users we have no profile for (senders who left, DM partners), each once. */
  ensureUsers(ids: readonly string[]): void {
    const client = this.client;
    if (!client) return;
    for (const id of ids) {
      if (this.state.users[id] || this.userFetches.has(id)) continue;
      this.userFetches.add(id);
      client.rest
        .request<User>('GET', `/users/${id}`)
        .then((u) => this.rememberUsers([u]))
        .catch(() => this.userFetches.delete(id));
    }
  }

  loadMembers(convId: string, force = false): Promise<void> {
    const client = this.client;
    if (!client) return Promise.resolve();
    if (!force && this.state.members[convId]) return Promise.resolve();
    let p = this.memberFetches.get(convId);
    if (p && !force) return p;
    p = client.rest
      .request<{ members: Member[] }>('GET', `/conversations/${convId}/members`)
      .then((r) => {
        const map: Record<string, Member> = {};
        const reads = this.state.reads[convId] ?? {};
        for (const m of r.members) map[m.user.id] = { ...m, read_seq: Math.max(m.read_seq, reads[m.user.id] ?? 0) };
        this.rememberUsers(r.members.map((m) => m.user));
        this.set((s) => ({ members: { ...s.members, [convId]: map } }));
      })
      .catch(warnFailed(`loading the members of ${convId}`))
      .finally(() => this.memberFetches.delete(convId));
    this.memberFetches.set(convId, p);
    return p;
  }

  // ---- network ----------------------------------------------------------------------------

  /** Round trip, reconnects and pending sends, for the network status view; null before connecting. */
  health(): ConnectionHealth | null {
    return this.client?.health() ?? null;
  }

  measureRtt(): Promise<number> {
    return this.requireClient().measureRtt();
  }

  /**
   * Low-bandwidth mode, for this device: no typing or presence traffic either way (the server
   * stops sending them to this client) and history in smaller pages.
   */
  async setLowBandwidth(on: boolean): Promise<void> {
    saveLowBandwidth(on);
    this.set({ lowBandwidth: on });
    await this.client?.setLowBandwidth(on);
  }

  /** A history page's size: smaller in low-bandwidth mode. */
  private page(n: number): number {
    return this.state.lowBandwidth ? Math.min(n, LOW_BANDWIDTH_PAGE) : n;
  }

  /** Presence of people shown outside DMs (a members list): subscribed once per connection. */
  watchPresence(userIds: readonly string[]): void {
    void this.subscribePresence(userIds);
  }

  private async subscribePresence(extra: readonly string[] = []): Promise<void> {
    const client = this.client;
    if (!client || this.state.connection !== 'open') return;
    const ids = new Set<string>(extra);
    for (const c of Object.values(this.state.conversations)) if (c.dm_user_id && c.dm_user_id !== this.state.me.id) ids.add(c.dm_user_id);
    const fresh = [...ids].filter((id) => !this.subscribedPresence.has(id));
    if (fresh.length === 0) return;
    for (const id of fresh) this.subscribedPresence.add(id);
    try {
      const res = await client.request('presence.subscribe', { user_ids: fresh.slice(0, 1000) });
      this.set((s) => {
        const presence = { ...s.presence };
        for (const p of res.presences) presence[p.user_id] = p;
        return { presence };
      });
    } catch {
      for (const id of fresh) this.subscribedPresence.delete(id);
    }
  }

  // ---- history -----------------------------------------------------------------------------

  /** Loads the newest page of a conversation unless the loaded timeline already reaches it. */
  loadLatest(convId: string, force = false): Promise<void> {
    const t = this.state.timelines[convId];
    if (!force && t?.loaded && (t.anchored || this.state.connection !== 'open')) return Promise.resolve();
    const running = this.latestFetches.get(convId);
    if (running) return running;
    const client = this.client;
    if (!client) return Promise.resolve();
    const anchored = client.cursorSnapshot()[convId] !== undefined;
    const p = client
      .history(convId, { limit: this.page(LATEST_PAGE) })
      .then((page) => {
        this.setTimeline(convId, (cur) => mergeLatest(cur, page.messages, page.has_more, anchored));
        this.sends.arrived(page.messages);
        this.collectUsers(page.messages);
        this.schedulePersist();
      })
      .catch((e: unknown) => {
        if (e instanceof ParleyError && (e.code === 'not_found' || e.code === 'not_member' || e.code === 'forbidden')) this.setMissing(convId, e.code === 'not_found' ? 'not_found' : 'not_member');
      })
      .finally(() => this.latestFetches.delete(convId));
    this.latestFetches.set(convId, p);
    return p;
  }

  private olderFetches = new Map<string, Promise<number>>();

  /** Prepends the page before the oldest loaded message. Resolves with how many messages came. */
  loadOlder(convId: string): Promise<number> {
    // Callers racing (scroll, "jump to unread") share the page in flight instead of getting 0.
    const running = this.olderFetches.get(convId);
    if (running) return running;
    const p = this.fetchOlder(convId).finally(() => {
      if (this.olderFetches.get(convId) === p) this.olderFetches.delete(convId);
    });
    this.olderFetches.set(convId, p);
    return p;
  }

  private async fetchOlder(convId: string): Promise<number> {
    const t = this.state.timelines[convId];
    const client = this.client;
    if (!client || !t || !t.hasOlder || t.loadingOlder) return 0;
    const oldest = t.messages[0];
    if (!oldest) {
      await this.loadLatest(convId, true);
      return this.state.timelines[convId]?.messages.length ?? 0;
    }
    this.setTimeline(convId, (cur) => ({ ...cur, loadingOlder: true }));
    try {
      const page = await client.history(convId, { before_seq: oldest.seq, limit: this.page(OLDER_PAGE) });
      // Done before the state changes: the list re-renders at once and may ask for the next page
      // (its view can still be at the top, say when every message of this page is a thread reply).
      this.olderFetches.delete(convId);
      this.setTimeline(convId, (cur) => ({ ...cur, messages: upsertMany(cur.messages, page.messages), hasOlder: page.has_more, loadingOlder: false }));
      this.collectUsers(page.messages);
      return page.messages.length;
    } catch {
      this.olderFetches.delete(convId);
      this.setTimeline(convId, (cur) => ({ ...cur, loadingOlder: false }));
      return 0;
    }
  }

  /**
   * Makes sure a message is in the loaded timeline (a message link), paging back as needed.
   * Returns the message, or null when it is gone or out of reach.
   */
  async ensureMessage(convId: string, messageId: string): Promise<Message | null> {
    const client = this.client;
    if (!client) return null;
    let target: Message;
    try {
      target = await client.rest.request<Message>('GET', `/messages/${messageId}`);
    } catch {
      return null;
    }
    if (target.conv_id !== convId) return null;
    if (target.thread_root_id) return target;
    // The latest page first, so that a fetch of it still in flight cannot replace the window below.
    await this.loadLatest(convId);
    const t = this.state.timelines[convId];
    if (t && findById(t.messages, messageId)) return target;
    const oldest = t?.messages[0];
    // Just above what is loaded: one older page keeps the list joined to the present.
    if (t && oldest && t.hasOlder && !t.hasNewer && oldest.seq > target.seq && oldest.seq - target.seq < OLDER_PAGE) {
      await this.loadOlder(convId);
      if (findById(this.state.timelines[convId]?.messages ?? [], messageId)) return target;
    }
    await this.loadAround(convId, target.seq);
    return findById(this.state.timelines[convId]?.messages ?? [], messageId) ? target : null;
  }

  /** Loads the messages around `seq` (a search hit far back), joining or replacing what is held. */
  async loadAround(convId: string, seq: number): Promise<void> {
    const client = this.client;
    if (!client) return;
    const anchored = client.cursorSnapshot()[convId] !== undefined;
    const [before, after] = await Promise.all([
      client.history(convId, { before_seq: seq + 1, limit: this.page(AROUND_PAGE) }),
      client.history(convId, { after_seq: seq, limit: this.page(AROUND_PAGE) }),
    ]);
    // An event applied while the pages were on their way may be past the window's end.
    const last = after.messages.at(-1) ?? before.messages.at(-1);
    const behind = !after.has_more && last !== undefined && (client.cursorSnapshot()[convId] ?? 0) > last.seq;
    this.setTimeline(convId, (cur) => mergeAround(cur, before.messages, before.has_more, after.messages, after.has_more || behind, anchored));
    this.collectUsers([...before.messages, ...after.messages]);
  }

  private newerFetches = new Map<string, Promise<void>>();

  /** Appends the page after the newest message of a window, until the window reaches the present. */
  loadNewer(convId: string): Promise<void> {
    const running = this.newerFetches.get(convId);
    if (running) return running;
    const p = this.fetchNewer(convId).finally(() => this.newerFetches.delete(convId));
    this.newerFetches.set(convId, p);
    return p;
  }

  private async fetchNewer(convId: string): Promise<void> {
    const t = this.state.timelines[convId];
    const client = this.client;
    if (!client || !t?.hasNewer || t.loadingNewer) return;
    const newest = t.messages.at(-1);
    if (!newest) return this.loadLatest(convId, true);
    this.setTimeline(convId, (cur) => ({ ...cur, loadingNewer: true }));
    try {
      const page = await client.history(convId, { after_seq: newest.seq, limit: this.page(OLDER_PAGE) });
      const last = page.messages.at(-1);
      // Caught up only when nothing the SDK applied lies past this page (it was left out meanwhile).
      const caughtUp = !page.has_more && (!last || (client.cursorSnapshot()[convId] ?? 0) <= last.seq);
      this.setTimeline(convId, (cur) =>
        cur.messages.at(-1)?.seq !== newest.seq ? { ...cur, loadingNewer: false } : { ...cur, messages: upsertMany(cur.messages, page.messages), hasNewer: !caughtUp, loadingNewer: false },
      );
      this.collectUsers(page.messages);
      if (caughtUp) this.schedulePersist();
    } catch {
      this.setTimeline(convId, (cur) => ({ ...cur, loadingNewer: false }));
    }
  }

  /** Searches the messages this user may read; days in the browser's time zone. */
  search(q: string, opts: { order?: 'newest' | 'relevance'; cursor?: string; signal?: AbortSignal } = {}): Promise<SearchPage> {
    const client = this.client;
    if (!client) return Promise.reject(new ParleyError('disconnected', 'Not started yet.'));
    return client.search(q, { limit: 30, ...opts }).then((page) => {
      this.collectUsers(page.hits.map((h) => h.message));
      return page;
    });
  }

  private collectUsers(messages: readonly Message[]): void {
    const ids = new Set<string>();
    for (const m of messages) if (!this.state.users[m.sender_id]) ids.add(m.sender_id);
    if (ids.size) this.ensureUsers([...ids]);
  }

  // ---- threads -----------------------------------------------------------------------------

  async openThread(rootId: string): Promise<void> {
    const client = this.client;
    if (!client) return;
    const cur = this.state.threads[rootId];
    this.set((s) => ({
      threads: { ...s.threads, [rootId]: { root: cur?.root ?? null, replies: cur?.replies ?? [], loading: true, error: null, hasOlder: cur?.hasOlder ?? false, loadingOlder: false } },
    }));
    try {
      const res = await client.rest.request<ThreadPage>('GET', `/messages/${rootId}/thread`);
      this.collectUsers([res.root, ...res.replies]);
      this.set((s) => {
        const now = s.threads[rootId];
        // Replies kept from before are only contiguous with this page if it reaches back to them.
        const kept = res.has_more ? [] : (now?.replies ?? []);
        const replies = upsertMany(kept, res.replies);
        return { threads: { ...s.threads, [rootId]: { root: res.root, replies, loading: false, error: null, hasOlder: res.has_more, loadingOlder: false } } };
      });
      this.sends.arrived(res.replies);
    } catch (e) {
      this.set((s) => ({ threads: { ...s.threads, [rootId]: { ...(s.threads[rootId] ?? { root: null, replies: [], hasOlder: false, loadingOlder: false }), loading: false, error: errorText(e) } } }));
    }
  }

  /** The page of replies before the earliest one shown. */
  async loadOlderReplies(rootId: string): Promise<void> {
    const client = this.client;
    const t = this.state.threads[rootId];
    if (!client || !t || !t.hasOlder || t.loadingOlder || t.replies.length === 0) return;
    const before = t.replies[0]!.seq;
    this.set((s) => ({ threads: { ...s.threads, [rootId]: { ...s.threads[rootId]!, loadingOlder: true } } }));
    try {
      const res = await client.rest.request<ThreadPage>('GET', `/messages/${rootId}/thread?before_seq=${before}`);
      this.collectUsers(res.replies);
      this.set((s) => {
        const now = s.threads[rootId]!;
        return { threads: { ...s.threads, [rootId]: { ...now, replies: upsertMany(now.replies, res.replies), hasOlder: res.has_more, loadingOlder: false } } };
      });
    } catch (e) {
      this.set((s) => ({ threads: { ...s.threads, [rootId]: { ...s.threads[rootId]!, loadingOlder: false, error: errorText(e) } } }));
    }
  }

  /** Open threads of the conversation lose what expired: a root up to `upTo` with its whole thread, else the replies up to it. */
  private dropExpiredThreads(convId: string, upTo: number): void {
    const threads = this.state.threads;
    let next: Record<string, ThreadState> | null = null;
    for (const [rootId, t] of Object.entries(threads)) {
      const inConv = t.root?.conv_id === convId || t.replies.some((r) => r.conv_id === convId);
      if (!inConv) continue;
      if (t.root && t.root.seq <= upTo) {
        next ??= { ...threads };
        delete next[rootId];
      } else if (t.replies.some((r) => r.seq <= upTo)) (next ??= { ...threads })[rootId] = { ...t, replies: t.replies.filter((r) => r.seq > upTo) };
    }
    if (next) this.set({ threads: next });
  }

  private updateThreads(msg: Message): void {
    const threads = this.state.threads;
    let next: Record<string, ThreadState> | null = null;
    const root = threads[msg.id];
    if (root) (next ??= { ...threads })[msg.id] = { ...root, root: msg };
    if (msg.thread_root_id) {
      const t = threads[msg.thread_root_id];
      if (t) (next ??= { ...threads })[msg.thread_root_id] = { ...t, replies: upsert(t.replies, msg) };
    }
    if (next) this.set({ threads: next });
  }

  // ---- live events -------------------------------------------------------------------------

  private onEvent(e: ServerEvent): void {
    this.marks.onEvent(e);
    if (isLog(e)) {
      this.notices.apply(e);
      this.onLogEvent(e);
      return;
    }
    switch (e.type) {
      case 'read':
        this.onRead(e);
        return;
      case 'typing': {
        if (e.user_id === this.state.me.id) return;
        this.set((s) => {
          const cur = { ...(s.typing[e.conv_id] ?? {}) };
          if (e.active) cur[e.user_id] = { until: Date.now() + e.expires_in_ms, thread_root_id: e.thread_root_id };
          else delete cur[e.user_id];
          return { typing: { ...s.typing, [e.conv_id]: cur } };
        });
        return;
      }
      case 'presence': {
        const p: Presence = { user_id: e.user_id, status: e.status, last_seen_at: e.last_seen_at };
        this.set((s) => ({ presence: { ...s.presence, [e.user_id]: p } }));
        return;
      }
      case 'conversation.added':
        this.upsertConversation(e.conversation);
        return;
      case 'user.updated':
        this.rememberUsers([e.user]);
        this.set((st) => ({ members: membersWithUser(st.members, st.me.id, e) }));
        if (e.user.id === this.state.me.id) {
          this.set({ me: e.user });
          updateUser(e.user);
        }
        return;
      case 'message.ephemeral':
        this.addEphemeral(e.message);
        return;
      case 'conversation.muted':
        this.applyMuted(e.conv_id, e.muted, e.notify);
        return;
      case 'notifications.updated':
        this.set({ notifications: e.settings });
        return;
      case 'delivered':
      case 'session.revoked':
        return;
    }
  }

  /**
   * A log event: the conversation, its timeline and members move by the SDK's reducer
   * (`applyToChat`); what only this page keeps — open threads, revealed content, pending sends,
   * typing, notifications, the sidebar — follows here.
   */
  private onLogEvent(incoming: LogEvent): void {
    const convId = incoming.conv_id;
    // An event for a conversation we have not heard of yet (the added event may trail it).
    if (!this.state.conversations[convId]) this.scheduleRefresh(convId);
    // Reactions I toggled and have not sent yet stay shown over the server's copy.
    const e: LogEvent = isMessageUpdate(incoming) ? { ...incoming, message: this.withWishes(incoming.message) } : incoming;
    const r = this.applyConversationEvent(e);
    const me = this.state.me.id;
    if (isMessageUpdate(e)) this.messageChangedBeyondTimeline(e.message);
    switch (e.type) {
      case 'message.created': {
        const msg = e.message;
        if (e.thread_root) this.patchThreadRoot(e.thread_root.id, e.thread_root.reply_count, e.thread_root.last_reply_at);
        this.updateThreads(msg);
        this.sends.arrived([msg]);
        if (!this.state.users[msg.sender_id]) this.ensureUsers([msg.sender_id]);
        // The sender just sent: their typing indicator is over.
        if (this.state.typing[convId]?.[msg.sender_id]) this.set((st) => ({ typing: { ...st.typing, [convId]: omit(st.typing[convId] ?? {}, msg.sender_id) } }));
        const conv = r.conversations[convId];
        if (conv && r.fresh && msg.sender_id !== me && !msg.recalled) maybeNotify(this, conv, msg, e.ts);
        break;
      }
      case 'messages.expired':
        // Past the conversation's retention (docs/operations.md): open threads lose it too.
        this.dropExpiredThreads(convId, e.up_to_seq);
        break;
      case 'member.joined':
        this.rememberUsers([e.user]);
        break;
      case 'member.left':
        // We left or were removed: the conversation leaves the sidebar.
        if (e.user_id === me && this.state.conversations[convId]) this.set((st) => ({ conversations: omit(st.conversations, convId) }));
        break;
      default:
        break;
    }
    this.schedulePersist();
  }

  /** Applies a log or read event with the SDK's reducer, and re-reads the conversation when its counters cannot follow. */
  private applyConversationEvent(e: ConversationEvent): Applied {
    const r = applyToChat(this.state, this.state.me.id, e);
    this.set({ conversations: r.conversations, timelines: r.timelines, members: r.members, countsAsOf: r.countsAsOf });
    if (r.reread) this.scheduleRefresh(e.conv_id);
    return r;
  }

  private onRead(e: ReadEvent): void {
    if (e.user_id === this.state.me.id) {
      this.applyConversationEvent(e);
      this.schedulePersist();
      return;
    }
    // Read cursors of others, kept for conversations whose members are not loaded yet.
    const reads = this.state.reads[e.conv_id] ?? {};
    if ((reads[e.user_id] ?? 0) < e.read_seq) this.set((st) => ({ reads: { ...st.reads, [e.conv_id]: { ...reads, [e.user_id]: e.read_seq } } }));
    this.applyConversationEvent(e);
  }

  /** An open thread's root takes the reply count its new reply brought. */
  private patchThreadRoot(rootId: string, replyCount: number, lastReplyAt: string | null): void {
    const t = this.state.threads[rootId];
    if (t?.root) this.set((st) => ({ threads: { ...st.threads, [rootId]: { ...t, root: { ...t.root!, reply_count: replyCount, last_reply_at: lastReplyAt } } } }));
  }

  /** Applies a newer copy of a message we may hold: in its timeline, its thread, the sidebar preview. */
  replaceMessage(incoming: Message): void {
    const msg = this.withWishes(incoming);
    const t = this.state.timelines[msg.conv_id];
    if (t) {
      const messages = replaceIfPresent(t.messages, msg);
      if (messages) this.setTimeline(msg.conv_id, (cur) => ({ ...cur, messages }));
    }
    this.messageChangedBeyondTimeline(msg);
    const conv = this.state.conversations[msg.conv_id];
    if (conv?.last_message?.id === msg.id) this.setConv({ ...conv, last_message: msg });
  }

  /** A newer copy of a message, in what the page keeps besides its timeline: open threads, and revealed content (gone once it is burned or recalled). */
  private messageChangedBeyondTimeline(msg: Message): void {
    if (msg.recalled || msg.burn?.burned_at) this.reveals.burned(msg.id);
    this.updateThreads(msg);
  }

  private pruneTyping(): void {
    const now = Date.now();
    let changed = false;
    const typing: ChatState['typing'] = {};
    for (const [conv, users] of Object.entries(this.state.typing)) {
      const kept: Record<string, ChatState['typing'][string][string]> = {};
      for (const [u, v] of Object.entries(users)) {
        if (v.until > now) kept[u] = v;
        else changed = true;
      }
      typing[conv] = kept;
    }
    if (changed) this.set({ typing });
  }

  // ---- sending -----------------------------------------------------------------------------

  /**
   * Sends a message, with files already uploaded (their upload ids, names and sizes) if any;
   * with `burnAfter` (seconds), one that burns that long after each reader reveals it.
   */
  send(convId: string, body: string, replyTo: string | null = null, files: PendingMessage['files'] = [], burnAfter?: number): void {
    this.sends.send(convId, body, replyTo, files, burnAfter);
    // Writing while reading an old window: show the present, where the message will appear.
    if (!replyTo && this.state.timelines[convId]?.hasNewer) void this.loadLatest(convId, true);
  }

  /** Sends again with the same client_msg_id, so a send that did land is not stored twice. */
  retry(clientMsgId: string): void {
    this.sends.retry(clientMsgId);
  }

  discard(clientMsgId: string): void {
    this.sends.discard(clientMsgId);
  }

  private onSent(ack: SendAck): void {
    // The event carrying this message follows; showing the ack's copy now avoids a flicker.
    const msg = ack.message;
    this.setTimeline(msg.conv_id, (t) => addLive(t, msg));
    this.updateThreads(msg);
    this.sends.acked(ack.client_msg_id);
    // The server found credentials: say so where the sender looks, once, only to them.
    if (ack.secrets) {
      const kinds = [...new Set(ack.secrets.found.map((f) => f.kind))].join(', ');
      this.addEphemeral({
        id: ack.id,
        conv_id: msg.conv_id,
        thread_root_id: msg.thread_root_id,
        sender_id: this.state.me.id,
        body: translate(ack.secrets.policy === 'mask' ? 'secrets.masked' : 'secrets.warned', { kinds }),
        created_at: msg.created_at,
      });
    }
  }

  // ---- message actions ---------------------------------------------------------------------

  async edit(messageId: string, body: string): Promise<void> {
    const msg = await this.requireClient().request('message.edit', { message_id: messageId, body });
    this.replaceMessage(msg);
  }

  async recall(messageId: string): Promise<void> {
    const msg = await this.requireClient().request('message.recall', { message_id: messageId });
    this.replaceMessage(msg);
  }

  private readonly reactionWishes = new Map<string, ReactionWish>();

  /**
   * Shows the toggled reaction at once and sends it after REACTION_SETTLE_MS, unless the user
   * toggled it back meanwhile (then nothing is sent). Resolves when the server has it.
   */
  toggleReaction(message: Message, emoji: string): Promise<void> {
    const key = `${message.id}\u0000${emoji}`;
    const current = this.currentMessage(message);
    let wish = this.reactionWishes.get(key);
    if (!wish) {
      const had = hasMyReaction(current, emoji, this.state.me.id);
      wish = { messageId: message.id, convId: message.conv_id, emoji, had, want: had, waiters: [] };
      this.reactionWishes.set(key, wish);
      setTimeout(() => void this.settleReaction(key), REACTION_SETTLE_MS);
    }
    wish.want = !wish.want;
    this.replaceMessage(current);
    const w = wish;
    return new Promise((resolve, reject) => w.waiters.push({ resolve, reject }));
  }

  private async settleReaction(key: string): Promise<void> {
    const wish = this.reactionWishes.get(key)!;
    // A click from now on starts a new wish, shown on top of this one's answer.
    this.reactionWishes.delete(key);
    try {
      if (wish.want !== wish.had) {
        const msg = await this.requireClient().request(wish.want ? 'reaction.add' : 'reaction.remove', { message_id: wish.messageId, emoji: wish.emoji });
        this.replaceMessage(msg);
      }
      for (const w of wish.waiters) w.resolve();
    } catch (e) {
      // Back to what the server holds.
      const cur = this.findMessage(wish.convId, wish.messageId);
      if (cur) this.replaceMessage(withMyReaction(cur, wish.emoji, wish.had, this.state.me.id));
      for (const w of wish.waiters) w.reject(e);
    }
  }

  private findMessage(convId: string, id: string): Message | undefined {
    const t = this.state.timelines[convId];
    const inTimeline = t && findById(t.messages, id);
    if (inTimeline) return inTimeline;
    for (const th of Object.values(this.state.threads)) {
      if (th.root?.id === id) return th.root;
      const reply = findById(th.replies, id);
      if (reply) return reply;
    }
    return undefined;
  }

  private currentMessage(message: Message): Message {
    return this.findMessage(message.conv_id, message.id) ?? message;
  }

  /** Reactions the user toggled that are not sent yet stay shown over whatever the server says meanwhile. */
  private withWishes(msg: Message): Message {
    let out = msg;
    for (const w of this.reactionWishes.values()) if (w.messageId === msg.id) out = withMyReaction(out, w.emoji, w.want, this.state.me.id);
    return out;
  }

  /** `toggleReaction` for a click: a failure is said in the toast (the reaction did not change) and logged. */
  toggleReactionOrSay(message: Message, emoji: string): void {
    this.toggleReaction(message, emoji).catch((err: unknown) => {
      toast(translate('message.reactionFailed'));
      warnFailed(`reacting ${emoji} to ${message.id}`)(err);
    });
  }

  /** Moves my read cursor to the end of the conversation (what I can see). */
  markRead(convId: string): void {
    const s = this.state;
    const conv = s.conversations[convId];
    const client = this.client;
    if (!conv?.membership || !client) return;
    const seq = Math.max(conv.last_seq, client.cursorSnapshot()[convId] ?? 0);
    if (seq <= conv.membership.read_seq) return;
    this.onRead({ type: 'read', conv_id: convId, user_id: s.me.id, read_seq: seq });
    if (s.connection === 'open') client.request('read.mark', { conv_id: convId, seq }).catch(() => this.scheduleRefresh(convId));
  }

  private lastTypingSent = new Map<string, number>();

  /** Tells others I am typing, at most once per third of the typing TTL (the server absorbs repeats anyway). */
  typing(convId: string, threadRootId: string | null): void {
    const client = this.client;
    if (!client || this.state.connection !== 'open' || this.state.lowBandwidth) return;
    const ttl = this.state.limits?.typing_ttl_ms ?? 6_000;
    const key = `${convId}:${threadRootId ?? ''}`;
    const last = this.lastTypingSent.get(key) ?? 0;
    if (Date.now() - last < ttl / 3) return;
    this.lastTypingSent.set(key, Date.now());
    client.request('typing.start', { conv_id: convId, ...(threadRootId ? { thread_root_id: threadRootId } : {}) }).catch(warnFailed('sending typing'));
  }

  stopTyping(convId: string, threadRootId: string | null): void {
    const key = `${convId}:${threadRootId ?? ''}`;
    if (!this.lastTypingSent.has(key)) return;
    this.lastTypingSent.delete(key);
    if (this.state.connection === 'open') this.client?.request('typing.stop', { conv_id: convId }).catch(warnFailed('sending typing stop'));
  }
}
