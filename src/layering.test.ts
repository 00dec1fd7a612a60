// The layering of STYLE.md §1, enforced: each folder imports only from the layers below it, and
// the components (controllers, scheduler, node agent, proxy, dns) only from api, machinery and
// client, so each can run alone against a remote API server.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, dirname } from 'node:path';

const SRC = resolve(import.meta.dirname, '..', '..', 'src');

const COMPONENTS = ['controllers', 'scheduler', 'node-agent', 'proxy', 'dns', 'dashboard', 'hollow-nodes'];

/** Which top-level folders each layer may import from (besides itself). */
const ALLOWED: Record<string, string[]> = {
  api: [],
  machinery: ['api'],
  store: ['api'],
  client: ['api', 'machinery'],
  // The API server logs through the client library's structured logger; nothing else of client.
  apiserver: ['api', 'machinery', 'store', 'client/log.ts'],
  ...Object.fromEntries(COMPONENTS.map((c) => [c, ['api', 'machinery', 'client']])),
  cmd: ['*'],
};

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...walk(path));
    else if (name.endsWith('.ts') && !name.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

test('imports follow the layering', () => {
  const violations: string[] = [];
  for (const file of walk(SRC)) {
    const rel = relative(SRC, file);
    const layer = rel.split('/')[0];
    if (layer.endsWith('.ts')) continue;
    const allowed = ALLOWED[layer];
    assert.ok(allowed, `folder src/${layer} has no layering rule: add it to src/layering.test.ts`);
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(/(?:import|export)\s[^'"]*?from\s+'([^']+)'|import\(\s*'([^']+)'\s*\)/g)) {
      const spec = match[1] ?? match[2];
      if (layer === 'api' && spec.startsWith('node:')) violations.push(`${rel}: api must stay pure, imports ${spec}`);
      if (!spec.startsWith('.')) continue;
      const target = relative(SRC, resolve(dirname(file), spec)).replace(/\.js$/, '.ts');
      const targetLayer = target.split('/')[0];
      if (targetLayer === layer || allowed.includes('*')) continue;
      if (allowed.includes(targetLayer) || allowed.includes(target)) continue;
      violations.push(`${rel} imports ${target}`);
    }
  }
  assert.deepEqual(violations, []);
});
