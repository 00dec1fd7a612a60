// Starting a created crun container without a `crun start` process. After `crun create` the
// container's init waits to read one byte from `<crun root>/<id>/exec.fifo`; `crun start` only
// opens that fifo for writing, unlinks it, writes the byte and runs poststart hooks (the agent
// sets none). Doing those three system calls here saves a process per container start (about
// 2.5 ms of CPU: fork, exec, dynamic linking, parsing the saved config). runc's fifo works the
// other way round, so this is for crun only; when the fifo is not there or nobody reads it, the
// caller runs `crun start`, which reports what is wrong.

import { closeSync, constants, openSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export function execFifoPath(runtimeRoot: string, id: string): string {
  return join(runtimeRoot, id, 'exec.fifo');
}

/** true when the container was released; false when the caller should run `crun start`. */
export function releaseThroughExecFifo(runtimeRoot: string, id: string): boolean {
  const fifo = execFifoPath(runtimeRoot, id);
  let fd: number;
  try {
    // Non-blocking: with no reader (the init is gone) the open fails with ENXIO instead of hanging.
    fd = openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
  } catch {
    return false;
  }
  try {
    // Unlinked first, as crun does: a container without its fifo is "running" to crun.
    unlinkSync(fifo);
    writeSync(fd, Buffer.from([0]));
    return true;
  } finally {
    closeSync(fd);
  }
}
