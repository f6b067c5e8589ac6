/**
 * Running Parley as a process: build, listen, and shut down gracefully on SIGINT/SIGTERM.
 * `main.ts` (npm run dev) and `parley serve` (each of its workers too) both start the server
 * through here, so listening and shutdown behave the same whichever way it was launched.
 */
import type { Logger } from 'pino';
import { build, type BuildOptions, type Parley } from './app.js';
import type { Config } from './config/config.js';

export interface StartOptions extends Omit<BuildOptions, 'logger'> {
  /** The logger; by default a pino logger at `config.logLevel`. */
  log?: Logger;
  /** Stop on SIGINT and SIGTERM (default true); an embedder with its own handling passes false. */
  signals?: boolean;
}

export interface RunningParley {
  parley: Parley;
  /** The port listened on (the real one when `config.port` is 0). */
  port: number;
  /** Graceful shutdown (see Parley.close); the same promise however often it is called. */
  stop(reason?: string): Promise<void>;
  /** Settles when a stop (by call or by signal) has finished; rejects when closing failed. */
  stopped: Promise<void>;
}

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

export async function startParley(config: Config, opts: StartOptions = {}): Promise<RunningParley> {
  const { log, signals = true, ...buildOptions } = opts;
  const parley = await build(config, { ...buildOptions, logger: log });
  try {
    await parley.app.listen({ host: config.host, port: config.port, backlog: config.listenBacklog });
  } catch (err) {
    // A taken port must not leave the database and bus it opened holding the process open.
    await parley.close().catch(() => undefined);
    throw err;
  }
  const address = parley.app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const scheme = config.tlsCert ? 'https' : 'http';
  parley.app.log.info({ dataDir: config.dataDir, port }, `Parley is listening on ${scheme}://localhost:${port}`);
  // A renewed certificate (certbot's deploy hook, say) is picked up without a restart: kill -HUP.
  const onHangup = () => {
    try {
      if (parley.reloadTls()) parley.app.log.info('TLS certificate reloaded');
    } catch (err) {
      parley.app.log.error({ err }, 'TLS certificate reload failed; still serving the previous one');
    }
  };

  let settle!: { resolve: () => void; reject: (err: unknown) => void };
  const stopped = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
  // A caller of stop() gets the outcome from it; `stopped` must not also count as unhandled.
  stopped.catch(() => undefined);

  let stopping: Promise<void> | null = null;
  const stop = (reason = 'stop'): Promise<void> => {
    if (stopping) return stopping;
    stopping = (async () => {
      parley.app.log.info({ reason }, 'shutting down');
      try {
        await parley.close();
      } catch (err) {
        parley.app.log.error({ err }, 'shutdown failed');
        throw err;
      } finally {
        for (const s of SIGNALS) process.off(s, onSignal);
        process.off('SIGHUP', onHangup);
      }
    })();
    stopping.then(settle.resolve, settle.reject);
    return stopping;
  };
  // Handlers stay installed until the close ends, so a second Ctrl+C (or the cluster primary's
  // SIGTERM after the terminal's SIGINT) joins the shutdown under way instead of killing it.
  const onSignal = (signal: NodeJS.Signals) => void stop(signal).catch(() => undefined);
  if (signals) {
    for (const s of SIGNALS) process.on(s, onSignal);
    if (config.tlsCert) process.on('SIGHUP', onHangup);
  }
  return { parley, port, stop, stopped };
}
