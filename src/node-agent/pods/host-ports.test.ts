import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hostPortMappings } from './host-ports.js';

const cases: Array<{ name: string; spec: Record<string, unknown>; want: unknown[] }> = [
  { name: 'no ports', spec: { containers: [{ name: 'a' }] }, want: [] },
  { name: 'containerPort only is not mapped', spec: { containers: [{ name: 'a', ports: [{ containerPort: 80 }] }] }, want: [] },
  { name: 'hostPort defaults to TCP on any address', spec: { containers: [{ name: 'a', ports: [{ containerPort: 80, hostPort: 8080 }] }] }, want: [{ protocol: 'TCP', hostPort: 8080, containerPort: 80 }] },
  {
    name: 'protocol, hostIP and sidecar init containers',
    spec: { initContainers: [{ name: 'i', ports: [{ containerPort: 53, hostPort: 5353, protocol: 'UDP', hostIP: '10.0.0.1' }] }], containers: [{ name: 'a', ports: [{ containerPort: 1, hostPort: 2 }] }] },
    want: [{ protocol: 'UDP', hostPort: 5353, containerPort: 53, hostIp: '10.0.0.1' }, { protocol: 'TCP', hostPort: 2, containerPort: 1 }],
  },
];
for (const c of cases) test(`hostPortMappings: ${c.name}`, () => assert.deepEqual(hostPortMappings(c.spec), c.want));
