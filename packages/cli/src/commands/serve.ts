import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { build, loadConfig } from '@parley/server';
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
  const workers = opts.workers === undefined ? 1 : opts.workers === 'auto' ? os.availableParallelism() : Number(opts.workers);
  if (!Number.isInteger(workers) || workers < 1) throw new CliError('--workers takes a whole number of at least 1, or "auto".', Exit.usage);
  if (workers > 1) {
    // One SQLite file has one writer; several worker processes need PostgreSQL and a shared bus (scale-out).
    throw new CliError('--workers above 1 needs DATABASE_URL (PostgreSQL) and NATS_URL, which this build does not support yet; run one worker.', Exit.usage);
  }
  let config;
  try {
    config = loadConfig(env);
  } catch (e) {
    throw new CliError(`configuration error: ${(e as Error).message}`, Exit.usage);
  }
  const parley = await build(config);
  await parley.app.listen({ host: config.host, port: config.port });
  parley.app.log.info({ dataDir: config.dataDir, port: config.port }, `Parley is listening on http://localhost:${config.port}`);
  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      parley.app.log.info({ signal }, 'shutting down');
      parley.close().then(resolve, resolve);
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
}
