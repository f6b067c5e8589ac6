import { forwardRef, useEffect, useId, useImperativeHandle, useMemo, useRef, useState, useSyncExternalStore } from 'react';
import { useChat, useStore } from '../chat/context';
import { useT } from '../i18n/i18n';
import { loadDraft, saveDraft } from '../storage/drafts';
import { useTouchOnly } from '../ui/touch';
import { Avatar } from '../ui/Avatar';
import { canSend, MAX_ATTACHMENTS } from '../files/pending';
import { IconPaperclip, IconSend } from '../ui/icons';
import { PendingFiles } from './PendingFiles';
import { autoGrow } from './autogrow';
import { mentionOptions, mentionQuery } from './mentions';
import { burnOutOfRange, commandQuery, commandSuggestions, isBurnCommand, isBurnText, parseCommand, type Parsed } from './commands';
import { durationWords } from '../messages/burn-format';
import { describeError } from '../auth/errors';
import { navigate } from '../app/router';
import { ComposerEmojiButton } from '../emoji/ComposerEmojiButton';
import { ShortcodeList, useShortcodeCompletion } from './shortcodes';
import { matchesShortcut } from '../app/shortcuts';

interface Props {
  convId: string;
  threadRootId: string | null;
  placeholder: string;
  /** Up arrow in an empty composer: edit my last message. */
  onEditLast?: () => boolean;
  disabled?: boolean;
}

export interface ComposerHandle {
  focus: () => void;
  /** Files dropped on the conversation: they join this composer's pending files. */
  addFiles: (files: readonly File[]) => void;
}

/** What of the text is kept as a draft: a `/burn` line's words are never written down. */
const draftable = (text: string) => (isBurnText(text) ? '' : text);

/**
 * The message box: Enter sends, Shift+Enter breaks the line, `@` suggests members, the draft
 * survives switching conversations and reloads, and typing is signalled (throttled) to others.
 */
export const Composer = forwardRef<ComposerHandle, Props>(function Composer({ convId, threadRootId, placeholder, onEditLast, disabled }, handle) {
  const t = useT();
  const store = useStore();
  const me = useChat((s) => s.me.id);
  const members = useChat((s) => s.members[convId]);
  const kind = useChat((s) => s.conversations[convId]?.kind);
  const maxChars = useChat((s) => s.limits?.max_message_chars ?? null);
  const limits = useChat((s) => s.limits);
  const custom = useChat((s) => s.commands);
  const draftKey = threadRootId ? `thread:${threadRootId}` : convId;
  const [text, setText] = useState(() => loadDraft(me, draftKey));
  const [caret, setCaret] = useState(0);
  const [active, setActive] = useState(0);
  const [dismissed, setDismissed] = useState<number | null>(null);
  const [commandsDismissed, setCommandsDismissed] = useState(false);
  /** A command the server is running (`/deploy`, `/remind`): the text stays until it succeeds. */
  const [running, setRunning] = useState<string | null>(null);
  const ref = useRef<HTMLTextAreaElement>(null);
  const listId = useId();
  const inThread = threadRootId !== null;
  // On a phone's keyboard Enter is the only way to a new line (code blocks, lists): it stays one
  // there, and the send button sends.
  const touch = useTouchOnly();

  const uploads = useSyncExternalStore(store.uploads.subscribe, () => store.uploads.list(draftKey));
  const [notice, setNotice] = useState<string | null>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  useEffect(() => {
    void store.uploads.restore(draftKey);
    setNotice(null);
  }, [store, draftKey]);

  function addFiles(files: readonly File[]) {
    if (files.length === 0 || disabled) return;
    const refused = store.uploads.add(draftKey, files);
    setNotice(refused.length ? t('files.error.too_many', { n: MAX_ATTACHMENTS, names: refused.map((f) => f.name).join(', ') }) : null);
    ref.current?.focus();
  }

  useImperativeHandle(handle, () => ({ focus: () => ref.current?.focus(), addFiles }));

  useEffect(() => {
    if (ref.current) autoGrow(ref.current);
  }, []);

  // Save the draft shortly after typing stops, and when leaving the conversation.
  const textRef = useRef(text);
  textRef.current = text;
  useEffect(() => {
    const timer = setTimeout(() => saveDraft(me, draftKey, draftable(text)), 300);
    return () => clearTimeout(timer);
  }, [text, me, draftKey]);
  useEffect(
    () => () => {
      saveDraft(me, draftKey, draftable(textRef.current));
      store.stopTyping(convId, threadRootId);
    },
    [me, draftKey, store, convId, threadRootId],
  );

  const mq = mentionQuery(text, caret);
  const options = useMemo(
    () =>
      mq && mq.start !== dismissed
        ? mentionOptions(
            Object.values(members ?? {}).map((m) => m.user),
            mq.query,
            me,
            kind !== 'dm',
          )
        : [],
    [mq?.query, mq?.start, dismissed, members, me, kind],
  );
  const cq = commandQuery(text);
  const commands = useMemo(() => (cq !== null && !commandsDismissed ? commandSuggestions(kind, cq, custom) : []), [cq, commandsDismissed, kind, custom]);
  const customNames = useMemo(() => (custom ?? []).map((c) => c.command), [custom]);
  // The workspace's custom commands: fetched once, and again (when not fresh) as the `/` list opens.
  const listing = cq !== null;
  useEffect(() => {
    store.refreshCommands(listing ? undefined : Infinity);
  }, [store, listing]);
  const showCommands = commands.length > 0 && !disabled;
  const showMentions = options.length > 0;
  const completion = useShortcodeCompletion(text, caret);
  const emoji = showMentions || showCommands ? null : completion;
  const showEmoji = emoji !== null;
  const over = maxChars !== null ? [...text].length - maxChars : 0;

  function insertMention(username: string) {
    if (!mq) return;
    const next = `${text.slice(0, mq.start)}@${username} ${text.slice(caret)}`;
    const pos = mq.start + username.length + 2;
    setText(next);
    setCaret(pos);
    requestAnimationFrame(() => {
      const el = ref.current;
      if (!el) return;
      el.focus();
      el.setSelectionRange(pos, pos);
    });
  }

  /** An emoji in place of the selection (or `from` to the caret, for a `:shortcode` typed). */
  function insertEmoji(value: string, from?: number) {
    const el = ref.current;
    const start = from ?? el?.selectionStart ?? text.length;
    const end = from !== undefined ? caret : (el?.selectionEnd ?? start);
    const pos = start + value.length;
    setText(`${text.slice(0, start)}${value}${text.slice(end)}`);
    setCaret(pos);
    setActive(0);
    requestAnimationFrame(() => {
      if (!el) return;
      el.focus();
      el.setSelectionRange(pos, pos);
      autoGrow(el);
    });
  }

  const ready = canSend(uploads, text);
  const waiting = uploads.some((u) => u.status === 'uploading');

  function clear() {
    setText('');
    saveDraft(me, draftKey, '');
    requestAnimationFrame(() => ref.current && autoGrow(ref.current));
  }

  /**
   * A command the server runs: the text stays (to retry or fix) until it succeeds, and is cleared
   * then unless it was changed meanwhile. A failure is said in the server's words.
   */
  function runOnServer(name: string, typed: string, action: () => Promise<unknown>) {
    setNotice(null);
    setRunning(name);
    store.stopTyping(convId, threadRootId);
    action()
      .then(
        () => {
          if (textRef.current === typed) clear();
        },
        (e: unknown) => setNotice(describeError(e, t)),
      )
      .finally(() => setRunning(null));
  }

  /** A slash command: run it, or say what is wrong with it (the text stays to fix). False: send a message. */
  function runCommand(c: Parsed | null, typed: string): boolean {
    if (!c) return false;
    const fail = (e: unknown) => setNotice(describeError(e, t));
    switch (c.kind) {
      case 'send':
        return false;
      case 'burn':
      case 'burnTime':
        sendBurn(c);
        return true;
      case 'usage':
        setNotice(t('commands.usage', { usage: `/${c.name} ${t(`commands.${c.name}.args`)}`.trim() }));
        return true;
      case 'custom':
        runOnServer(c.name, typed, () => store.runCommand(convId, c.name, c.text, threadRootId));
        return true;
      case 'remind':
        runOnServer('remind', typed, () => store.api.createReminder(convId, c.text));
        return true;
      case 'tag': {
        const target = threadRootId ? (store.state.threads[threadRootId]?.root ?? { id: threadRootId, burn: null }) : store.state.conversations[convId]?.last_message;
        if (!target) {
          setNotice(t('commands.tag.nothing'));
          return true;
        }
        // Its tags would say what it is about, outside the reveal: the server refuses, say why here.
        if (target.burn) {
          setNotice(t('burn.noTag'));
          return true;
        }
        runOnServer('tag', typed, () => store.tagMessage(target.id, c.tag, c.op));
        return true;
      }
      case 'unknown': {
        const unknown = () => setNotice(t('commands.unknown', { name: c.name }));
        if (store.state.commands !== null) {
          unknown();
          return true;
        }
        // The custom commands are not known yet (still on their way, or the fetch failed): ask first.
        store.loadCommands().then((list) => {
          if (textRef.current !== typed) return;
          if (!list.some((x) => x.command === c.name) || !runCommand(parseCommand(typed.trim(), [c.name]), typed)) unknown();
        }, unknown);
        return true;
      }
      case 'help':
        setText('/');
        setCommandsDismissed(false);
        setNotice(null);
        return true;
      case 'topic':
        setNotice(null);
        clear();
        store.api.setTopic(convId, c.topic).catch(fail);
        return true;
      case 'leave':
        setNotice(null);
        clear();
        store.api.leave(convId).then(() => navigate('/'), fail);
        return true;
      case 'mute': {
        // A toggle, as in Slack: the header and the sidebar show which way it went.
        const muted = store.state.conversations[convId]?.membership?.muted === true;
        setNotice(null);
        clear();
        store.setMuted(convId, !muted).catch(fail);
        return true;
      }
      case 'invite':
        setNotice(null);
        void (async () => {
          const found = (await store.searchUsers(c.username)).find((u) => u.username === c.username);
          if (!found) return setNotice(t('commands.noSuchUser', { name: c.username }));
          await store.api.invite(convId, found.id);
          clear();
        })().catch(fail);
        return true;
    }
  }

  /**
   * `/burn 1m text`: the text and the files pending here, sent to burn that long after each
   * reader reveals it. A time that is not one, or outside the server's range, is said in words
   * and nothing is sent (the text stays to fix).
   */
  function sendBurn(c: Extract<Parsed, { kind: 'burn' | 'burnTime' }> | { kind: 'usage' }) {
    const usage = () => setNotice(t('commands.usage', { usage: `/burn ${t('commands.burn.args')}` }));
    if (c.kind === 'usage') return usage();
    if (c.kind === 'burnTime') return setNotice(t('burn.error.time', { typed: c.typed }));
    const range = burnOutOfRange(c.seconds, limits);
    if (range) return setNotice(t('burn.error.range', { min: durationWords(range.min, t), max: durationWords(range.max, t) }));
    if (c.body === '' && uploads.length === 0) return usage();
    const files = uploads.map((u) => ({ id: u.id!, name: u.name, size: u.size }));
    store.uploads.take(draftKey);
    setNotice(null);
    store.send(convId, c.body, threadRootId, files, c.seconds);
    store.stopTyping(convId, threadRootId);
    clear();
  }

  function send() {
    if (!ready || over > 0 || disabled || running) return;
    const command = parseCommand(text.trim(), customNames);
    // First, whatever is pending: with files in the composer the other commands are sent as
    // typed, and a `/burn` line's words must never go out as an ordinary message.
    if (isBurnCommand(command)) return sendBurn(command);
    if (uploads.length === 0 && runCommand(command, text)) return;
    const body = command?.kind === 'send' ? command.body : text.trim();
    const files = uploads.map((u) => ({ id: u.id!, name: u.name, size: u.size }));
    store.uploads.take(draftKey);
    setNotice(null);
    // Files may carry a message without text.
    store.send(convId, body, threadRootId, files);
    store.stopTyping(convId, threadRootId);
    clear();
  }

  function completeCommand(name: string) {
    const next = `/${name} `;
    setText(next);
    setCaret(next.length);
    setActive(0);
    requestAnimationFrame(() => {
      const el = ref.current;
      if (!el) return;
      el.focus();
      el.setSelectionRange(next.length, next.length);
    });
  }

  /**
   * Keys over an open suggestion list: arrows move, Enter or Tab picks (Enter sends instead when
   * what is typed is already `complete`), Escape closes it. True when the key was taken.
   */
  function listKeys(e: React.KeyboardEvent, n: number, complete: boolean, pick: (index: number) => void, dismiss: () => void): boolean {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      const d = e.key === 'ArrowDown' ? 1 : -1;
      setActive((a) => (a + d + n) % n);
      return true;
    }
    if ((e.key === 'Enter' && !complete) || e.key === 'Tab') {
      e.preventDefault();
      pick(Math.min(active, n - 1));
      return true;
    }
    if (e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation();
      dismiss();
      return true;
    }
    return false;
  }

  function onKeyDown(e: React.KeyboardEvent<HTMLTextAreaElement>) {
    // An IME (Chinese, Japanese…) uses Enter to confirm a candidate: never send then.
    if (e.nativeEvent.isComposing || e.keyCode === 229) return;
    if (showCommands) {
      // A command typed out in full runs on Enter (`/leave`, `/help`); a prefix is completed.
      if (
        listKeys(
          e,
          commands.length,
          commands.some((c) => c.name === cq),
          (i) => completeCommand(commands[i]!.name),
          () => setCommandsDismissed(true),
        )
      )
        return;
    }
    if (showMentions) {
      // A name typed out in full needs no completion: Enter sends as usual.
      if (
        listKeys(
          e,
          options.length,
          options.some((o) => o.username === mq?.query),
          (i) => insertMention(options[i]!.username),
          () => setDismissed(mq?.start ?? null),
        )
      )
        return;
    }
    if (emoji && listKeys(e, emoji.options.length, false, (i) => insertEmoji(emoji.options[i]!.entry.emoji, emoji.start), emoji.dismiss)) return;
    if (e.key === 'Enter' && !e.shiftKey && !touch) {
      e.preventDefault();
      send();
      return;
    }
    if (matchesShortcut('editLast', e) && text === '' && onEditLast) {
      if (onEditLast()) e.preventDefault();
    }
  }

  return (
    <div className="composer">
      {showCommands && (
        <ul className="mention-suggestions commands" id={listId} role="listbox" data-testid="command-suggestions" aria-label={t('commands.label')}>
          {commands.map((c, i) => (
            <li
              key={c.name}
              id={`${listId}-${i}`}
              role="option"
              aria-selected={i === active}
              className={`option ${i === active ? 'active' : ''}`}
              data-testid="command-option"
              data-command={c.name}
              data-custom={c.custom ? 'true' : undefined}
              onMouseDown={(e) => {
                e.preventDefault();
                completeCommand(c.name);
              }}
            >
              <span className="option-main">
                /{c.name} <span className="muted">{c.custom ? c.custom.usage_hint : t(`commands.${c.name}.args`)}</span>
              </span>
              <span className="muted option-help">{c.custom ? c.custom.description : t(`commands.${c.name}.help`)}</span>
            </li>
          ))}
        </ul>
      )}
      {showMentions && (
        <ul className="mention-suggestions" id={listId} role="listbox" data-testid="mention-suggestions" aria-label={t('composer.mentions')}>
          {options.map((o, i) => (
            <li
              key={o.username}
              id={`${listId}-${i}`}
              role="option"
              aria-selected={i === active}
              className={`option ${i === active ? 'active' : ''}`}
              data-testid="mention-option"
              data-username={o.username}
              onMouseDown={(e) => {
                e.preventDefault();
                insertMention(o.username);
              }}
            >
              {o.user && <Avatar user={o.user} id={o.user.id} size={20} />}
              <span className="option-main">{o.label}</span>
              <span className="muted">@{o.username}</span>
            </li>
          ))}
        </ul>
      )}
      {emoji && <ShortcodeList id={listId} options={emoji.options} active={Math.min(active, emoji.options.length - 1)} onPick={(o) => insertEmoji(o.entry.emoji, emoji.start)} />}
      <PendingFiles draftKey={draftKey} list={uploads} />
      <div className="composer-box">
        <input
          ref={fileInput}
          type="file"
          multiple
          hidden
          data-testid={inThread ? 'thread-composer-file-input' : 'composer-file-input'}
          onChange={(e) => {
            addFiles([...(e.target.files ?? [])]);
            e.target.value = '';
          }}
        />
        <button
          type="button"
          className="attach-button icon-button"
          data-testid={inThread ? 'thread-composer-attach' : 'composer-attach'}
          aria-label={t('files.attach')}
          title={t('files.attach')}
          disabled={disabled || uploads.length >= MAX_ATTACHMENTS}
          onClick={() => fileInput.current?.click()}
        >
          <IconPaperclip />
        </button>
        <textarea
          ref={ref}
          className="composer-input"
          data-testid={inThread ? 'thread-composer-input' : 'composer-input'}
          aria-label={placeholder}
          placeholder={placeholder}
          rows={1}
          value={text}
          disabled={disabled}
          role={showMentions || showCommands || showEmoji ? 'combobox' : undefined}
          aria-expanded={showMentions || showCommands || showEmoji ? true : undefined}
          aria-controls={showMentions || showCommands || showEmoji ? listId : undefined}
          aria-activedescendant={
            showCommands
              ? `${listId}-${Math.min(active, commands.length - 1)}`
              : showMentions
                ? `${listId}-${Math.min(active, options.length - 1)}`
                : emoji
                  ? `${listId}-${Math.min(active, emoji.options.length - 1)}`
                  : undefined
          }
          aria-describedby={`${listId}-hint`}
          onChange={(e) => {
            setText(e.target.value);
            if (commandsDismissed && !e.target.value.startsWith('/')) setCommandsDismissed(false);
            setCaret(e.target.selectionStart);
            setActive(0);
            autoGrow(e.target);
            if (e.target.value.trim()) store.typing(convId, threadRootId);
            else store.stopTyping(convId, threadRootId);
          }}
          onSelect={(e) => setCaret(e.currentTarget.selectionStart)}
          onKeyDown={onKeyDown}
          onPaste={(e) => {
            // A screenshot (or files copied in a file manager) arrives as files; text pastes as usual.
            const files = [...e.clipboardData.files];
            if (files.length === 0 || e.clipboardData.types.includes('text/plain')) return;
            e.preventDefault();
            addFiles(files.map((f, i) => (f.name && f.name !== 'image.png' ? f : pastedName(f, i))));
          }}
        />
        <ComposerEmojiButton testId={inThread ? 'thread-composer-emoji' : 'composer-emoji'} disabled={disabled} onPick={(e) => insertEmoji(e)} />
        <button
          type="button"
          className="send-button"
          data-testid={inThread ? 'thread-composer-send' : 'composer-send'}
          aria-label={t('composer.send')}
          title={t('composer.send')}
          disabled={!ready || over > 0 || disabled || running !== null}
          onClick={send}
        >
          <IconSend />
        </button>
      </div>
      <div className="composer-hint muted" id={`${listId}-hint`}>
        {over > 0 ? (
          <span className="error">{t('composer.tooLong', { n: over })}</span>
        ) : notice ? (
          <span className="error" role="alert">
            {notice}
          </span>
        ) : running ? (
          t('commands.running', { name: running })
        ) : waiting ? (
          t('files.waiting')
        ) : (
          t(touch ? 'composer.hintTouch' : 'composer.hint')
        )}
      </div>
    </div>
  );
});

/** Pasted images come named "image.png" whatever they are: give each a dated, distinct name. */
function pastedName(f: File, i: number): File {
  const ext = f.type.split('/')[1]?.replace('jpeg', 'jpg') ?? 'bin';
  const stamp = new Date().toISOString().slice(0, 19).replace('T', ' ').replace(/:/g, '.');
  return new File([f], `Pasted image ${stamp}${i ? ` (${i + 1})` : ''}.${ext}`, { type: f.type, lastModified: f.lastModified });
}
