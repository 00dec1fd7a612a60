import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { notFound } from '../api/errors.js';
import type { KubeObject } from '../api/meta.js';
import { EventRecorder, eventName } from './event-recorder.js';
import { createLogger } from './log.js';
import type { RestClient } from './rest-client.js';

function stub(options: { failCreate?: boolean; patchNotFound?: boolean } = {}) {
  const calls: Array<{ op: string; name?: string; body: Record<string, unknown> }> = [];
  const client = {
    createDiscardingResult: async (_d: unknown, body: KubeObject) => {
      calls.push({ op: 'create', name: body.metadata.name, body });
      if (options.failCreate) throw new Error('down');
    },
    patchDiscardingResult: async (_d: unknown, _ns: string, name: string, _t: string, body: Record<string, unknown>) => {
      calls.push({ op: 'patch', name, body });
      if (options.patchNotFound) throw notFound({ group: '', resource: 'events' }, name);
    },
  };
  return { client: client as unknown as RestClient, calls };
}

const pod: KubeObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: 'ns', uid: 'u1' } };

describe('EventRecorder', () => {
  test('creates an Event, then aggregates repeats within 10 minutes', async () => {
    const { client, calls } = stub();
    let now = Date.parse('2024-01-01T00:00:00Z');
    const rec = new EventRecorder({ client, component: 'test-controller', now: () => new Date(now), log: createLogger('t', { level: 'silent' }) });
    rec.event(pod, 'Normal', 'Scheduled', 'assigned');
    rec.event(pod, 'Normal', 'Scheduled', 'assigned');
    await rec.flush();
    now += 11 * 60 * 1000;
    rec.event(pod, 'Normal', 'Scheduled', 'assigned');
    await rec.flush();
    assert.deepEqual(calls.map((c) => c.op), ['create', 'patch', 'create']);
    const first = calls[0]!.body;
    assert.match(String(first.metadata && (first.metadata as { name: string }).name), /^web\.[0-9a-f]{16}$/);
    assert.deepEqual(first.involvedObject, { apiVersion: 'v1', kind: 'Pod', name: 'web', namespace: 'ns', uid: 'u1', resourceVersion: undefined });
    assert.deepEqual(first.source, { component: 'test-controller', host: 'test-controller' });
    assert.equal(first.type, 'Normal');
    assert.deepEqual(calls[1]!.body, { count: 2, lastTimestamp: '2024-01-01T00:00:00Z' });
    assert.equal(calls[1]!.name, calls[0]!.name);
  });

  test('never throws into the caller when writes fail', async () => {
    const { client } = stub({ failCreate: true });
    const rec = new EventRecorder({ client, component: 'c', log: createLogger('t', { level: 'silent' }) });
    assert.doesNotThrow(() => rec.event(pod, 'Warning', 'Failed', 'x'));
    await rec.flush();
  });

  test('a repeat whose Event vanished creates a new one', async () => {
    const { client, calls } = stub({ patchNotFound: true });
    const rec = new EventRecorder({ client, component: 'c', log: createLogger('t', { level: 'silent' }) });
    rec.event(pod, 'Normal', 'R', 'm');
    rec.event(pod, 'Normal', 'R', 'm');
    await rec.flush();
    assert.deepEqual(calls.map((c) => c.op), ['create', 'patch', 'create']);
  });
});

test('event names are Kubernetes\' `<object>.<Unix nanoseconds in hex>`, unique even within one clock tick', () => {
  const at = Date.UTC(2099, 0, 1); // later than any name handed out before in this process
  const first = eventName('web-0', at);
  assert.equal(first, `web-0.${(BigInt(at) * 1_000_000n).toString(16)}`);
  assert.match(first, /^web-0\.[0-9a-f]{16}$/);
  const second = eventName('web-0', at);
  assert.notEqual(second, first);
  assert.ok(BigInt(`0x${second.split('.')[1]}`) > BigInt(`0x${first.split('.')[1]}`));
});
