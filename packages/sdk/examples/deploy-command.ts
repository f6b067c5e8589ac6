// A custom slash command: `/deploy api` answers at once (only the caller sees it), then, when the
// "deploy" is done, posts in the channel through the response_url Parley sent with the call.
// Add it as a workspace admin:  parley command add deploy --url http://localhost:3000/ --hint '[service]'
// (a server calls a loopback or private address only with PARLEY_OUTGOING_ALLOW_PRIVATE=1).
// Run it with the secret that printed:  PARLEY_COMMAND_SECRET=… PORT=3000 node --import tsx packages/sdk/examples/deploy-command.ts
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { verifyWebhookSignature } from '@parley/sdk';

export interface StartOptions {
  /** Where to listen; 0 picks a free port. */
  port: number;
  /** The command's signing secret (`parley command add` prints it once). */
  secret: string;
  /** How long the pretend deploy takes before the in-channel answer. */
  delayMs?: number;
}

export async function start({ port, secret, delayMs = 2_000 }: StartOptions): Promise<{ port: number; close(): Promise<void> }> {
  const pending = new Set<NodeJS.Timeout>();

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    // The signature covers the body exactly as sent: read it raw, verify, only then parse.
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    if (req.method !== 'POST' || !verifyWebhookSignature(secret, { body, headers: req.headers })) {
      res.writeHead(401).end();
      return;
    }
    // Slack's slash-command fields: command, text, user_name, channel_id, response_url, …
    const form = new URLSearchParams(body);
    const service = form.get('text')?.trim() ?? '';
    const answer = (message: { response_type: 'ephemeral' | 'in_channel'; text: string }) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(message));
    if (!service) {
      answer({ response_type: 'ephemeral', text: 'Usage: /deploy SERVICE' });
      return;
    }

    // Within 3 seconds: an answer only the caller sees.
    answer({ response_type: 'ephemeral', text: `Deploying ${service}…` });

    // Later (up to 5 times within 30 minutes): answers through response_url, here for everyone.
    const responseUrl = form.get('response_url')!;
    const timer = setTimeout(async () => {
      pending.delete(timer);
      const done = { response_type: 'in_channel', text: `Deployed ${service} ✅ (asked by @${form.get('user_name')})` };
      try {
        const r = await fetch(responseUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(done) });
        if (!r.ok) console.error(`response_url answered ${r.status}: ${await r.text()}`);
      } catch (e) {
        console.error('response_url failed:', e);
      }
    }, delayMs);
    pending.add(timer);
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      console.error('/deploy failed:', e);
      res.destroy();
    });
  });

  await new Promise<void>((resolve) => server.listen(port, resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: async () => {
      for (const t of pending) clearTimeout(t);
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

// Run directly (not imported by a test): listen until stopped.
if (process.argv[1] && path.resolve(process.argv[1]) === import.meta.filename) {
  const secret = process.env.PARLEY_COMMAND_SECRET;
  if (!secret) throw new Error('Set PARLEY_COMMAND_SECRET to the secret `parley command add` printed.');
  const bot = await start({ port: Number(process.env.PORT ?? 3000), secret });
  console.log(`/deploy listening on http://localhost:${bot.port}/`);
}
