import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SqliteStore } from './sqlite-store.js';

const childScript = fileURLToPath(new URL('./durability-child.js', import.meta.url));

/** Runs the child until it has acknowledged `acks` writes, then SIGKILLs it; returns key -> revision. */
function writeThenKill(path: string, keyPrefix: string, acks: number): Promise<Map<string, number>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [childScript, path, keyPrefix, '1000000'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const acknowledged = new Map<string, number>();
    let partial = '';
    let stderr = '';
    let killed = false;
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => (stderr += chunk));
    child.stdout.on('data', (chunk: string) => {
      partial += chunk;
      const lines = partial.split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        const [key, revision] = line.split(' ');
        acknowledged.set(key, Number(revision));
      }
      if (!killed && acknowledged.size >= acks) {
        killed = true;
        child.kill('SIGKILL');
      }
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve(acknowledged);
      else reject(new Error(`child exited with ${code} before being killed: ${stderr}`));
    });
  });
}

test('every acknowledged write survives kill -9, and the revision sequence continues', { timeout: 60_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'kijabi-durability-'));
  try {
    const path = join(dir, 'state.db');
    let lastRevision = 0;
    for (const round of [1, 2]) {
      const keyPrefix = `/dur/${round}/`;
      const acknowledged = await writeThenKill(path, keyPrefix, 2000);
      assert.ok(acknowledged.size >= 2000, `round ${round}: got ${acknowledged.size} acknowledgements`);
      const store = SqliteStore.open(path, { compactIntervalMs: 0 });
      try {
        const decoder = new TextDecoder();
        for (const [key, revision] of acknowledged) {
          const kv = await store.get(key);
          assert.ok(kv, `round ${round}: ${key} lost`);
          assert.equal(decoder.decode(kv.value), `value-${key.slice(keyPrefix.length)}`);
          assert.equal(kv.modRevision, revision);
        }
        const current = await store.currentRevision();
        const highestAcked = Math.max(...acknowledged.values());
        assert.ok(current >= highestAcked, `round ${round}: current ${current} < acknowledged ${highestAcked}`);
        assert.ok(current > lastRevision);
        const next = await store.create(`/after-reopen/${round}`, new TextEncoder().encode('x'));
        assert.equal(next.modRevision, current + 1);
        lastRevision = next.modRevision;
      } finally {
        await store.close();
      }
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
