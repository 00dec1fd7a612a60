import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { forgetRecord, loadRecords, RECORD_SLOTS, saveRecord, type PodRecord } from './pod-record.js';

const base = mkdtempSync(join(tmpdir(), 'kjb-records-'));
after(() => rmSync(base, { recursive: true, force: true }));
let n = 0;
const fresh = (): string => {
  const dir = join(base, `pods-${n++}`);
  mkdirSync(dir);
  return dir;
};
const record = (uid: string, restartCount: number): PodRecord => ({
  uid, namespace: 'default', name: `pod-${uid}`, hostNetwork: false,
  containers: { main: { name: 'main', init: false, restartCount, image: 'busybox', backoff: { failures: 0 }, pullBackoff: { failures: 0 }, ready: false, started: false } as unknown as PodRecord['containers'][string] },
});

describe('pod records in two slots', () => {
  test('saves alternate between the slots in place and the newest is loaded', () => {
    const podsDir = fresh();
    saveRecord(podsDir, record('u1', 0));
    saveRecord(podsDir, record('u1', 1));
    const inodes = RECORD_SLOTS.map((slot) => statSync(join(podsDir, 'u1', slot)).ino);
    saveRecord(podsDir, record('u1', 2));
    assert.deepEqual(RECORD_SLOTS.map((slot) => statSync(join(podsDir, 'u1', slot)).ino), inodes, 'no new files');
    forgetRecord(podsDir, 'u1');
    const [loaded] = loadRecords(podsDir);
    assert.equal(loaded!.containers.main!.restartCount, 2);
    // After a load the sequence goes on: the next save lands in the older slot.
    saveRecord(podsDir, record('u1', 3));
    assert.equal(loadRecords(podsDir)[0]!.containers.main!.restartCount, 3);
  });

  test('a torn newest slot falls back to the previous record', () => {
    const podsDir = fresh();
    saveRecord(podsDir, record('u2', 4));
    saveRecord(podsDir, record('u2', 5));
    const newest = RECORD_SLOTS.map((slot) => join(podsDir, 'u2', slot)).find((f) => readFileSync(f, 'utf8').includes('"restartCount":5'))!;
    writeFileSync(newest, '{"seq":2,"record":{"uid":"u2","na');
    assert.equal(loadRecords(podsDir)[0]!.containers.main!.restartCount, 4);
  });

  test('empty slots (a recycled dir) and a record of another pod are ignored; the old single file is read', () => {
    const podsDir = fresh();
    mkdirSync(join(podsDir, 'u3'));
    writeFileSync(join(podsDir, 'u3', RECORD_SLOTS[0]), '');
    writeFileSync(join(podsDir, 'u3', RECORD_SLOTS[1]), JSON.stringify({ seq: 9, record: record('someone-else', 7) }));
    assert.deepEqual(loadRecords(podsDir), [{ uid: 'u3', namespace: '', name: '', hostNetwork: false, containers: {} }]);
    writeFileSync(join(podsDir, 'u3', 'state.json'), JSON.stringify(record('u3', 6)));
    assert.equal(loadRecords(podsDir)[0]!.containers.main!.restartCount, 6);
  });
});
