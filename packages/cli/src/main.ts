import { Command } from 'commander';
import { describe, exitCodeFor, Exit } from './errors.js';
import type { ServeOptions } from './commands/serve.js';
import { login, logout, whoami } from './commands/account.js';
import { history, reveal, send, tail } from './commands/messages.js';
import { listTags, tagMessage } from './commands/tags.js';
import { listPins, listSaved, pinMessage, saveMessage, unpinMessage, unsaveMessage } from './commands/pins.js';
import { resetTwoFactor, twoFactorDisable, twoFactorEnable, twoFactorRecoveryCodes, twoFactorSetup, twoFactorStatus } from './commands/two-factor.js';
import {
  addMembers,
  archiveChannel,
  channelInfo,
  conversations,
  createChannel,
  leaveConversation,
  listMembers,
  memberRole,
  messageEdits,
  removeMember,
  renameChannel,
  setHistory,
  setPurpose,
  setTopic,
  unarchiveChannel,
} from './commands/conversations.js';
import { dnd, notify } from './commands/notifications.js';
import { setAvatar, setProfile, showProfile } from './commands/profile.js';
import { search } from './commands/search.js';
import { exportAll } from './commands/export.js';
import { setRetention } from './commands/retention.js';
import { download } from './commands/download.js';
import { backup, restore } from './commands/backup.js';
import { audit, sessions, setDeactivated, setRole } from './commands/admin.js';
import { adminChannels, adminIntegrations, adminSessions, adminStats, adminUsers } from './commands/admin-console.js';
import { traceMessage } from './commands/trace.js';
import { clearLockout, listLockouts } from './commands/lockouts.js';
import { createInvite, listInvites, revokeInvite } from './commands/invites.js';
import { setEmail, workspaceSettings } from './commands/workspace.js';
import { createToken, listBots, listTokens, removeBot, revokeToken } from './commands/tokens.js';
import { createOutgoing, createWebhook, listDeliveries, listOutgoing, listWebhooks, redeliver, revokeOutgoing, revokeWebhook, rotateOutgoing, rotateWebhook } from './commands/webhooks.js';
import { addCommand, listCommands, removeCommand, runCommand } from './commands/slash-commands.js';

/** Runs an action and turns any failure into one line on stderr and a meaningful exit code. */
function run<A extends unknown[]>(fn: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await fn(...args);
    } catch (e) {
      process.stderr.write(`parley: ${describe(e)}\n`);
      process.exitCode = exitCodeFor(e);
    }
  };
}

// `parley history … | head` closes the pipe early: that is a normal end, not a crash.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});

const program = new Command()
  .name('parley')
  .description('Parley from the shell: run the server, send and stream messages, export, administer.\nPARLEY_SERVER and PARLEY_TOKEN override stored credentials (for CI).')
  .version('0.1.0')
  .showHelpAfterError()
  .exitOverride((err) => {
    process.exit(err.exitCode === 0 ? 0 : Exit.usage);
  });

program
  .command('serve')
  .description('start the Parley server (what `npm start` runs)')
  .option('-p, --port <port>', 'port (default 8080, or PORT)')
  .option('-d, --data-dir <dir>', 'data directory (default ./data, or DATA_DIR)')
  .option('-w, --workers <n>', 'worker processes; only 1 with embedded SQLite')
  // Imported on demand: loading the whole server would slow every other command down by seconds.
  .action(run(async (opts: ServeOptions) => (await import('./commands/serve.js')).serve(opts)));

program
  .command('login')
  .description('log in and store credentials (mode 0600) in the config directory')
  .option('-s, --server <url>', 'server URL, e.g. http://localhost:8080 (or PARLEY_SERVER)')
  .option('-u, --username <name>', 'username (or PARLEY_USERNAME)')
  .option('--password-stdin', 'read the password from standard input (else PARLEY_PASSWORD, else a prompt)')
  .option('--register', 'create the account instead of logging in')
  .option('--invite <code>', 'with --register on an invite-only server: the invite code (or the whole invite link)')
  .option('--code <code>', 'with two-factor sign-in: the code from your authenticator app (asked for on a terminal otherwise)')
  .option('--recovery-code <code>', 'with two-factor sign-in: one of your recovery codes instead')
  .option('--sso', "sign in with the server's single sign-on, in a browser")
  .action(run(login));

const twoFactor = program.command('2fa').description('two-factor sign-in with an authenticator app');
twoFactor.command('status', { isDefault: true }).description('whether it is on, and recovery codes left').option('--json', 'JSON output').action(run(twoFactorStatus));
twoFactor.command('setup').description('a new secret for your authenticator app (an otpauth:// link and the secret)').option('--json', 'JSON output').action(run(twoFactorSetup));
twoFactor.command('enable').description('turn it on with the first code; prints recovery codes, once').argument('<code>').option('--json', 'JSON output').action(run(twoFactorEnable));
twoFactor.command('disable').description('turn it off (needs a code or a recovery code)').argument('<code>').action(run(twoFactorDisable));
twoFactor.command('recovery-codes').description('new recovery codes; the old ones stop working (needs a code)').argument('<code>').option('--json', 'JSON output').action(run(twoFactorRecoveryCodes));

program.command('logout').description('revoke this session and forget the stored credentials').action(run(logout));
program.command('whoami').description('show the logged-in user').option('--json', 'JSON output').action(run(whoami));

const profile = program.command('profile').description('my profile: name, status, time zone, avatar');
profile.command('show', { isDefault: true }).description('show my profile').option('--json', 'JSON output').action(run(showProfile));
profile
  .command('set')
  .description('change my name, status or time zone (only what is given)')
  .option('--name <name>', 'display name')
  .option('--status <text>', "status text ('' clears it)")
  .option('--status-emoji <emoji>', 'an emoji shown with the status')
  .option('--status-expires <when>', 'when the status clears: 30m, 1h, 4h, today, an ISO time, or never (the default)')
  .option('--clear-status', 'clear the status text and emoji')
  .option('--tz <zone>', "IANA time zone, e.g. Europe/Paris ('none' clears it)")
  .option('--json', 'JSON output')
  .addHelpText('after', `\nExamples:\n  parley profile set --name 'Ada Lovelace' --tz Europe/London\n  parley profile set --status 'In a meeting' --status-emoji 📅 --status-expires 1h`)
  .action(run(setProfile));
profile
  .command('avatar')
  .description('upload my avatar (PNG, JPEG, WebP or GIF; stored cropped square, 256×256), or remove it')
  .argument('[file]', 'the picture')
  .option('--crop <x,y,size>', 'the square to keep, in pixels of the picture (default: the largest centred square)')
  .option('--remove', 'remove my avatar')
  .option('--json', 'print my profile as JSON')
  .action(run(setAvatar));

program
  .command('send')
  .description('send a message to #channel, @user or a conversation id')
  .argument('<target>', '#channel, @user or conversation id')
  .argument('[text]', 'the message (or --stdin)')
  .option('--stdin', 'read the message from standard input')
  .option('--reply-to <id>', 'reply in the thread of this message')
  .option('-f, --file <path>', 'attach a file (repeatable, up to 10); progress on stderr in a terminal', (v: string, prev: string[]) => [...prev, v], [] as string[])
  .option('--burn <duration>', 'burn after reading: each recipient sees it this long from their first `parley reveal` (30s, 1m, 2h, 7d or seconds; the server sets the range, 30s to 7d by default)')
  .option('--burn-cap <when>', 'with --burn: gone for everyone by then, read or not: a duration from now (2h) or an ISO time (default and latest: the longest timer from now)')
  .option('--json', 'print the stored message as JSON')
  .addHelpText('after', `\nExamples:\n  parley send @bob 'the door code is 4711' --burn 1m\n  parley send '#ops' "$(cat token.txt)" --burn 30s --burn-cap 2h`)
  .action(run(send));

program
  .command('reveal')
  .description('show a burn-after-reading message (history shows its id): the first reveal starts your timer, when it burns for you is on stderr')
  .argument('<message-id>')
  .option('--json', 'print the message with its content and burns_at as JSON')
  .action(run(reveal));

program
  .command('download')
  .description("save an attached file under its own name in the current directory (its id is in history --json's attachments)")
  .argument('<id>', 'the file id')
  .option('-o, --out <path>', 'where to save it: a file, a directory, or - for standard output')
  .option('--force', 'overwrite an existing file')
  .action(run(download));

program
  .command('backup')
  .description("an online backup of the server's embedded database and files, to FILE (workspace owners; PostgreSQL: pg_dump, see docs/operations.md)")
  .argument('<file>', 'where to write the backup (a .tar.gz)')
  .option('--force', 'overwrite an existing file')
  .action(run(backup));

program
  .command('restore')
  .description('unpack a backup into an empty data directory (offline), then serve it: parley serve --data-dir DIR')
  .argument('<file>', 'a backup made by parley backup')
  .option('-d, --data-dir <dir>', 'the new data directory (default ./data, or DATA_DIR); it must be empty or not exist')
  .action(run(restore));

program
  .command('tail')
  .description('stream new messages until interrupted (survives server restarts)')
  .argument('<target>', '#channel, @user or conversation id')
  .option('--since <seq>', 'first replay everything after this seq')
  .option('--json', 'one JSON object per line')
  .action(run(tail));

program
  .command('history')
  .description('print messages of a conversation')
  .argument('<target>', '#channel, @user or conversation id')
  .option('--since <seq>', 'messages after this seq')
  .option('--until <seq>', 'messages up to this seq')
  .option('--limit <n>', 'without --since: the last n messages (default 50)')
  .option('--tag <tag>', 'only messages tagged so (bug or #bug)')
  .option('--json', 'one JSON object per line')
  .action(run(history));

program
  .command('tags')
  .description("a conversation's tags, most used first")
  .argument('<target>', '#channel, @user or conversation id')
  .option('--json', 'one JSON object per line')
  .action(run(listTags));
program
  .command('tag')
  .description('tag a message after it was sent (tags in its text change with an edit)')
  .argument('<message-id>')
  .argument('<tag>', 'bug or #bug')
  .option('--remove', 'take the tag off instead')
  .option('--json', 'print the message')
  .action(run(tagMessage));

program
  .command('pin')
  .description('pin a message to its conversation, for every member to find (its id is in history --json)')
  .argument('<message-id>')
  .option('--json', 'print the message')
  .action(run((id: string, opts: { json?: boolean }) => pinMessage(id, opts)));
program.command('unpin').description('unpin a message (yours, or any as an admin)').argument('<message-id>').option('--json', 'print the message').action(run(unpinMessage));
program
  .command('pins')
  .description("a conversation's pinned messages, newest pin first")
  .argument('<target>', '#channel, @user or conversation id')
  .option('--limit <n>', 'at most n pins')
  .option('--json', 'one JSON object per line')
  .action(run(listPins));
program.command('save').description('save a message for yourself alone').argument('<message-id>').option('--json', 'print the saved entry').action(run(saveMessage));
program.command('unsave').description('unsave a message').argument('<message-id>').action(run(unsaveMessage));
program
  .command('saved')
  .description('my saved messages I can still read, last saved first')
  .option('--limit <n>', 'at most n messages')
  .option('--json', 'one JSON object per line')
  .action(run(listSaved));

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];
program
  .command('search')
  .description('search the messages I can read (query language: docs/search.md)')
  .argument('<query...>', 'words, "phrases", -excluded, and filters such as from:@alice in:#ops has:link on:2026-11-30')
  .option('--in <conversation>', 'only in #channel or the DM with @user (repeatable)', collect)
  .option('--from <user>', 'only from @user (repeatable)', collect)
  .option('--order <order>', 'newest (default) or relevance')
  .option('--limit <n>', 'at most n hits (default 20)')
  .option('--json', 'each page of results as one JSON line')
  .addHelpText(
    'after',
    `\nExamples:\n  parley search 部署 --in '#ops'\n  parley search '"connection refused" -staging' --from @alice --order relevance\n  parley search has:link after:2026-11-01 --json | jq '.hits[].message.body'`,
  )
  .action(run(search));

program.command('conversations').description('list my conversations with unread counts').option('--json', 'one JSON object per line').action(run(conversations));

const channel = program.command('channel').description('create a channel; show or change a channel or group: name, topic, purpose, history option, archive; leave it');
channel
  .command('create')
  .description('create a channel: public with full history unless told otherwise')
  .argument('<name>')
  .option('--private', 'only people who are added can see it')
  .option('--since-join', 'people added later see messages from when they join, not the earlier history')
  .option('--topic <text>')
  .option('--purpose <text>', 'what the channel is for')
  .option('--member <user>', 'add @user (repeatable)', collect)
  .option('--json', 'JSON output')
  .addHelpText('after', `\nExamples:\n  parley channel create incidents --private --since-join --member @alice --member @bob\n  parley channel create lunch --topic 'where and when'`)
  .action(run(createChannel));
channel
  .command('info')
  .description('what it is, its topic, purpose, history option and members')
  .argument('<conversation>', '#channel, a group or conversation id')
  .option('--json', 'JSON output')
  .action(run(channelInfo));
channel.command('rename').description('rename it (its owners and admins)').argument('<conversation>').argument('<name>').option('--json', 'JSON output').action(run(renameChannel));
channel.command('topic').description("set the topic ('' clears it)").argument('<conversation>').argument('<text>').option('--json', 'JSON output').action(run(setTopic));
channel
  .command('purpose')
  .description('set what it is for')
  .argument('<conversation>')
  .argument('[text]')
  .option('--clear', 'remove the purpose')
  .option('--json', 'JSON output')
  .action(run(setPurpose));
channel
  .command('history')
  .description('what people added from now on read: full (the whole history) or since-join (its owners and admins)')
  .argument('<conversation>')
  .argument('<option>', 'full or since-join')
  .option('--json', 'JSON output')
  .action(run(setHistory));
channel.command('archive').description('make it read-only for everyone (its owners)').argument('<conversation>').option('--json', 'JSON output').action(run(archiveChannel));
channel.command('unarchive').description('open it again (its owners)').argument('<conversation>').option('--json', 'JSON output').action(run(unarchiveChannel));
channel.command('leave').description('leave a channel or group').argument('<conversation>').action(run(leaveConversation));

const members = program.command('members').description("a conversation's members: list, add, remove, change roles");
members
  .command('list', { isDefault: true })
  .description('who is in it, owners first')
  .argument('<conversation>', '#channel, a group or conversation id')
  .option('--json', 'one JSON object per line')
  .action(run(listMembers));
members.command('add').description('add people').argument('<conversation>').argument('<users...>', '@user …').action(run(addMembers));
members.command('remove').description('remove someone (owners and admins)').argument('<conversation>').argument('<user>').action(run(removeMember));
members.command('role').description("change someone's role (owners)").argument('<conversation>').argument('<user>').argument('<role>', 'owner, admin or member').action(run(memberRole));

program
  .command('edits')
  .description('the earlier versions of a message (its sender and admins)')
  .argument('<message-id>')
  .option('--json', 'one JSON object per earlier version')
  .action(run(messageEdits));

program
  .command('notify')
  .description('what notifies me in a conversation, on every device: every message, only mentions of me, or nothing (shown without a level)')
  .argument('<target>', '#channel, @user or conversation id')
  .argument('[level]', 'all, mentions or nothing')
  .option('--json', 'JSON output')
  .addHelpText('after', `\nExamples:\n  parley notify '#random' nothing\n  parley notify @alice mentions`)
  .action(run(notify));
program
  .command('dnd')
  .description('Do Not Disturb: nothing notifies me, pushed or on a desktop, until then (shown without an argument)')
  .argument('[when]', 'a duration from now (30m, 1h, 2d), a time (2026-12-01T09:00 or an ISO time), or off')
  .option('--json', 'JSON output')
  .addHelpText('after', `\nExamples:\n  parley dnd 1h\n  parley dnd '2026-12-01 09:00'\n  parley dnd off`)
  .action(run(dnd));

program
  .command('export')
  .description('export every conversation I can see; with --out, a rerun resumes')
  .option('--format <format>', 'ndjson (default)', 'ndjson')
  .option('-o, --out <file>', 'write to a file (resumable) instead of stdout')
  .option('--files <dir>', 'also fetch every attached file into this directory (files already there are skipped)')
  .action(run(exportAll));

program.command('sessions').description('list my device sessions, or revoke one').option('--revoke <id>', 'revoke this session').option('--json', 'JSON output').action(run(sessions));

const admin = program.command('admin').description('workspace administration (owners and admins)');
const users = admin.command('users').description('list users, change roles, deactivate');
users
  .command('list', { isDefault: true })
  .description('list users: parley admin users [QUERY]')
  .argument('[query]', 'part of a username or display name')
  .option('--query <text>', 'filter')
  .option('--json', 'JSON output')
  .action(run(adminUsers));
users.command('role').description("change a user's workspace role").argument('<username>').argument('<role>', 'owner, admin, member or guest').action(run(setRole));
users
  .command('deactivate')
  .description('deactivate a user (revokes their sessions)')
  .argument('<username>')
  .action(run((u: string) => setDeactivated(u, true)));
users.command('reset-2fa').description("turn a user's two-factor sign-in off (a lost phone); audited").argument('<username>').action(run(resetTwoFactor));
users
  .command('reactivate')
  .description('reactivate a user')
  .argument('<username>')
  .action(run((u: string) => setDeactivated(u, false)));
users
  .command('set-email')
  .description('the address single sign-on links the account by (when the identity provider verified it)')
  .argument('<username>')
  .argument('[email]')
  .option('--clear', 'remove the address')
  .action(run(setEmail));
admin
  .command('settings')
  .description('workspace settings, changed first when an option is given')
  .option('--require-2fa <on|off>', 'everyone signing in with a password must turn two-factor sign-in on first')
  .option('--secret-policy <policy>', 'credentials in messages: mask (stored masked), block (refused) or warn (stored, sender told)')
  .option('--edit-window <duration>', 'how long authors may edit their messages: 10m, 2h, 1d, 0 or unlimited')
  .option('--recall-window <duration>', 'how long authors may recall their messages (admins always may): 10m, 2h, 1d, 0 or unlimited')
  .option('--registration <open|invite>', 'who may sign up: anyone, or people with an invite code')
  .option('--retention <days|forever>', 'erase messages and their files older than this for everyone: 30, 90d… or forever')
  .option('--max-message-chars <n>', 'the longest message, in characters')
  .option('--max-upload <size>', 'the largest file one upload may be: 100MB, 2GB…')
  .option('--json', 'JSON output')
  .action(run(workspaceSettings));
program
  .command('retention')
  .description("a conversation's own retention (workspace owners and admins): messages older are erased for everyone; inherit: the workspace's")
  .argument('<conversation>', '#channel, a group or conversation id')
  .argument('<days>', 'a number of days (30, 90d…) or inherit')
  .option('--json', 'JSON output')
  .action(run(setRetention));
admin
  .command('sessions')
  .description("a user's device sessions; with --revoke, sign them out everywhere (their sockets close at once). Without USER: my sessions")
  .argument('[user]', 'a username')
  .option('--revoke [id]', 'with USER: revoke all of them; without: revoke my session ID')
  .option('--json', 'JSON output')
  .action(run(adminSessions));
admin
  .command('channels')
  .description('every channel, private ones too: owners, members, archived, last activity')
  .argument('[query]', 'part of the name')
  .option('--json', 'one JSON object per line')
  .action(run(adminChannels));
admin
  .command('integrations')
  .description('every incoming and outgoing webhook, slash command and bot: where it posts, who made it, when it last acted')
  .option('--type <type>', 'only one kind: incoming, outgoing, command or bot')
  .option('--json', 'one JSON object per line')
  .action(run(adminIntegrations));
admin.command('stats').description("each node's live figures (sockets, users, messages per minute, heartbeat) and the totals").option('--json', 'JSON output').action(run(adminStats));
admin
  .command('audit')
  .description('the audit log, newest first: sign-ins, sessions, roles, memberships, tokens, webhooks, settings')
  .option('--since <when>', 'entries from then on: a duration back from now (30m, 24h, 7d), an ISO time or milliseconds')
  .option('--until <when>', 'entries before then (same forms as --since)')
  .option('--actor <user>', 'who acted: a username or a user id')
  .option('--action <action>', 'one action (auth.login) or a prefix (auth. or auth.*)')
  .option('--limit <n>', '1 to 500 (default 50)')
  .option('--before <id>', 'the next page: entries older than this entry id')
  .option('--json', 'one JSON object per line')
  .addHelpText('after', `\nExamples:\n  parley admin audit --since 24h\n  parley admin audit --action auth.login_failed --since 7d --json | jq -r '[.created_at, .target, .ip] | @tsv'`)
  .action(run(audit));
admin
  .command('trace')
  .description('where a message went: accepted, committed, published, and each recipient device delivered and read, or why not yet')
  .argument('<message-id>')
  .option('--json', 'the whole trace as one JSON object')
  .addHelpText(
    'after',
    `\nExamples:\n  parley admin trace 01JD4Z3M8Q6V7W2X9Y0A1B2C3D\n  parley admin trace 01JD4Z3M8Q6V7W2X9Y0A1B2C3D --json | jq '.recipients[].devices[] | select(.status == "pending")'`,
  )
  .action(run(traceMessage));
const invite = program.command('invite').description('invite links for invite-only sign-up (owners and admins)');
invite
  .command('create')
  .description('a new invite link; its code is shown this once')
  .option('--expires <duration>', 'how long it works: 1h, 24h, 7d (default 7d)')
  .option('--uses <n>', 'how many people it admits (default 1)')
  .option('--json', 'JSON output')
  .action(run(createInvite));
invite.command('list', { isDefault: true }).description('open invites, and used ones with who used them').option('--json', 'one JSON object per line').action(run(listInvites));
invite.command('revoke').description('revoke an invite: nobody else signs up with it (audited)').argument('<id-or-code>', 'its id as listed, its code, or the link').action(run(revokeInvite));

const lockouts = admin.command('lockouts').description('sign-in lockouts: accounts and addresses locked out, or with recent failed sign-ins');
lockouts.command('list', { isDefault: true }).description('list them').option('--json', 'JSON output').action(run(listLockouts));
lockouts.command('clear').description('lift one and forget its failures (audited)').argument('<key>', 'account:NAME, ip:ADDRESS, or a username').action(run(clearLockout));

const token = program.command('token').description('API tokens for scripts, CI and bots');
token
  .command('create')
  .description('create a token for me, or with --bot for a bot (created if missing); printed once')
  .option('--bot <name>', 'the bot account the token acts as')
  .option('--name <label>', 'a label to recognise the token by')
  .option('--scope <scopes>', 'comma-separated: read, post, manage_webhooks (default all)')
  .option('--json', 'JSON output')
  .action(run(createToken));
token.command('list').description("my tokens and my bots' tokens").option('--json', 'JSON output').action(run(listTokens));
token.command('revoke').description('revoke a token').argument('<id>').action(run(revokeToken));

const bot = program.command('bot').description('bot accounts (they act through API tokens: `parley token create --bot NAME`)');
bot.command('list').description('my bots (all bots for admins)').option('--json', 'JSON output').action(run(listBots));
bot.command('remove').description('remove a bot: deactivated, its tokens revoked').argument('<name>', '@name or id').action(run(removeBot));

const webhook = program.command('webhook').description('incoming webhooks: secret URLs that post into a conversation (Slack-compatible)');
webhook
  .command('create')
  .description('create a webhook posting into #channel or a group; its URL is printed once')
  .argument('<conversation>', '#channel, a group name or a conversation id')
  .requiredOption('--name <name>', 'who its posts appear from')
  .option('--icon <url>', 'an https URL of its picture')
  .option('--kind <kind>', 'slack (default: Slack-compatible messages), or a thread per thing: github, gitlab, sentry, alertmanager, grafana, ci')
  .option('--secret-stdin', "read a secret from standard input: a sentry hook's client secret, or the password of --basic-auth-user")
  .option('--basic-auth-user <user>', 'alertmanager and grafana: the sender must also use HTTP basic auth as this user (password from --secret-stdin)')
  .option('--json', 'JSON output')
  .action(run(createWebhook));
webhook.command('list').description("a conversation's webhooks").argument('<conversation>').option('--json', 'JSON output').action(run(listWebhooks));
webhook.command('rotate').description('give a webhook a new URL (the old one stops working)').argument('<id>').option('--json', 'JSON output').action(run(rotateWebhook));
webhook.command('revoke').description('revoke a webhook').argument('<id>').action(run(revokeWebhook));

const outgoing = program.command('outgoing').description("outgoing webhooks: a conversation's events POSTed, signed, to your URL");
outgoing
  .command('create')
  .description("send #channel's messages (or other events) to a URL; the signing secret is printed once")
  .argument('<conversation>', '#channel, a group name or a conversation id')
  .requiredOption('--name <name>', 'who its replies appear from')
  .requiredOption('--url <url>', 'the receiver (http or https)')
  .option('--trigger <word...>', 'only messages starting with one of these words')
  .option('--events <kinds>', 'comma-separated: message, reaction, member_joined (default message)')
  .option('--format <format>', 'json (default) or slack (Slack outgoing-webhook form fields)')
  .option('--icon <url>', 'an https URL of its picture')
  .option('--json', 'JSON output')
  .action(run(createOutgoing));
outgoing.command('list').description("a conversation's outgoing webhooks").argument('<conversation>').option('--json', 'JSON output').action(run(listOutgoing));
outgoing.command('rotate').description('a new signing secret (the old one stops at once)').argument('<id>').option('--json', 'JSON output').action(run(rotateOutgoing));
outgoing.command('revoke').description('revoke an outgoing webhook').argument('<id>').action(run(revokeOutgoing));
outgoing
  .command('deliveries')
  .description("an outgoing webhook's deliveries, newest first")
  .argument('<id>')
  .option('--state <state>', 'pending, delivered or dead')
  .option('--limit <n>', 'at most this many (default 50)')
  .option('--json', 'JSON output')
  .action(run(listDeliveries));
outgoing.command('redeliver').description('send a delivered or dead delivery again').argument('<id>').argument('<delivery>').option('--json', 'JSON output').action(run(redeliver));

const command = program.command('command').description('custom slash commands: `/name text` calls your URL with Slack’s slash-command fields, signed');
command
  .command('add')
  .description('add /name for the whole workspace (owners and admins); the signing secret and the Slack token are printed once')
  .argument('<name>', 'the command, without or with its slash: deploy or /deploy')
  .requiredOption('--url <url>', 'the endpoint (http or https) that answers it')
  .option('--description <text>', 'what it does, shown while typing')
  .option('--hint <text>', 'what follows it, shown while typing: "[service] [env]"')
  .option('--as <name>', 'who its answers appear from (default /name)')
  .option('--icon <url>', 'an https URL of its picture')
  .option('--json', 'JSON output')
  .action(run(addCommand));
command.command('list').description("the workspace's slash commands (their URLs only for admins)").option('--json', 'JSON output').action(run(listCommands));
command.command('remove').description('remove a slash command (owners and admins)').argument('<name-or-id>', 'deploy, /deploy or its id').action(run(removeCommand));
command
  .command('run')
  .description('run /name in a conversation: the answer only I see is printed; one posted in the conversation is reported on stderr')
  .argument('<conversation>', '#channel, @user or conversation id')
  .argument('<name>', 'the command, without or with its slash')
  .argument('[text...]', 'what follows the command')
  .option('--thread <id>', 'run it in the thread of this message (answers go there)')
  .option('--json', 'the result as JSON')
  .action(run(runCommand));

await program.parseAsync(process.argv);
