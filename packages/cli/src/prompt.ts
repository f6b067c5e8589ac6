import password from '@inquirer/password';
import { CliError, Exit } from './errors.js';

/**
 * Asks for a password on the terminal without echoing it. Line editing (backspace, arrows,
 * Ctrl+U, paste) is readline's, through @inquirer/password; the prompt is drawn on stderr so
 * stdout stays clean for scripts. Ctrl+C exits 130 as a shell would; Ctrl+D on an empty line
 * means "no password" and ends the command instead of leaving it waiting.
 */
export async function promptHidden(question: string): Promise<string> {
  const stdin = process.stdin;
  if (!stdin.isTTY) throw new CliError('no terminal to ask for the password: use --password-stdin or PARLEY_PASSWORD');
  const eof = new AbortController();
  const answer = password({ message: question, mask: false }, { input: stdin, output: process.stderr, signal: eof.signal });
  // readline closes itself on Ctrl+D at an empty line without settling the prompt, which would
  // leave the command hanging on nothing; its close takes the terminal out of raw mode, which
  // this listener (added after readline's own) sees on that same keypress.
  const onKeypress = () => {
    if (!stdin.isRaw) eof.abort();
  };
  stdin.on('keypress', onKeypress);
  try {
    return await answer;
  } catch (e) {
    const name = (e as Error).name;
    if (name === 'ExitPromptError') throw new CliError('cancelled', 130);
    if (name === 'AbortPromptError') throw new CliError('no password entered', Exit.usage);
    throw e;
  } finally {
    stdin.off('keypress', onKeypress);
    // Without this the paused-but-referenced terminal can keep the process alive after the command.
    stdin.pause();
  }
}

export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
