// Child process for durability.test.ts: opens a SqliteStore and creates /dur/<n> keys in a loop,
// printing each key only after its write resolved. The parent kills it with SIGKILL mid-stream.
// Usage: node durability-child.js <db-path> <key-prefix> <max-writes>

import { SqliteStore } from './sqlite-store.js';

const [path, keyPrefix, maxText] = process.argv.slice(2);
const max = Number(maxText ?? '100000');
const store = SqliteStore.open(path, { compactIntervalMs: 0 });
const encoder = new TextEncoder();
for (let index = 0; index < max; index++) {
  const key = `${keyPrefix}${index}`;
  const created = await store.create(key, encoder.encode(`value-${index}`));
  // stdout to a pipe is synchronous on Linux, so an acknowledged line is never lost in a buffer.
  process.stdout.write(`${key} ${created.modRevision}\n`);
}
await store.close();
