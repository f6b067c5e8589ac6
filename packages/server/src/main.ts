import { ConfigError, loadConfig } from './config/config.js';
import { startParley } from './start.js';

/** `npm run dev`: validated config, then startParley (listen, graceful shutdown on SIGINT/SIGTERM). */
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
  const running = await startParley(config);
  // Exit explicitly: a timer or socket left by a dependency must not keep a stopped server alive.
  running.stopped.then(
    () => process.exit(0),
    () => process.exit(1),
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`parley: failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
