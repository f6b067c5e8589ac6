/**
 * The server refuses an empty body, so a message of files alone carries their names as its
 * text: readable in any client (the CLI, notifications, search), and hidden by this one, which
 * shows the files themselves.
 */
export function filesOnlyBody(names: readonly string[]): string {
  return names.join(', ');
}

export function bodyIsFileNames(body: string, files: readonly { name: string }[]): boolean {
  return files.length > 0 && body === filesOnlyBody(files.map((f) => f.name));
}
