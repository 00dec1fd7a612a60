import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runStoreContract } from '../conformance/store-contract.js';
import { SqliteStore } from './sqlite-store.js';

runStoreContract('sqlite', async (options) => {
  const dir = await mkdtemp(join(tmpdir(), 'kijabi-store-'));
  const store = SqliteStore.open(join(dir, 'state.db'), { compactIntervalMs: 0, watchBufferLimit: options?.watchBufferLimit });
  return { store, cleanup: () => rm(dir, { recursive: true, force: true }) };
});

describe('sqlite store specifics', () => {
  test('reads of recently written keys give the written bytes and follow every later write', async () => {
    await withDir(async (path) => {
      const store = SqliteStore.open(path, { compactIntervalMs: 0 });
      try {
        const written = bytes('{"v":1}');
        const created = await store.create('/k/a', written);
        const read = await store.get('/k/a');
        assert.equal(read?.value, written, 'the very bytes the write stored');
        const updated = await store.update('/k/a', bytes('{"v":2}'), created.modRevision);
        assert.equal(Buffer.from((await store.get('/k/a'))!.value).toString(), '{"v":2}');
        assert.equal(Buffer.from((await store.get('/k/a', { revision: created.modRevision }))!.value).toString(), '{"v":1}', 'older revisions still come from the log');
        await store.delete('/k/a', updated.modRevision);
        assert.equal(await store.get('/k/a'), undefined);
        // A failed compare-and-swap changes nothing that is read.
        const again = await store.create('/k/a', bytes('{"v":3}'));
        await assert.rejects(store.update('/k/a', bytes('{"v":4}'), again.modRevision - 1));
        assert.equal(Buffer.from((await store.get('/k/a'))!.value).toString(), '{"v":3}');
      } finally {
        await store.close();
      }
      // A fresh process reads the same from the log.
      const reopened = SqliteStore.open(path, { compactIntervalMs: 0 });
      try {
        assert.equal(Buffer.from((await reopened.get('/k/a'))!.value).toString(), '{"v":3}');
      } finally {
        await reopened.close();
      }
    });
  });

  test('events read back from the log carry previous values, after compaction and from rows of older data dirs', async () => {
    await withDir(async (path) => {
      const store = SqliteStore.open(path, { compactIntervalMs: 0 });
      let compactAt: number;
      try {
        const created = await store.create('/k/a', bytes('v1'));
        await store.create('/k/b', bytes('b1'));
        compactAt = await store.currentRevision();
        const updated = await store.update('/k/a', bytes('v2'), created.modRevision);
        await store.delete('/k/a', updated.modRevision);
        await store.compact(compactAt);
      } finally {
        await store.close();
      }
      // A row as older versions wrote it: the previous value stored in the row itself.
      const db = new Database(path);
      db.prepare("UPDATE kv_log SET old_value = ? WHERE name = '/k/b' AND created = 1").run(Buffer.from('ignored for creates'));
      const bRow = db.prepare("SELECT id, create_revision FROM kv_log WHERE name = '/k/b'").get() as { id: number; create_revision: number };
      db.prepare('INSERT INTO kv_log (name, created, deleted, create_revision, prev_revision, value, old_value) VALUES (?, 0, 0, ?, ?, ?, ?)').run('/k/b', bRow.create_revision, bRow.id, Buffer.from('b2'), Buffer.from('b1-from-row'));
      db.close();
      // A new process has no events in memory: the watch replays them from the log.
      const reopened = SqliteStore.open(path, { compactIntervalMs: 0 });
      try {
        const watch = reopened.watch('/k/', { afterRevision: compactAt });
        const events: string[] = [];
        for await (const event of watch) {
          events.push(`${event.type} ${event.kv.key} ${event.prev ? Buffer.from(event.prev.value).toString() : '-'}`);
          if (events.length === 3) break;
        }
        watch.close();
        assert.deepEqual(events, ['update /k/a v1', 'delete /k/a v2', 'update /k/b b1-from-row']);
      } finally {
        await reopened.close();
      }
    });
  });

  async function withDir(body: (path: string) => Promise<void>): Promise<void> {
    const dir = await mkdtemp(join(tmpdir(), 'kijabi-store-'));
    try {
      await body(join(dir, 'state.db'));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
  const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
  const rowCount = (path: string): number => {
    const db = new Database(path, { readonly: true });
    try {
      return (db.prepare('SELECT COUNT(*) AS n FROM kv_log').get() as { n: number }).n;
    } finally {
      db.close();
    }
  };

  test('a new database uses 8 KiB pages; an existing one keeps its page size and its data', async () => {
    const pageSize = (path: string): number => {
      const db = new Database(path, { readonly: true });
      try {
        return db.pragma('page_size', { simple: true }) as number;
      } finally {
        db.close();
      }
    };
    await withDir(async (path) => {
      const store = SqliteStore.open(path, { compactIntervalMs: 0 });
      await store.create('/k/new', bytes('{"v":1}'));
      await store.close();
      assert.equal(pageSize(path), 8192);
    });
    await withDir(async (path) => {
      // A data dir made by an earlier version: 4 KiB pages, already in WAL mode, with a row.
      const old = new Database(path);
      old.pragma('page_size = 4096');
      old.pragma('journal_mode = WAL');
      old.close();
      const first = SqliteStore.open(path, { compactIntervalMs: 0 });
      await first.create('/k/old', bytes('{"v":1}'));
      await first.close();
      const reopened = SqliteStore.open(path, { compactIntervalMs: 0 });
      try {
        assert.equal(Buffer.from((await reopened.get('/k/old'))!.value).toString(), '{"v":1}');
      } finally {
        await reopened.close();
      }
      assert.equal(pageSize(path), 4096);
    });
  });

  test('compaction removes superseded rows and tombstones, and survives reopening', { timeout: 20_000 }, () =>
    withDir(async (path) => {
      const store = SqliteStore.open(path, { compactIntervalMs: 0 });
      for (let index = 0; index < 10; index++) await store.create(`/k/${index}`, bytes('v0'));
      for (let round = 1; round <= 3; round++) {
        for (let index = 0; index < 10; index++) {
          const current = await store.get(`/k/${index}`);
          await store.update(`/k/${index}`, bytes(`v${round}`), current!.modRevision);
        }
      }
      for (let index = 0; index < 5; index++) await store.delete(`/k/${index}`);
      const compactAt = await store.currentRevision();
      await store.create('/k/late', bytes('late'));
      assert.equal(rowCount(path), 46);
      await store.compact(compactAt);
      // Five live keys at the compaction point plus the one row written after it.
      assert.equal(rowCount(path), 6);
      await store.close();
      const reopened = SqliteStore.open(path, { compactIntervalMs: 0 });
      try {
        assert.equal(await reopened.compactedRevision(), compactAt + 1);
        assert.equal(await reopened.currentRevision(), compactAt + 1);
        const listed = await reopened.list('/k/');
        assert.deepEqual(listed.items.map((kv) => kv.key), ['/k/5', '/k/6', '/k/7', '/k/8', '/k/9', '/k/late']);
        // Revisions are never reused, even when compaction deleted the newest rows.
        await reopened.delete('/k/late');
        await reopened.compact(await reopened.currentRevision());
        const next = await reopened.create('/k/new', bytes('n'));
        assert.equal(next.modRevision, compactAt + 3);
      } finally {
        await reopened.close();
      }
    }));

  test('automatic compaction keeps the configured number of revisions', { timeout: 20_000 }, () =>
    withDir(async (path) => {
      const store = SqliteStore.open(path, { compactIntervalMs: 5, compactKeepRevisions: 10 });
      try {
        const created = await store.create('/a', bytes('0'));
        let revision = created.modRevision;
        for (let index = 1; index <= 50; index++) revision = (await store.update('/a', bytes(String(index)), revision)).modRevision;
        const deadline = Date.now() + 10_000;
        while ((await store.compactedRevision()) !== revision - 10 + 1 && Date.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
        assert.equal(await store.compactedRevision(), revision - 10 + 1);
        assert.equal(rowCount(path), 11);
      } finally {
        await store.close();
      }
    }));
});
