/**
 * `parley` runs every command but `serve` and `restore` from one esbuild bundle (bin/parley.js):
 * 0.2 s a run instead of 1.5 s through tsx, which a script calling it in a loop pays each time.
 * Anything in the CLI's imports that cannot be bundled (a native module of the server, say) would
 * silently send every run back to tsx; this says so instead.
 */
import { spawnSync } from 'node:child_process';
import { expect, test } from 'vitest';
import { bin, cleanEnv, freshDir, repoRoot } from './testing/e2e-harness.js';

test('a command runs from the bundle, not through tsx', () => {
  const run = spawnSync(process.execPath, [bin, '--version'], { cwd: repoRoot, env: cleanEnv({ PARLEY_CONFIG_DIR: freshDir('bundle'), PARLEY_CLI_DEBUG: '1' }), encoding: 'utf8', timeout: 120_000 });
  expect(run.stderr).not.toContain('no bundle');
  expect(run.status).toBe(0);
  expect(run.stdout.trim()).toMatch(/\d+\.\d+\.\d+/);
});
