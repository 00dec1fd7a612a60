import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WATCH_BUSY_EVENTS, WATCH_FLUSH_INTERVAL_MS, WatchWriter, type WriteTimers } from './watch-writes.js';

/** A stream that records what reached the "socket" (written while uncorked, or flushed by uncork). */
function fakeStream() {
  const socketWrites: string[][] = [];
  let corked = 0;
  let buffered: string[] = [];
  return {
    socketWrites,
    cork: () => void corked++,
    uncork: () => {
      corked--;
      if (corked === 0 && buffered.length) socketWrites.push(buffered), (buffered = []);
    },
    write: (chunk: string | Buffer) => (corked ? buffered.push(String(chunk)) : socketWrites.push([String(chunk)])),
  };
}

function manualTimers(): WriteTimers & { clock: number; due: { at: number; fn: () => void }[]; advance(ms: number): void } {
  const t = {
    clock: 0,
    due: [] as { at: number; fn: () => void }[],
    now: () => t.clock,
    later: (fn: () => void, ms: number) => void t.due.push({ at: t.clock + ms, fn }),
    advance(ms: number) {
      t.clock += ms;
      for (const entry of t.due.filter((d) => d.at <= t.clock)) {
        t.due.splice(t.due.indexOf(entry), 1);
        entry.fn();
      }
    },
  };
  return t;
}

test('events of one turn leave in one socket write, on the next turn', () => {
  const stream = fakeStream();
  const timers = manualTimers();
  const writer = new WatchWriter(stream, timers);
  writer.write('a');
  writer.write('b');
  assert.deepEqual(stream.socketWrites, []);
  assert.deepEqual(timers.due.map((d) => d.at), [0]);
  timers.advance(0);
  assert.deepEqual(stream.socketWrites, [['a', 'b']]);
});

test('a quiet stream is never held back, however soon the next event comes', () => {
  const stream = fakeStream();
  const timers = manualTimers();
  const writer = new WatchWriter(stream, timers);
  for (let i = 0; i < 5; i++) {
    writer.write(`e${i}`);
    assert.equal(timers.due.at(-1)!.at, timers.clock, 'flushed on the next turn, not after an interval');
    timers.advance(0);
    timers.advance(1);
  }
  assert.equal(stream.socketWrites.length, 5);
});

test('a busy stream writes at most once per interval, and is quick again once it calms down', () => {
  const stream = fakeStream();
  const timers = manualTimers();
  const writer = new WatchWriter(stream, timers);
  for (let i = 0; i < WATCH_BUSY_EVENTS; i++) writer.write(`burst${i}`);
  timers.advance(0);
  assert.equal(stream.socketWrites.length, 1);
  timers.advance(1);
  writer.write('next');
  assert.equal(timers.due[0]!.at, WATCH_FLUSH_INTERVAL_MS, 'waits until an interval after the busy write');
  writer.write('and another');
  timers.advance(WATCH_FLUSH_INTERVAL_MS - 2);
  assert.equal(stream.socketWrites.length, 1);
  timers.advance(1);
  assert.deepEqual(stream.socketWrites[1], ['next', 'and another']);
  // That write carried two events: the stream is quiet again.
  writer.write('later');
  assert.equal(timers.due[0]!.at, timers.clock);
});
