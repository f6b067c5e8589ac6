/**
 * `npm run bench -- writer [--messages N] [--batch B] [--users U] [--runs R]` — the embedded send
 * writer alone: the cost of writing direct messages in group-commit batches, without sockets,
 * the load generator or the event loop, so a change to the write path (a statement, an index) is
 * measured far above the end-to-end run's noise on a shared 2-core machine.
 *
 * A migrated database in a temporary directory (synchronous=FULL, as served), U users and 2U DMs
 * as `dm --clients U` makes them, then N sends in batches of B through the server's own
 * SendBatchWriter (messages/sqlite-send-batch.ts), the one the `parley-send` thread runs. Per
 * message: the writer's CPU and wall time (each batch's transaction and commit, with its fsync),
 * and the WAL it wrote (frames, read by a checkpoint after each batch, outside the timing).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { openSqlite, SendBatchWriter, type BatchItem } from '@parley/server/messages/seeding';
import { n0, n1, table } from './load/report.js';
import { median } from './load/util.js';

const log = (s: string) => process.stderr.write(`[bench writer] ${s}\n`);

interface RunFigures {
  cpu_us_per_msg: number;
  wall_us_per_msg: number;
  wal_kb_per_msg: number;
}

async function once(users: number, messages: number, batch: number): Promise<RunFigures> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-bench-writer-'));
  const opened = await openSqlite(dir, 'full');
  try {
    const s = opened.sqlite!;
    // The bench checkpoints itself after each batch, to count the frames that batch wrote.
    s.pragma('wal_autocheckpoint = 0');
    const id = (p: string, i: number) => `${p}${String(i).padStart(25, '0')}`;
    const convs: { id: string; from: string }[] = [];
    s.transaction(() => {
      const user = s.prepare(`INSERT INTO users (id, username, display_name, password_hash, role, created_at) VALUES (?, ?, ?, 'x', 'member', 0)`);
      const conv = s.prepare(
        `INSERT INTO conversations (id, kind, name, topic, visibility, history_visibility, created_by, created_at, last_seq, member_count, dm_key) VALUES (?, 'dm', NULL, '', NULL, 'full', ?, 0, 0, 2, ?)`,
      );
      const member = s.prepare(`INSERT INTO members (conv_id, user_id, role, joined_at, visible_from_seq, read_seq, delivered_seq) VALUES (?, ?, 'member', 0, 1, 0, 0)`);
      for (let i = 0; i < users; i++) user.run(id('u', i), `user${i}`, `User ${i}`);
      // A ring, two peers to each side (the dm scenario's `--dm-peers 2`).
      for (let i = 0; i < users * 2; i++) {
        const a = i % users;
        const b = (a + 1 + Math.floor(i / users)) % users;
        convs.push({ id: id('c', i), from: id('u', a) });
        conv.run(id('c', i), id('u', a), `${a}:${b}`);
        member.run(id('c', i), id('u', a));
        member.run(id('c', i), id('u', b));
      }
    })();
    s.pragma('wal_checkpoint(TRUNCATE)');
    const writer = new SendBatchWriter(s);
    let cpu = 0;
    let wall = 0;
    let frames = 0;
    for (let done = 0; done < messages; done += batch) {
      const items: BatchItem[] = Array.from({ length: Math.min(batch, messages - done) }, () => {
        const c = convs[Math.floor(Math.random() * convs.length)]!;
        return {
          actor: { userId: c.from, role: 'member', sessionId: 'bench', via: 'session' },
          input: { conv_id: c.id, client_msg_id: randomUUID(), body: 'a direct message of an ordinary length, about fifty' },
          overRate: false,
          acceptedAt: Date.now(),
        };
      });
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      // The message trace rides along as it does by default (PARLEY_TRACE on).
      const reply = writer.run({ at: Date.now(), presentSince: 0, maxMessageChars: 4000, items, trace: { batchId: randomUUID(), node: 'bench', rows: null } });
      wall += performance.now() - t0;
      const c1 = process.cpuUsage(c0);
      cpu += c1.user + c1.system;
      if (!reply.ok || reply.results.some((r) => r.kind !== 'sent')) throw new Error(`a send failed: ${JSON.stringify(reply).slice(0, 300)}`);
      // PASSIVE reports the WAL's frames (TRUNCATE reports 0 once it has emptied it).
      const [row] = s.pragma('wal_checkpoint(PASSIVE)') as { log: number }[];
      frames += row!.log;
      s.pragma('wal_checkpoint(TRUNCATE)');
    }
    const pageKb = (s.pragma('page_size', { simple: true }) as number) / 1024;
    return { cpu_us_per_msg: cpu / messages, wall_us_per_msg: (wall * 1000) / messages, wal_kb_per_msg: (frames * pageKb) / messages };
  } finally {
    await opened.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      messages: { type: 'string', default: '60000' },
      batch: { type: 'string', default: '300' },
      users: { type: 'string', default: '1000' },
      runs: { type: 'string', default: '3' },
    },
  });
  const [messages, batch, users, runs] = [values.messages, values.batch, values.users, values.runs].map(Number) as [number, number, number, number];
  if (![messages, batch, users, runs].every((v) => Number.isInteger(v) && v >= 1) || users < 2) throw new Error('--messages, --batch, --runs ≥ 1 and --users ≥ 2 (integers)');
  const figures: RunFigures[] = [];
  for (let r = 0; r < runs; r++) {
    const f = await once(users, messages, batch);
    log(`run ${r + 1}/${runs}: ${n1(f.cpu_us_per_msg)} µs CPU, ${n1(f.wall_us_per_msg)} µs wall, ${f.wal_kb_per_msg.toFixed(2)} KB of WAL per message`);
    figures.push(f);
  }
  const med = (k: keyof RunFigures) => median(figures.map((f) => f[k]));
  process.stdout.write(
    `${table(`parley bench: writer — ${os.availableParallelism()} CPUs, median of ${runs}`, [
      ['messages per run / batch size', `${n0(messages)} / ${n0(batch)}`],
      ['users / DM conversations', `${n0(users)} / ${n0(users * 2)}`],
      ['writer CPU per message (µs)', n1(med('cpu_us_per_msg'))],
      ['writer wall time per message (µs, with fsync)', n1(med('wall_us_per_msg'))],
      ['WAL written per message (KB)', med('wal_kb_per_msg').toFixed(2)],
    ])}\n`,
  );
  process.stdout.write(
    `${JSON.stringify({ bench: 'parley-writer', at: new Date().toISOString(), messages, batch, users, runs: figures, median: { cpu_us_per_msg: med('cpu_us_per_msg'), wall_us_per_msg: med('wall_us_per_msg'), wal_kb_per_msg: med('wal_kb_per_msg') } })}\n`,
  );
}
