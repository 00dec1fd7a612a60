import { test } from 'node:test';
import assert from 'node:assert/strict';
import { collectableResources } from './graph.js';

test('the garbage collector watches every listable resource but Events, as Kubernetes does', () => {
  const watched = collectableResources().map((d) => `${d.group}/${d.resource}`);
  assert.ok(watched.includes('/pods') && watched.includes('apps/replicasets') && watched.includes('/configmaps'));
  assert.ok(!watched.includes('/events') && !watched.includes('events.k8s.io/events'));
});
