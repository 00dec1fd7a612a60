#!/usr/bin/env node
// Runs the compiled test files with node's test runner.
// Usage: node scripts/run-tests.mjs [--only unit|integration|e2e] [filter...]
// unit = dist/src/**/*.test.js; integration = dist/test/integration; e2e = dist/test/e2e.
import { readdirSync, statSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const args = process.argv.slice(2);
let only;
const filters = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--only') only = args[++i];
  else filters.push(args[i]);
}

function find(dir) {
  if (!existsSync(dir)) return [];
  const out = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...find(path));
    else if (name.endsWith('.test.js')) out.push(path);
  }
  return out.sort();
}

const suites = { unit: 'dist/src', integration: 'dist/test/integration', e2e: 'dist/test/e2e' };
const roots = only ? [suites[only]] : Object.values(suites);
let files = roots.flatMap(find);
if (filters.length) files = files.filter((f) => filters.some((x) => f.includes(x)));
if (files.length === 0) {
  console.error('no test files found');
  process.exit(1);
}
// Shared decoded objects are frozen under test (and in the servers tests start), so a change to
// one, which would corrupt every watcher's copy, fails loudly instead of silently.
const env = { ...process.env, KIJABI_FREEZE_SHARED_OBJECTS: '1' };
const result = spawnSync(process.execPath, ['--test', '--test-concurrency=2', '--test-reporter=spec', ...files], { stdio: 'inherit', env });
process.exit(result.status ?? 1);
