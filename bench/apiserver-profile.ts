// Summarises a V8 .cpuprofile (as written by `node --cpu-prof`) by self time per function, so a
// benchmark can name what dominates the server's CPU. Usage:
//   node dist/bench/apiserver-profile.js <file.cpuprofile> [top=15]

import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO_ROOT } from './apiserver-support.js';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

export interface SelfTime {
  function: string;
  location: string;
  selfMs: number;
  percent: number;
}

function location(url: string, line: number): string {
  if (!url) return '(native)';
  const path = url.startsWith('file://') ? relative(REPO_ROOT, new URL(url).pathname) : url;
  return `${path}:${line + 1}`;
}

/** Self time per function (all nodes with the same name and location added up), largest first. */
export function selfTimes(profile: CpuProfile): SelfTime[] {
  const byNode = new Map<number, ProfileNode>(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  if (profile.samples && profile.timeDeltas) {
    // Each sample's time is the delta to the next one.
    for (let i = 0; i < profile.samples.length; i++) {
      const delta = profile.timeDeltas[i + 1] ?? 0;
      selfUs.set(profile.samples[i]!, (selfUs.get(profile.samples[i]!) ?? 0) + delta);
    }
  } else {
    const total = profile.nodes.reduce((sum, n) => sum + (n.hitCount ?? 0), 0);
    const perHit = total ? (profile.endTime - profile.startTime) / total : 0;
    for (const n of profile.nodes) selfUs.set(n.id, (n.hitCount ?? 0) * perHit);
  }
  const grouped = new Map<string, SelfTime>();
  let totalUs = 0;
  let idleUs = 0;
  for (const [id, us] of selfUs) {
    const frame = byNode.get(id)!.callFrame;
    const name = frame.functionName || '(anonymous)';
    if (name === '(idle)') {
      idleUs += us;
      continue;
    }
    totalUs += us;
    const where = location(frame.url, frame.lineNumber);
    const key = `${name}@${where}`;
    const entry = grouped.get(key) ?? { function: name, location: where, selfMs: 0, percent: 0 };
    entry.selfMs += us / 1000;
    grouped.set(key, entry);
  }
  void idleUs;
  const rows = [...grouped.values()].sort((a, b) => b.selfMs - a.selfMs);
  for (const row of rows) row.percent = totalUs ? (row.selfMs * 1000 * 100) / totalUs : 0;
  return rows;
}

export function topSelfTimes(path: string, top = 15): SelfTime[] {
  return selfTimes(JSON.parse(readFileSync(path, 'utf8')) as CpuProfile).slice(0, top);
}

export function printSelfTimes(rows: SelfTime[]): void {
  console.log('  self ms   % busy  function (location)');
  for (const r of rows) console.log(`  ${r.selfMs.toFixed(0).padStart(7)}  ${r.percent.toFixed(1).padStart(6)}%  ${r.function} (${r.location})`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [file, top] = process.argv.slice(2);
  if (!file) {
    console.error('usage: node dist/bench/apiserver-profile.js <file.cpuprofile> [top=15]');
    process.exit(2);
  }
  printSelfTimes(topSelfTimes(file, Number(top ?? '15')));
}
