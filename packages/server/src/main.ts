import { build } from './app.js';
import { ConfigError, loadConfig } from './config/config.js';

/** Starts Parley: validated config, listen, and a graceful shutdown on SIGINT/SIGTERM. */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`parley: configuration error: ${e.message}\n`);
      process.exit(2);
    }
    throw e;
  }
  const parley = await build(config);
  await parley.app.listen({ host: config.host, port: config.port, backlog: config.listenBacklog });
  parley.app.log.info({ dataDir: config.dataDir, port: config.port }, `Parley is listening on http://localhost:${config.port}`);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    parley.app.log.info({ signal }, 'shutting down');
    parley.close().then(
      () => process.exit(0),
      (err: unknown) => {
        parley.app.log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((err: unknown) => {
  process.stderr.write(`parley: failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
