// TEMPORARY per-pod timing trace (removed before hand-off).
import { appendFileSync } from 'node:fs';
const file = process.env.KJB_TRACE;
export function trace(uid: string, what: string, extra?: unknown): void {
  if (!file) return;
  appendFileSync(file, `${performance.timeOrigin + performance.now()} ${uid.slice(0, 8)} ${what}${extra === undefined ? '' : ' ' + JSON.stringify(extra)}\n`);
}
