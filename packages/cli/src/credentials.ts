import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface Credentials {
  server: string;
  username?: string;
  access_token: string;
  refresh_token?: string | null;
}

/** `$PARLEY_CONFIG_DIR`, else `$XDG_CONFIG_HOME/parley`, else `~/.config/parley`. */
export function configDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.PARLEY_CONFIG_DIR) return env.PARLEY_CONFIG_DIR;
  const base = env.XDG_CONFIG_HOME || path.join(os.homedir(), '.config');
  return path.join(base, 'parley');
}

export function credentialsPath(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(configDir(env), 'credentials.json');
}

export function readCredentials(env: NodeJS.ProcessEnv = process.env): Credentials | null {
  try {
    return JSON.parse(fs.readFileSync(credentialsPath(env), 'utf8')) as Credentials;
  } catch {
    return null;
  }
}

/** Written with mode 0600 (and the directory 0700): the file holds a refresh token. */
export function writeCredentials(c: Credentials, env: NodeJS.ProcessEnv = process.env): void {
  const file = credentialsPath(env);
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(c, null, 2), { mode: 0o600 });
  fs.renameSync(tmp, file);
  fs.chmodSync(file, 0o600);
}

export function deleteCredentials(env: NodeJS.ProcessEnv = process.env): void {
  fs.rmSync(credentialsPath(env), { force: true });
}
