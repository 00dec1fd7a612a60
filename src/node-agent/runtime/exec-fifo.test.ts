import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, constants, existsSync, mkdirSync, mkdtempSync, openSync, readSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFifoPath, releaseThroughExecFifo } from './exec-fifo.js';

describe('releasing a created crun container through its exec fifo', () => {
  const root = mkdtempSync(join(tmpdir(), 'kjb-fifo-'));
  after(() => rmSync(root, { recursive: true, force: true }));
  const fifoFor = (id: string): string => {
    mkdirSync(join(root, id));
    execFileSync('mkfifo', ['-m', '0600', execFifoPath(root, id)]);
    return execFifoPath(root, id);
  };

  test('with the init reading: one zero byte arrives and the fifo is gone', () => {
    const fifo = fifoFor('a');
    const reader = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
    try {
      assert.equal(releaseThroughExecFifo(root, 'a'), true);
      assert.equal(existsSync(fifo), false);
      const byte = Buffer.alloc(2);
      assert.equal(readSync(reader, byte, 0, 2, null), 1);
      assert.equal(byte[0], 0);
    } finally {
      closeSync(reader);
    }
  });

  test('nobody reading (the init is gone): false, the fifo stays for `crun start` to report', () => {
    const fifo = fifoFor('b');
    assert.equal(releaseThroughExecFifo(root, 'b'), false);
    assert.equal(existsSync(fifo), true);
  });

  test('no fifo (started already, or not crun): false', () => {
    assert.equal(releaseThroughExecFifo(root, 'missing'), false);
  });
});
