/**
 * Summarises a V8 .cpuprofile (from `npm run bench -- <scenario> --profile`, which runs the
 * server with `node --cpu-prof`): where the server's CPU went, by self time per function, by
 * module (package or server folder) and by inclusive time of the server's own functions.
 *
 *   node --import tsx bench/profile-summary.ts /tmp/parley-bench-XXXX/profile/CPU.*.cpuprofile [--top 25]
 */
import fs from 'node:fs';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

function moduleOf(url: string, name: string): string {
  if (!url) return name.startsWith('(') ? name : '(native/builtin)';
  if (url.startsWith('node:')) return url;
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 14).split('/');
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  const m = /packages\/([^/]+)\/src\/([^/]+)/.exec(url);
  if (m) return `@parley/${m[1]}: ${m[2]!.replace(/\.ts$/, '')}`;
  return url.replace(/^file:\/\//, '');
}

function short(url: string): string {
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) return url.slice(nm + 14);
  const p = url.indexOf('/packages/');
  return p >= 0 ? url.slice(p + 1) : url.replace(/^file:\/\//, '');
}

function main(): void {
  const args = process.argv.slice(2);
  const file = args.find((a) => !a.startsWith('--'));
  const topIdx = args.indexOf('--top');
  const top = topIdx >= 0 ? Number(args[topIdx + 1]) : 25;
  if (!file) {
    process.stderr.write('usage: node --import tsx bench/profile-summary.ts FILE.cpuprofile [--top N]\n');
    process.exit(2);
  }
  const prof = JSON.parse(fs.readFileSync(file, 'utf8')) as Profile;
  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const n of prof.nodes) byId.set(n.id, n);
  for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

  const self = new Map<string, number>();
  const modules = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let total = 0;
  let idle = 0;
  for (let i = 0; i < prof.samples.length; i++) {
    const dt = (prof.timeDeltas[i + 1] ?? prof.timeDeltas[i] ?? 0) / 1000; // ms
    const node = byId.get(prof.samples[i]!);
    if (!node) continue;
    const cf = node.callFrame;
    if (cf.functionName === '(idle)') {
      idle += dt;
      continue;
    }
    total += dt;
    const key = `${cf.functionName || '(anonymous)'}  ${short(cf.url)}:${cf.lineNumber + 1}`;
    self.set(key, (self.get(key) ?? 0) + dt);
    const mod = moduleOf(cf.url, cf.functionName);
    modules.set(mod, (modules.get(mod) ?? 0) + dt);
    // Inclusive: every distinct server function on this sample's stack.
    const seen = new Set<string>();
    for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) {
      const f = byId.get(id)!.callFrame;
      if (!/packages\/(server|protocol)\/src|node_modules\/(kysely|better-sqlite3|ws|fastify)\//.test(f.url)) continue;
      const k = `${f.functionName || '(anonymous)'}  ${short(f.url)}:${f.lineNumber + 1}`;
      if (seen.has(k)) continue;
      seen.add(k);
      inclusive.set(k, (inclusive.get(k) ?? 0) + dt);
    }
  }
  const wall = (prof.endTime - prof.startTime) / 1000;
  const out: string[] = [];
  const pct = (v: number) => `${((v / total) * 100).toFixed(1).padStart(5)} %`;
  out.push(`profile: ${file}`);
  out.push(`wall ${(wall / 1000).toFixed(1)} s, busy ${(total / 1000).toFixed(1)} s, idle ${(idle / 1000).toFixed(1)} s`);
  out.push('', `self time by module (of busy time):`);
  for (const [k, v] of [...modules].sort((a, b) => b[1] - a[1]).slice(0, top)) out.push(`  ${pct(v)}  ${(v / 1000).toFixed(2).padStart(7)} s  ${k}`);
  out.push('', `self time by function:`);
  for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, top)) out.push(`  ${pct(v)}  ${(v / 1000).toFixed(2).padStart(7)} s  ${k}`);
  out.push('', `inclusive time (server, protocol, kysely, better-sqlite3, ws, fastify functions):`);
  for (const [k, v] of [...inclusive].sort((a, b) => b[1] - a[1]).slice(0, top)) out.push(`  ${pct(v)}  ${(v / 1000).toFixed(2).padStart(7)} s  ${k}`);
  process.stdout.write(`${out.join('\n')}\n`);
}

main();
