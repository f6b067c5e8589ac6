// An echo bot: answers every message it can see with the same text.
// Run: PARLEY_SERVER=http://localhost:8080 PARLEY_TOKEN=pat_… node --import tsx packages/sdk/examples/echo-bot.ts
import { Parley } from '@parley/sdk';

const client = new Parley({
  url: process.env.PARLEY_SERVER ?? 'http://localhost:8080',
  token: process.env.PARLEY_TOKEN!,
});
const hello = await client.connect();
console.log(`echo bot online as ${hello.user.username}`);

for await (const event of client.events()) {
  if (event.type !== 'message.created') continue;
  const { conv_id, body, sender_id } = event.message;
  if (sender_id === hello.user.id || event.message.recalled) continue;
  await client.send(conv_id, `echo: ${body}`);
}
