import cluster from 'node:cluster';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { plural } from '@parley/protocol';
import { listenForWorkers, loadConfig, loadJwtSecret, startParley, type Config } from '@parley/server';
import { CliError, Exit } from '../errors.js';

export interface ServeOptions {
  port?: string;
  dataDir?: string;
  workers?: string;
}

/** Starts the server in this process (what `npm start` runs). */
export async function serve(opts: ServeOptions): Promise<void> {
  const env = { ...process.env };
  if (opts.port !== undefined) env.PORT = opts.port;
  if (opts.dataDir !== undefined) env.DATA_DIR = opts.dataDir;
  // The web client's production build, when it has been built (`npm start` builds it first).
  env.PARLEY_WEB_DIR ??= fileURLToPath(new URL('../../../web/dist', import.meta.url));
  const config = configFrom(env);
  const shared = Boolean(config.databaseUrl && config.natsUrl);
  // Default: one worker per core when storage and bus are shared, else the single embedded process.
  const workers = opts.workers === undefined ? (shared ? os.availableParallelism() : 1) : opts.workers === 'auto' ? os.availableParallelism() : Number(opts.workers);
  if (!Number.isInteger(workers) || workers < 1) throw new CliError('--workers takes a whole number of at least 1, or "auto".', Exit.usage);
  if (workers > 1 && cluster.isPrimary) {
    // One SQLite file has one writer, and workers only see each other's events through a shared bus.
    if (!shared) throw new CliError('--workers above 1 needs DATABASE_URL (PostgreSQL) and NATS_URL; with the embedded SQLite database run one worker.', Exit.usage);
    await runWorkers(workers, env, config);
    return;
  }
  const running = await startParley(config);
  try {
    await running.stopped;
  } catch {
    // startParley has logged why; a server that could not close cleanly did not end well.
    process.exitCode = Exit.failure;
  }
  // A cluster worker's IPC channel would keep it alive after the shutdown.
  if (cluster.isWorker) process.exit();
}

function configFrom(env: NodeJS.ProcessEnv): Config {
  try {
    return loadConfig(env);
  } catch (e) {
    throw new CliError(`configuration error: ${(e as Error).message}`, Exit.usage);
  }
}

/**
 * `--workers N`: N processes share one port through node:cluster (the primary hands out
 * connections); each is a full stateless node on the shared PostgreSQL and NATS. A worker that
 * dies is replaced; SIGTERM drains them all.
 */
async function runWorkers(n: number, env: NodeJS.ProcessEnv, config: Config): Promise<void> {
  // Every worker must sign and verify with the same key.
  const secret = config.jwtSecret ?? new TextDecoder().decode(loadJwtSecret(null, config.dataDir));
  let stopping = false;
  const fork = (i: number) => {
    const w = cluster.fork({ ...env, PARLEY_JWT_SECRET: secret, PARLEY_NODE_NAME: `${config.nodeName}-w${i}-${Date.now().toString(36)}` });
    w.on('exit', (code, signal) => {
      if (stopping) return;
      process.stderr.write(`parley: worker ${i} exited (${signal ?? code}); starting a new one\n`);
      setTimeout(() => fork(i), 500);
    });
  };
  for (let i = 0; i < n; i++) fork(i);
  process.stderr.write(`parley: ${plural(n, 'worker')} sharing port ${config.port}\n`);
  // The workers' metrics, summed, on PARLEY_METRICS_PORT (the workers leave that port to this process).
  const metrics = config.metricsPort > 0 ? await listenForWorkers(config.metricsHost, config.metricsPort) : null;
  await new Promise<void>((resolve) => {
    const stop = () => {
      if (stopping) return;
      stopping = true;
      const all = Object.values(cluster.workers ?? {}).filter((w) => w !== undefined);
      let left = all.length;
      if (left === 0) resolve();
      for (const w of all) {
        w.once('exit', () => --left === 0 && resolve());
        w.process.kill('SIGTERM');
      }
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    // A renewed TLS certificate: every worker reads it again.
    if (config.tlsCert) {
      process.on('SIGHUP', () => {
        for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGHUP');
      });
    }
  });
  await metrics?.close();
}
