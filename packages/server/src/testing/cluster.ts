/**
 * Several Parley nodes in one test, on the real PostgreSQL and NATS that `.ci/run` points at:
 * one fresh schema and one JWT secret shared by the nodes of a cluster.
 */
import crypto from 'node:crypto';
import type { ConfigOverrides } from '../config/config.js';
import type { NatsBus } from '../bus/nats.js';
import { SocketClient, startServer, type TestServer } from './harness.js';

const PG = process.env.PARLEY_TEST_PG_URL;
const NATS = process.env.PARLEY_TEST_NATS_URL;

/**
 * Whether cluster tests run here: they need both engines, and the PostgreSQL rerun of the suite
 * (`npm run test:pg`) skips them because they already ran on PostgreSQL in the main pass.
 */
export const clusterSkipped = !PG || !NATS || process.env.PARLEY_TEST_DB === 'postgres';
export const CLUSTER_NEEDS = '(needs PARLEY_TEST_PG_URL and PARLEY_TEST_NATS_URL)';

export class Cluster {
  readonly schema: string;
  private readonly secret = crypto.randomBytes(24).toString('hex');
  private readonly cleanups: (() => Promise<unknown>)[] = [];

  constructor(name: string) {
    this.schema = `parley_t_${name}_${crypto.randomBytes(6).toString('hex')}`;
  }

  /** A node of this cluster, its NATS connection ready. */
  async node(name: string, overrides: ConfigOverrides = {}): Promise<TestServer> {
    const s = await startServer({ databaseUrl: PG!, pgSchema: this.schema, natsUrl: NATS!, nodeName: name, jwtSecret: this.secret, ...overrides });
    this.cleanups.push(() => s.stop());
    await (s.parley.bus as NatsBus).ready();
    return s;
  }

  /** A socket closed with the cluster. */
  async connect(s: TestServer, token: string): Promise<SocketClient> {
    const c = await SocketClient.connect(s, token);
    this.cleanups.push(() => c.close());
    return c;
  }

  /** Anything else to undo when the cluster stops (sockets first, then nodes: last in, first out). */
  defer(cleanup: () => Promise<unknown>): void {
    this.cleanups.push(cleanup);
  }

  async stop(): Promise<void> {
    for (const c of this.cleanups.splice(0).reverse()) await c().catch(() => undefined);
  }
}
