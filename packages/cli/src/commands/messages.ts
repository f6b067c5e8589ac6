import { formatBurnAfter, plural, type Message, type RevealedMessage, type ServerEvent } from '@parley/protocol';
import { ParleyError } from '@parley/sdk';
import { burnOption, futureTimeOption } from '../durations.js';
import { CliError, Exit } from '../errors.js';
import { formatMessage, inText, Names, printJson, time } from '../output.js';
import { readStdin } from '../prompt.js';
import { bytesText, checkFiles, uploadAll } from '../files.js';
import { clientFromConfig } from '../session.js';

export async function send(target: string, text: string | undefined, opts: { stdin?: boolean; replyTo?: string; json?: boolean; file?: string[]; burn?: string; burnCap?: string }): Promise<void> {
  // Options first: a bad one fails before anything is read, uploaded or sent.
  if (opts.burnCap !== undefined && opts.burn === undefined) throw new CliError('--burn-cap goes with --burn: give the timer too (--burn 1m --burn-cap 2h).', Exit.usage);
  const burnAfter = opts.burn === undefined ? undefined : burnOption(opts.burn);
  const expiresAt = opts.burnCap === undefined ? undefined : futureTimeOption(opts.burnCap, '--burn-cap');
  let body = text;
  if (opts.stdin) body = await readStdin();
  const files = opts.file ?? [];
  checkFiles(files);
  // Files may carry a message without text.
  if ((body === undefined || body.trim() === '') && files.length > 0) body = '';
  else if (body === undefined || body.trim() === '') throw new CliError('Nothing to send: give the text as an argument or use --stdin.', Exit.usage);
  const client = clientFromConfig();
  try {
    const conv = await client.resolveTarget(target);
    const uploads = await uploadAll(client, files);
    // One REST call is enough for a one-shot send; the client_msg_id makes a retried command safe.
    const clientMsgId = process.env.PARLEY_CLIENT_MSG_ID ?? globalThis.crypto.randomUUID();
    const msg = await client.rest
      .request<Message>('POST', `/conversations/${conv.id}/messages`, {
        client_msg_id: clientMsgId,
        body: body.replace(/\n$/, ''),
        ...(opts.replyTo ? { reply_to: opts.replyTo } : {}),
        ...(uploads.length > 0 ? { attachments: uploads.map((u) => u.id) } : {}),
        ...(burnAfter !== undefined ? { burn_after: burnAfter } : {}),
        ...(expiresAt !== undefined ? { expires_at: expiresAt } : {}),
      })
      .catch((e: unknown) => {
        // The server holds the timer and the cap to its range (it names the range): a bad option value.
        if (e instanceof ParleyError && e.code === 'invalid_request' && /^(burn_after|expires_at)\b/.test(e.message)) throw new CliError(`${e.message} (${e.code})`, Exit.usage);
        throw e;
      });
    if (opts.json) printJson(msg);
    else {
      // Counted from the uploads: a burn message's shared shape never lists its files.
      const files = uploads.length > 0 ? ` with ${plural(uploads.length, 'file')}` : '';
      const burn = msg.burn ? `, burns ${formatBurnAfter(msg.burn.after_s)} after reading (gone by ${time(msg.burn.expires_at)} unread)` : '';
      process.stderr.write(`sent #${msg.seq} ${msg.id}${files}${burn}\n`);
    }
  } finally {
    await client.close();
  }
}

export async function history(target: string, opts: { since?: string; until?: string; limit?: string; tag?: string; json?: boolean }): Promise<void> {
  const client = clientFromConfig();
  const names = new Names(client);
  const since = opts.since === undefined ? undefined : Number(opts.since);
  const until = opts.until === undefined ? undefined : Number(opts.until);
  const limit = opts.limit === undefined ? 50 : Number(opts.limit);
  for (const [name, v] of [
    ['--since', since],
    ['--until', until],
    ['--limit', limit],
  ] as const) {
    if (v !== undefined && (!Number.isInteger(v) || v < 0)) throw new CliError(`${name} takes a whole number.`, Exit.usage);
  }
  const conv = await client.resolveTarget(target);
  const out: Message[] = [];
  if (since !== undefined) {
    for await (const m of client.allMessages(conv.id, since, undefined, opts.tag)) {
      if (until !== undefined && m.seq > until) break;
      out.push(m);
    }
  } else {
    const page = await client.history(conv.id, { limit, ...(until !== undefined ? { before_seq: until + 1 } : {}), ...(opts.tag !== undefined ? { tag: opts.tag } : {}) });
    out.push(...page.messages);
  }
  for (const m of out) {
    if (opts.json) printJson(m);
    else process.stdout.write(`${await formatMessage(m, names)}\n`);
  }
}

/** Streams a conversation until interrupted; the SDK reconnects and resyncs across server restarts. */
export async function tail(target: string, opts: { since?: string; json?: boolean }): Promise<void> {
  const probe = clientFromConfig();
  const conv = await probe.resolveTarget(target);
  await probe.close();
  const since = opts.since === undefined ? conv.last_seq : Number(opts.since);
  if (!Number.isInteger(since) || since < 0) throw new CliError('--since takes a whole number.', Exit.usage);
  const live = clientFromConfig({}, process.env, { cursors: { [conv.id]: since }, deliveryAcks: false });
  const names = new Names(live);
  let queue = Promise.resolve();
  live.on('event', (e: ServerEvent) => {
    if (!('conv_id' in e) || e.conv_id !== conv.id) return;
    if (e.type === 'messages.expired') {
      const { up_to_seq, count } = e;
      queue = queue.then(() => {
        if (opts.json) printJson({ event: e.type, conv_id: e.conv_id, up_to_seq, count });
        else process.stdout.write(`(expired up to #${up_to_seq}) ${count} message${count === 1 ? '' : 's'} past the retention policy erased\n`);
      });
      return;
    }
    if (e.type !== 'message.created' && e.type !== 'message.edited' && e.type !== 'message.recalled' && e.type !== 'message.burned') return;
    queue = queue.then(async () => {
      if (opts.json) printJson({ event: e.type, ...e.message });
      else if (e.type === 'message.created') process.stdout.write(`${await formatMessage(e.message, names)}\n`);
      else if (e.type === 'message.edited') process.stdout.write(`(edited #${e.message.seq}) ${await formatMessage(e.message, names)}\n`);
      else if (e.type === 'message.burned') process.stdout.write(`(burned #${e.message.seq}) 🔥 ${e.message.id} burned after reading\n`);
      else process.stdout.write(`(recalled #${e.message.seq})\n`);
    });
  });
  live.on('state', (s) => {
    if (s === 'reconnecting') process.stderr.write('connection lost; reconnecting…\n');
  });
  await live.connect();
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    live.on('error', (err) => {
      if (err.code === 'session_revoked' || err.code === 'invalid_token') {
        process.stderr.write(`${err.message}\n`);
        process.exitCode = Exit.auth;
        resolve();
      }
    });
  });
  await queue;
  await live.close();
}

/**
 * A burn-after-reading message's content, for me: the text on stdout (then its files), and on
 * stderr when it burns for me. The first reveal starts my timer; after it, "this message has burned".
 */
export async function reveal(messageId: string, opts: { json?: boolean }): Promise<void> {
  const client = clientFromConfig();
  let revealed: RevealedMessage;
  try {
    revealed = await client.reveal(messageId);
  } catch (e) {
    // Gone for good, like a file that is no longer readable: exit 4.
    if (e instanceof ParleyError && e.code === 'burned') throw new CliError('this message has burned', Exit.notFound);
    throw e;
  } finally {
    await client.close();
  }
  if (opts.json) {
    printJson(revealed);
    return;
  }
  const m = revealed.message;
  if (m.recalled) process.stdout.write('(message recalled)\n');
  else if (m.body !== '') process.stdout.write(`${m.body}\n`);
  for (const a of m.attachments) process.stdout.write(`[file] ${a.name}  ${bytesText(a.size)}  ${a.mime}  ${a.id}\n`);
  if (revealed.burns_at !== null) process.stderr.write(`burns for you at ${time(revealed.burns_at)} (${inText(revealed.burns_in_ms ?? 0)})\n`);
  else if (m.burn && !m.recalled) process.stderr.write(`you sent it: readable for you until it burns for everyone, ${time(m.burn.expires_at)} at the latest\n`);
}
