/**
 * `npm run bench -- search [--messages N] [--pg URL] [--queries K]` — search latency over a large
 * mixed corpus (English prose, Chinese, Japanese, code and log lines), on the embedded SQLite or
 * on PostgreSQL.
 *
 * Set-up goes through the public API (owner, bots, conversations); the corpus is then written
 * straight into the store with the server's own index writer (search/write.ts), as the send path
 * writes it — a million sends through the socket would take longer than the measurement. The
 * searcher is a member of a quarter of the conversations, so every query also exercises the
 * readable-range join. Each query kind is asked `--queries` times, one at a time, over REST, and
 * its p50/p99 printed; then the index's size per message.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import pg from 'pg';
import { freePort } from '@parley/server/testing/ports';
import { SEARCH_SCHEMA, SqliteSearchWriter, firstDocId, searchDocument, searchIndexFile, toTsvector } from '@parley/server/search/seeding';
import { Api, type BenchUser } from './load/api.js';
import { Histogram } from './load/hist.js';
import { n0, n1, table, type Row } from './load/report.js';
import { ChildServer, killAllServers, sampleProc } from './load/server.js';
import { randomTag } from './load/util.js';

const log = (s: string) => process.stderr.write(`[bench search] ${s}\n`);

const EN =
  `the a to and of in is it you that for on with this was be are not have at but deploy build release merge review test failed passed error timeout retry database cache queue worker server client request response latency memory disk network config rollback hotfix incident alert monitor metric dashboard ticket sprint meeting tomorrow today please thanks look check issue fix branch commit pipeline cluster node pod container image version staging production customer report`.split(
    ' ',
  );
const ZH = '今天 我们 部署 了 新 版本 到 生产 环境 数据库 迁移 失败 上海 北京 会议 明天 放假 服务器 监控 告警 发布 回滚 测试 通过 代码 审查 用户 反馈 问题 修复 性能 优化 缓存 队列'.split(' ');
const JA = 'デプロイ 失敗 しました サーバー 東京 確認 お願いします 本番 環境 リリース テスト 完了 障害 対応 データベース'.split(' ');
const CODE = [
  'get_user_id',
  'user.profile.name',
  'fetchUserProfile()',
  'ECONNREFUSED',
  'v1.2.3',
  'HTTPServer',
  'NullPointerException',
  '127.0.0.1:5432',
  'SIGKILL',
  'npm ci',
  'git rebase -i',
  'SELECT * FROM users',
];
const RARE = 'zyxwvutsrq';

/** Zipf-ish: low indexes far more often, like words in real text. */
function pick<T>(list: readonly T[], rnd: () => number): T {
  return list[Math.floor(list.length * rnd() ** 2.2)]!;
}

function body(i: number, rnd: () => number): string {
  const kind = i % 10;
  const words = 4 + Math.floor(rnd() * 14);
  if (kind < 5) return Array.from({ length: words }, () => pick(EN, rnd)).join(' ');
  if (kind < 7) return Array.from({ length: words }, () => pick(ZH, rnd)).join('');
  if (kind < 8) return Array.from({ length: words }, () => pick(JA, rnd)).join('');
  return `${Array.from({ length: words / 2 }, () => pick(EN, rnd)).join(' ')} \`${pick(CODE, rnd)}\` ${pick(EN, rnd)}`;
}

/** A small deterministic generator, so two runs search the same corpus. */
function mulberry(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
function ulidAt(timeMs: number, n: number): string {
  let t = '';
  for (let i = 0, v = timeMs; i < 10; i++, v = Math.floor(v / 32)) t = CROCKFORD[v % 32]! + t;
  let r = '';
  for (let i = 0, m = n; i < 16; i++, m = Math.floor(m / 32)) r = CROCKFORD[m % 32]! + r;
  return t + r;
}

interface Corpus {
  convs: string[];
  senders: string[];
  /** Each conversation's last seq before seeding (its creation and joins are events too). */
  lastSeq: Map<string, number>;
}

interface Row8 {
  id: string;
  conv: string;
  seq: number;
  sender: string;
  at: number;
  text: string;
}

function* rows(n: number, c: Corpus): Generator<Row8> {
  const rnd = mulberry(42);
  const seqs = new Map(c.lastSeq);
  const start = Date.now() - n * 10;
  for (let i = 0; i < n; i++) {
    const conv = c.convs[i % c.convs.length]!;
    const seq = (seqs.get(conv) ?? 0) + 1;
    seqs.set(conv, seq);
    let text = body(i, rnd);
    // Ten messages carry a word found nowhere else.
    if (i % Math.floor(n / 10) === 8) text = `${text} ${RARE}`;
    yield { id: ulidAt(start + i * 10, i), conv, seq, sender: c.senders[i % c.senders.length]!, at: start + i * 10, text };
  }
}

function seedSqlite(dataDir: string, n: number, c: Corpus): void {
  const db = new Database(path.join(dataDir, 'parley.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  // The index has its own file, written by the server's index thread; seeded here the same way.
  const index = new Database(searchIndexFile(dataDir));
  index.pragma('journal_mode = WAL');
  index.pragma('synchronous = NORMAL');
  for (const statement of SEARCH_SCHEMA) index.exec(statement);
  const writer = new SqliteSearchWriter(index);
  for (const r of db.prepare('SELECT id, last_seq FROM conversations').all() as { id: string; last_seq: number }[]) c.lastSeq.set(r.id, r.last_seq);
  const insMsg = db.prepare(
    `INSERT INTO messages (id, conv_id, seq, sender_id, client_msg_id, body, reply_to, thread_root_id, reply_count, last_reply_at, mentions_all, created_at, edited_at, recalled_at, recalled_by)
     VALUES (?, ?, ?, ?, ?, ?, NULL, NULL, 0, NULL, 0, ?, NULL, NULL, NULL)`,
  );
  const insEvt = db.prepare(`INSERT INTO events (conv_id, seq, type, actor_id, message_id, data, created_at) VALUES (?, ?, 'message.created', ?, ?, '{}', ?)`);
  const bump = db.prepare('UPDATE conversations SET last_seq = max(last_seq, ?) WHERE id = ?');
  let batch: Row8[] = [];
  const stored = db.transaction((b: Row8[]) => {
    for (const r of b) {
      insMsg.run(r.id, r.conv, r.seq, r.sender, `seed-${r.id}`, r.text, r.at);
      insEvt.run(r.conv, r.seq, r.sender, r.id, r.at);
      bump.run(r.seq, r.conv);
    }
  });
  const indexed = index.transaction((b: Row8[]) => {
    for (const r of b) writer.put({ messageId: r.id, convId: r.conv, seq: r.seq, senderId: r.sender, createdAt: r.at, body: r.text, attachments: [] });
  });
  const flush = (b: Row8[]) => {
    stored(b);
    indexed(b);
  };
  let done = 0;
  for (const r of rows(n, c)) {
    batch.push(r);
    if (batch.length === 20_000) {
      flush(batch);
      done += batch.length;
      batch = [];
      log(`seeded ${done}/${n}`);
    }
  }
  if (batch.length) flush(batch);
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  index.pragma('wal_checkpoint(TRUNCATE)');
  index.close();
}

async function seedPostgres(url: string, schema: string, n: number, c: Corpus): Promise<void> {
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  const client = await pool.connect();
  try {
    await client.query(`SET search_path TO "${schema}"`);
    for (const r of (await client.query<{ id: string; last_seq: string }>('SELECT id, last_seq FROM conversations')).rows) c.lastSeq.set(r.id, Number(r.last_seq));
    let batch: Row8[] = [];
    const flush = async (b: Row8[]) => {
      const docs = b.map((r) => searchDocument(r.text, []));
      await client.query('BEGIN');
      await client.query(
        `INSERT INTO messages (id, conv_id, seq, sender_id, client_msg_id, body, reply_to, thread_root_id, reply_count, last_reply_at, mentions_all, created_at, edited_at, recalled_at, recalled_by)
         SELECT id, conv, seq, sender, 'seed-' || id, body, NULL, NULL, 0, NULL, 0, at, NULL, NULL, NULL FROM unnest($1::varchar[], $2::varchar[], $3::bigint[], $4::varchar[], $5::text[], $6::bigint[]) AS t(id, conv, seq, sender, body, at)`,
        [b.map((r) => r.id), b.map((r) => r.conv), b.map((r) => r.seq), b.map((r) => r.sender), b.map((r) => r.text), b.map((r) => r.at)],
      );
      await client.query(
        `INSERT INTO events (conv_id, seq, type, actor_id, message_id, data, created_at)
         SELECT conv, seq, 'message.created', sender, id, '{}', at FROM unnest($1::varchar[], $2::varchar[], $3::bigint[], $4::varchar[], $5::bigint[]) AS t(id, conv, seq, sender, at)`,
        [b.map((r) => r.id), b.map((r) => r.conv), b.map((r) => r.seq), b.map((r) => r.sender), b.map((r) => r.at)],
      );
      await client.query(
        `INSERT INTO search_docs (doc_id, message_id, conv_id, seq, sender_id, created_at, flags, terms)
         SELECT * FROM unnest($1::bigint[], $2::varchar[], $3::varchar[], $4::bigint[], $5::varchar[], $6::bigint[], $7::int[], $8::tsvector[]) ON CONFLICT DO NOTHING`,
        [
          b.map((r) => firstDocId(r.id, r.at)),
          b.map((r) => r.id),
          b.map((r) => r.conv),
          b.map((r) => r.seq),
          b.map((r) => r.sender),
          b.map((r) => r.at),
          docs.map((d) => d.flags),
          docs.map((d) => toTsvector(d)),
        ],
      );
      await client.query('COMMIT');
    };
    let done = 0;
    for (const r of rows(n, c)) {
      batch.push(r);
      if (batch.length === 5_000) {
        await flush(batch);
        done += batch.length;
        batch = [];
        if (done % 50_000 === 0) log(`seeded ${done}/${n}`);
      }
    }
    if (batch.length) await flush(batch);
    await client.query(`UPDATE conversations c SET last_seq = (SELECT coalesce(max(seq), 0) FROM messages m WHERE m.conv_id = c.id)`);
    await client.query('ANALYZE');
  } finally {
    client.release();
    await pool.end();
  }
}

async function indexBytes(dataDir: string, pgUrl: string | null, schema: string): Promise<number | null> {
  if (pgUrl) {
    const c = new pg.Client({ connectionString: pgUrl });
    await c.connect();
    try {
      const r = await c.query<{ n: string }>(`SELECT pg_total_relation_size('"${schema}".search_docs') AS n`);
      return Number(r.rows[0]!.n);
    } finally {
      await c.end();
    }
  }
  const db = new Database(searchIndexFile(dataDir), { readonly: true });
  try {
    const r = db.prepare(`SELECT sum(pgsize) AS n FROM dbstat`).get() as { n: number | null };
    return r.n;
  } catch {
    return null;
  } finally {
    db.close();
  }
}

export async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      messages: { type: 'string', default: '1000000' },
      pg: { type: 'string' },
      queries: { type: 'string', default: '200' },
      conversations: { type: 'string', default: '200' },
      keep: { type: 'boolean', default: false },
    },
  });
  const n = Number(values.messages);
  const queries = Number(values.queries);
  const nConvs = Number(values.conversations);
  const pgUrl = values.pg ?? null;
  if (!Number.isInteger(n) || n < 100 || !Number.isInteger(queries) || queries < 1 || !Number.isInteger(nConvs) || nConvs < 4)
    throw new Error('--messages ≥ 100, --queries ≥ 1 and --conversations ≥ 4 (integers)');
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-bench-search-'));
  const dataDir = path.join(tmp, 'data');
  const schema = `parley_bench_search_${randomTag(8).toLowerCase()}`;
  const port = await freePort();
  const env: Record<string, string> = {
    LOG_LEVEL: 'warn',
    HOST: '127.0.0.1',
    PARLEY_IP_RATE_PER_SEC: '1000000',
    PARLEY_IP_BURST: '10000000',
    PARLEY_AUTH_RATE_PER_MIN: '1000000',
    PARLEY_READ_RATE_PER_SEC: '1000000',
    PARLEY_READ_BURST: '10000000',
    ...(pgUrl ? { DATABASE_URL: pgUrl, PARLEY_PG_SCHEMA: schema } : {}),
  };
  const server = new ChildServer({ port, dataDir, env, nodeArgs: [], logFile: path.join(tmp, 'server.log') });
  const cleanup = () => killAllServers();
  process.on('exit', cleanup);
  try {
    log(`${pgUrl ? 'PostgreSQL' : 'SQLite'}: setting up ${nConvs} conversations`);
    await server.start();
    const api = new Api(server.url);
    const owner = await api.owner();
    const [searcher, other] = await api.bots(owner, 2, 2);
    const convs: string[] = [];
    for (let i = 0; i < nConvs; i++) {
      // The searcher is in every fourth conversation.
      const members = i % 4 === 0 ? [searcher!.userId, other!.userId] : [other!.userId];
      const c = await api.call<{ id: string }>(
        'POST',
        '/conversations',
        { kind: 'channel', name: `s${i}-${randomTag(4).toLowerCase()}`, visibility: 'private', member_ids: members },
        owner.token,
        'create channel',
      );
      convs.push(c.body.id);
    }
    const corpus: Corpus = { convs, senders: [owner.userId, other!.userId, searcher!.userId], lastSeq: new Map() };
    const t0 = performance.now();
    if (pgUrl) {
      await seedPostgres(pgUrl, schema, n, corpus);
    } else {
      await server.stop();
      seedSqlite(dataDir, n, corpus);
      await server.start();
    }
    const seedSec = (performance.now() - t0) / 1000;
    log(`seeded ${n} messages in ${n1(seedSec)} s`);

    const searcherUser = searcher as BenchUser;
    const me = await api.call<{ username: string }>('GET', '/me', undefined, other!.token, 'me');
    const inConv = await api.call<{ name: string }>('GET', `/conversations/${convs[0]}`, undefined, searcherUser.token, 'conversation');
    const kinds: [string, string][] = [
      ['common word', 'deploy'],
      ['rare word', RARE],
      ['2-char Chinese word', '部署'],
      ['phrase', '"数据库迁移"'],
      ['from: + in: filter', `from:@${me.body.username} in:#${inConv.body.name} cache`],
      ['identifier', 'get_user_id'],
    ];
    const out: Row[] = [];
    const json: Record<string, unknown> = { scenario: 'search', engine: pgUrl ? 'postgres' : 'sqlite', messages: n, conversations: nConvs, seed_s: Math.round(seedSec) };
    for (const [label, q] of kinds) {
      const h = new Histogram();
      let found = 0;
      for (let i = 0; i < queries; i++) {
        const t = performance.now();
        const res = await api.call<{ hits: unknown[] }>('GET', `/search?q=${encodeURIComponent(q)}&limit=20`, undefined, searcherUser.token, 'search');
        h.record(performance.now() - t);
        found = res.body.hits.length;
      }
      const p = h.summary();
      out.push([`${label} (${q}): p50 / p99 ms, hits`, `${n1(p.p50)} / ${n1(p.p99)}, ${found}`]);
      json[label.replace(/[^a-z0-9]+/gi, '_')] = { q, p50_ms: p.p50, p99_ms: p.p99, hits: found };
    }
    const bytes = await indexBytes(dataDir, pgUrl, schema);
    if (bytes !== null) {
      out.push(['index size', `${n0(bytes / 1024 / 1024)} MB, ${n0(bytes / n)} bytes per message`]);
      json.index_bytes_per_message = Math.round(bytes / n);
    }
    const s = server.pid ? sampleProc(server.pid) : null;
    if (s) out.push(['server peak RSS', `${n0(s.hwmKb / 1024)} MB`]);
    process.stdout.write(`${table(`parley bench: search — ${pgUrl ? 'PostgreSQL' : 'SQLite'}, ${n} messages, ${os.availableParallelism()} CPUs, load ${os.loadavg()[0]!.toFixed(2)}`, out)}\n`);
    process.stdout.write(`${JSON.stringify(json)}\n`);
  } finally {
    await server.stop().catch(() => undefined);
    if (pgUrl && values.keep) log(`kept schema ${schema}`);
    else if (pgUrl) {
      const c = new pg.Client({ connectionString: pgUrl });
      await c.connect();
      await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
      await c.end();
    }
    if (values.keep) log(`kept ${tmp}`);
    else fs.rmSync(tmp, { recursive: true, force: true });
  }
}
