import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../api/meta.js';
import { agentPath, agentQuery, chooseContainer, nodeEndpoint, requireStreamablePod, upgradeHeaderLines } from './node-proxy.js';

const pod = (extra: Record<string, unknown> = {}, annotations?: Record<string, string>): KubeObject =>
  ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default', annotations }, spec: { nodeName: 'n1', containers: [{ name: 'a' }, { name: 'b' }] }, status: { phase: 'Running' }, ...extra }) as KubeObject;

test('chooseContainer', () => {
  const cases: { obj: KubeObject; requested: string | null; want: string | RegExp }[] = [
    { obj: pod(), requested: null, want: 'a' },
    { obj: pod(), requested: 'b', want: 'b' },
    { obj: pod({}, { 'kubectl.kubernetes.io/default-container': 'b' }), requested: null, want: 'b' },
    { obj: pod(), requested: 'foo', want: /container foo is not valid for pod p/ },
  ];
  for (const c of cases) {
    if (typeof c.want === 'string') assert.equal(chooseContainer(c.obj, c.requested), c.want);
    else assert.throws(() => chooseContainer(c.obj, c.requested), c.want);
  }
});

test('requireStreamablePod', () => {
  assert.equal(requireStreamablePod(pod(), 'exec', 'a'), 'n1');
  assert.throws(() => requireStreamablePod(pod({ spec: { containers: [{ name: 'a' }] } }), 'log', 'a'), /does not have a host assigned/);
  assert.throws(() => requireStreamablePod(pod({ status: { phase: 'Pending' } }), 'exec', 'a'), /container not found \("a"\)/);
  assert.throws(() => requireStreamablePod(pod({ status: { phase: 'Pending' } }), 'portforward', undefined), /pod is not running/);
  assert.equal(requireStreamablePod(pod({ status: { phase: 'Succeeded' } }), 'log', 'a'), 'n1');
});

test('nodeEndpoint prefers InternalIP and the daemon endpoint port', () => {
  const node = (status: unknown) => ({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' }, status }) as KubeObject;
  assert.deepEqual(nodeEndpoint(node({ addresses: [{ type: 'Hostname', address: 'h' }, { type: 'InternalIP', address: '10.0.0.1' }], daemonEndpoints: { kubeletEndpoint: { Port: 1234 } } })), { host: '10.0.0.1', port: 1234 });
  assert.deepEqual(nodeEndpoint(node({ addresses: [{ type: 'Hostname', address: 'h' }] })), { host: 'h', port: 10250 });
  assert.equal((nodeEndpoint(node({})) as { code?: number }).code, 400);
});

test('agent paths, queries and forwarded headers', () => {
  assert.equal(agentPath('log', 'ns', 'p', 'c') + agentQuery(new URLSearchParams('container=c&follow=true')), '/containerLogs/ns/p/c?follow=true');
  assert.equal(agentPath('portforward', 'ns', 'p', ''), '/portForward/ns/p');
  assert.deepEqual(upgradeHeaderLines(['Upgrade', 'SPDY/3.1', 'Authorization', 'x', 'X-Stream-Protocol-Version', 'v4', 'X-Stream-Protocol-Version', 'v5']), ['Upgrade: SPDY/3.1', 'X-Stream-Protocol-Version: v4', 'X-Stream-Protocol-Version: v5']);
});
