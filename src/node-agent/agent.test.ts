import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bindErrorMessage, defaultListenAddress } from './agent.js';

test('streaming listen address: explicit flag, else loopback with a node netns, else the node IP', () => {
  const cases: [{ nodeIp?: string; nodeNetns?: string; kubeletListenAddress?: string }, string][] = [
    [{}, '127.0.0.1'],
    [{ nodeIp: '10.0.0.5' }, '10.0.0.5'],
    [{ nodeIp: '10.254.0.2', nodeNetns: 'kjb-t' }, '127.0.0.1'],
    [{ nodeIp: '10.254.0.2', nodeNetns: 'kjb-t', kubeletListenAddress: '0.0.0.0' }, '0.0.0.0'],
    [{ nodeIp: '10.0.0.5', kubeletListenAddress: '127.0.0.2' }, '127.0.0.2'],
  ];
  for (const [options, want] of cases) assert.equal(defaultListenAddress(options), want, JSON.stringify(options));
});

test('bind errors name the address and the flag to change', () => {
  const err = (code: string): NodeJS.ErrnoException => Object.assign(new Error(`listen ${code}`), { code });
  const notAvail = bindErrorMessage(err('EADDRNOTAVAIL'), '10.254.0.2', { nodeNetns: 'kjb-x', streamingPort: 10250 });
  assert.match(notAvail, /cannot listen on 10\.254\.0\.2:10250/);
  assert.match(notAvail, /--kubelet-listen-address/);
  assert.match(notAvail, /--node-netns kjb-x/);
  assert.match(bindErrorMessage(err('EADDRINUSE'), '127.0.0.1', { streamingPort: 10250 }), /--streaming-port/);
});
