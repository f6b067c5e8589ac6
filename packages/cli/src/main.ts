import { Command } from 'commander';
import { describe, exitCodeFor, Exit } from './errors.js';
import type { ServeOptions } from './commands/serve.js';
import { login, logout, whoami } from './commands/account.js';
import { history, send, tail } from './commands/messages.js';
import { listTags, tagMessage } from './commands/tags.js';
import { resetTwoFactor, twoFactorDisable, twoFactorEnable, twoFactorRecoveryCodes, twoFactorSetup, twoFactorStatus } from './commands/two-factor.js';
import { conversations } from './commands/conversations.js';
import { search } from './commands/search.js';
import { exportAll } from './commands/export.js';
import { download } from './commands/download.js';
import { audit, listUsers, sessions, setDeactivated, setRole } from './commands/admin.js';
import { clearLockout, listLockouts } from './commands/lockouts.js';
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

program
  .command('send')
  .description('send a message to #channel, @user or a conversation id')
  .argument('<target>', '#channel, @user or conversation id')
  .argument('[text]', 'the message (or --stdin)')
  .option('--stdin', 'read the message from standard input')
  .option('--reply-to <id>', 'reply in the thread of this message')
  .option('-f, --file <path>', 'attach a file (repeatable, up to 10); progress on stderr in a terminal', (v: string, prev: string[]) => [...prev, v], [] as string[])
  .option('--json', 'print the stored message as JSON')
  .action(run(send));

program
  .command('download')
  .description("save an attached file under its own name in the current directory (its id is in history --json's attachments)")
  .argument('<id>', 'the file id')
  .option('-o, --out <path>', 'where to save it: a file, a directory, or - for standard output')
  .option('--force', 'overwrite an existing file')
  .action(run(download));

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
users.command('list', { isDefault: true }).description('list users').option('--query <text>', 'filter').option('--json', 'JSON output').action(run(listUsers));
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
  .option('--json', 'JSON output')
  .action(run(workspaceSettings));
admin.command('sessions').description('my sessions (same as `parley sessions`)').option('--revoke <id>').option('--json').action(run(sessions));
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
