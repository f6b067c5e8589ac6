import { dndActive, type NotifyLevel } from '@parley/protocol';
import { futureTimeOption } from '../durations.js';
import { CliError, Exit } from '../errors.js';
import { Names, printJson, time } from '../output.js';
import { clientFromConfig } from '../session.js';

const LEVELS: readonly NotifyLevel[] = ['all', 'mentions', 'nothing'];

/**
 * `parley notify #channel mentions`: what notifies me in a conversation (every message, only
 * mentions of me, or nothing), on every device of mine. Without a level: shows it.
 */
export async function notify(target: string, level: string | undefined, opts: { json?: boolean }): Promise<void> {
  const client = clientFromConfig();
  const conv = await client.resolveTarget(target);
  if (level !== undefined && !(LEVELS as readonly string[]).includes(level)) throw new CliError(`${level}: the level is one of all, mentions, nothing.`, Exit.usage);
  const now = level === undefined ? conv : await client.setNotifyLevel(conv.id, level as NotifyLevel);
  if (!now.membership) throw new CliError(`You are not a member of ${target}.`, Exit.failure);
  if (opts.json) return printJson({ conv_id: now.id, notify: now.membership.notify, muted: now.membership.muted });
  const name = await new Names(client).conversation(now);
  const what = { all: 'every message', mentions: 'only mentions of you', nothing: 'nothing' }[now.membership.notify];
  process.stdout.write(`${name}: ${now.membership.notify} (${what} notifies you)\n`);
}

/**
 * `parley dnd 1h` / `parley dnd 2026-12-01T09:00` / `parley dnd off`: Do Not Disturb until then,
 * or off; without an argument, shows it. Nothing notifies you meanwhile, pushed or on a desktop.
 */
export async function dnd(when: string | undefined, opts: { json?: boolean }): Promise<void> {
  const client = clientFromConfig();
  const settings = when === undefined ? await client.notificationSettings() : await client.setDoNotDisturb(/^(off|none|0)$/i.test(when.trim()) ? null : futureTimeOption(when, 'parley dnd'));
  if (opts.json) return printJson(settings);
  process.stdout.write(dndActive(settings) && settings.dnd_until ? `Do Not Disturb until ${time(settings.dnd_until)}\n` : 'Do Not Disturb is off\n');
}
