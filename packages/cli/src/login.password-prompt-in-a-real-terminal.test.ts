/**
 * `parley login`'s password prompt in a real terminal (tmux): a typo fixed with backspace and
 * the arrow keys, a pasted password, Ctrl+D and Ctrl+C. Skipped (one line) without tmux.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { registerUser, startServer, type TestServer } from '@parley/server/testing';

const hasTmux = spawnSync('tmux', ['-V']).status === 0;
const bin = fileURLToPath(new URL('../bin/parley.js', import.meta.url));
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-tty-'));
const PASSWORD = 'correct horse battery'; // what registerUser gives every test user

let server: TestServer;
beforeAll(async () => {
  if (hasTmux) server = await startServer();
});
afterAll(async () => {
  await server?.stop();
  fs.rmSync(root, { recursive: true, force: true });
});

const q = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;

/** `parley login` in a fresh tmux server of its own, 120 columns wide so no line wraps. */
function terminal(username: string) {
  const dir = fs.mkdtempSync(path.join(root, 'run-'));
  const socket = path.join(dir, 'tmux.sock');
  const configDir = path.join(dir, 'config');
  // Nothing of the developer's PARLEY_* (a PARLEY_PASSWORD would skip the prompt) reaches the CLI.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('PARLEY_')));
  const tmux = (...args: string[]) => execFileSync('tmux', ['-S', socket, ...args], { env, encoding: 'utf8' });
  const command = `PARLEY_CONFIG_DIR=${q(configDir)} ${q(process.execPath)} ${q(bin)} login -s ${q(server.url)} -u ${q(username)}; echo "EXIT=$?"; sleep 600`;
  tmux('new-session', '-d', '-x', '120', '-y', '20', command);
  const screen = () => tmux('capture-pane', '-p');
  return {
    configDir,
    keys: (...keys: string[]) => tmux('send-keys', ...keys),
    type: (text: string) => tmux('send-keys', '-l', text),
    paste(text: string) {
      tmux('set-buffer', text);
      tmux('paste-buffer');
    },
    screen,
    async waitFor(pattern: RegExp, ms = 30_000): Promise<string> {
      const deadline = Date.now() + ms;
      for (;;) {
        const s = screen();
        if (pattern.test(s)) return s;
        if (Date.now() > deadline) throw new Error(`the terminal never showed ${pattern}; it shows:\n${s}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    close: () => void spawnSync('tmux', ['-S', socket, 'kill-server']),
  };
}

describe.skipIf(!hasTmux)('the password prompt in a real terminal (needs tmux)', () => {
  test('a pasted password with a typo, fixed with backspace and the arrow keys, logs in; nothing is echoed', async () => {
    const user = await registerUser(server);
    const term = terminal(user.user.username);
    try {
      await term.waitFor(/Password for/);
      // Pasted with a stray last character and one letter missing: "correct hrse batteryX".
      term.paste(`${PASSWORD.replace('horse', 'hrse')}X`);
      term.keys('BSpace');
      // Back to just after the "h": past the "rse battery" on its right.
      for (let i = 0; i < 'rse battery'.length; i++) term.keys('Left');
      term.type('o');
      await new Promise((r) => setTimeout(r, 300));
      expect(term.screen()).not.toMatch(/battery|hrse|horse/);
      term.keys('Enter');
      const shown = await term.waitFor(/EXIT=\d+/);
      expect(shown).toMatch(/Logged in to .* as /);
      expect(shown).toMatch(/EXIT=0/);
      expect(shown).not.toMatch(/battery/);
      expect(fs.existsSync(path.join(term.configDir, 'credentials.json'))).toBe(true);
    } finally {
      term.close();
    }
  }, 60_000);

  test.each([
    ['C-d', 'no password entered', 2],
    ['C-c', 'cancelled', 130],
  ])(
    '%s at the prompt ends the command (no hang, no login)',
    async (key, message, code) => {
      const user = await registerUser(server);
      const term = terminal(user.user.username);
      try {
        await term.waitFor(/Password for/);
        term.type('ab');
        term.keys('BSpace', 'BSpace');
        term.keys(key);
        const shown = await term.waitFor(/EXIT=\d+/, 15_000);
        expect(shown).toContain(`parley: ${message}`);
        expect(shown).toContain(`EXIT=${code}`);
        expect(fs.existsSync(path.join(term.configDir, 'credentials.json'))).toBe(false);
      } finally {
        term.close();
      }
    },
    60_000,
  );
});
