import type { MessageTrace, TraceDevice } from '@parley/protocol';
import { printJson, time } from '../output.js';
import { clientFromConfig } from '../session.js';

/** `time()` with milliseconds: the stages of one send are milliseconds apart. */
function stamp(iso: string): string {
  return `${time(iso)}.${String(new Date(iso).getMilliseconds()).padStart(3, '0')}`;
}

/** How long after the server accepted the message, as `+12 ms` or `+3.4 s`. */
function after(iso: string, from: string): string {
  const ms = Date.parse(iso) - Date.parse(from);
  return ms < 10_000 ? `+${ms} ms` : `+${(ms / 1000).toFixed(1)} s`;
}

function deviceLine(d: TraceDevice, accepted: string): string {
  const name = d.device_name ?? 'API token';
  const head = `${name} (session ${d.session_id})`;
  const parts: string[] = [];
  if (d.delivered_at) parts.push(`delivered ${stamp(d.delivered_at)} (${after(d.delivered_at, accepted)})${d.delivered_node ? ` via ${d.delivered_node}` : ''}`);
  if (d.read_at) parts.push(`read ${stamp(d.read_at)}`);
  if (d.reason) parts.push(`${d.status}: ${d.reason}`);
  return `    ${head}: ${parts.join(', ')}`;
}

/** The trace as people read it: the server's stages in order, then each recipient's devices. */
export function traceTimeline(t: MessageTrace): string {
  const state = t.message_state === 'present' ? '' : ` (${t.message_state}; a trace never carries content)`;
  const lines = [`Message ${t.message_id}, seq ${t.seq} in conversation ${t.conv_id}, from user ${t.sender_id}${t.sender_session_id ? ` (session ${t.sender_session_id})` : ''}${state}`];
  const stage = (label: string, at: string | null, what: string) =>
    lines.push(at === null ? `  ${'(not recorded)'.padEnd(23)}  ${label.padEnd(10)} ${what}` : `  ${stamp(at)}  ${label.padEnd(10)} ${what}`);
  stage('accepted', t.accepted_at, `by node ${t.node}`);
  stage('written', t.written_at, `in batch ${t.batch_id} of ${t.batch_size} (${after(t.written_at, t.accepted_at)})`);
  stage('committed', t.committed_at, t.committed_at ? after(t.committed_at, t.accepted_at) : 'the node has not recorded its batch yet (or stopped first)');
  stage('published', t.published_at, t.published_at ? `by node ${t.node} (${after(t.published_at, t.accepted_at)})` : '');
  const shown = t.recipients.length < t.recipients_total ? `${t.recipients.length} of ${t.recipients_total}` : String(t.recipients_total);
  lines.push(`Recipients (${shown}):`);
  if (t.recipients.length === 0) lines.push('  none');
  for (const r of t.recipients) {
    const read = r.read ? (r.read_at ? `read ${stamp(r.read_at)}` : 'read') : 'not read';
    lines.push(`  ${r.username} (${r.user_id}): ${read}${r.left_at ? `, left ${stamp(r.left_at)}` : ''}`);
    if (r.devices.length === 0) lines.push('    no signed-in device');
    for (const d of r.devices) lines.push(deviceLine(d, t.accepted_at));
  }
  return lines.join('\n') + '\n';
}

/** `parley admin trace MESSAGE_ID`: where a message went (owners and admins). */
export async function traceMessage(messageId: string, opts: { json?: boolean }): Promise<void> {
  const t = await clientFromConfig().trace(messageId);
  if (opts.json) printJson(t);
  else process.stdout.write(traceTimeline(t));
}
