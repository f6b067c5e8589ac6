import { plural, type Message, type ServerEvent } from '@parley/protocol';
import { CliError, Exit } from '../errors.js';
import { formatMessage, Names, printJson } from '../output.js';
import { readStdin } from '../prompt.js';
import { checkFiles, uploadAll } from '../files.js';
import { clientFromConfig } from '../session.js';

export async function send(target: string, text: string | undefined, opts: { stdin?: boolean; replyTo?: string; json?: boolean; file?: string[] }): Promise<void> {
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
    const msg = await client.rest.request<Message>('POST', `/conversations/${conv.id}/messages`, {
      client_msg_id: clientMsgId,
      body: body.replace(/\n$/, ''),
      ...(opts.replyTo ? { reply_to: opts.replyTo } : {}),
      ...(uploads.length > 0 ? { attachments: uploads.map((u) => u.id) } : {}),
    });
    if (opts.json) printJson(msg);
    else process.stderr.write(`sent #${msg.seq} ${msg.id}${msg.attachments.length > 0 ? ` with ${plural(msg.attachments.length, 'file')}` : ''}\n`);
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
    if (e.type !== 'message.created' && e.type !== 'message.edited' && e.type !== 'message.recalled') return;
    queue = queue.then(async () => {
      if (opts.json) printJson({ event: e.type, ...e.message });
      else if (e.type === 'message.created') process.stdout.write(`${await formatMessage(e.message, names)}\n`);
      else if (e.type === 'message.edited') process.stdout.write(`(edited #${e.message.seq}) ${await formatMessage(e.message, names)}\n`);
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
