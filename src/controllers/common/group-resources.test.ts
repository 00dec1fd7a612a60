import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ResourceDescriptor } from '../../api/resources.js';
import { distinctGroupResources, servesVerbs } from './group-resources.js';

const desc = (group: string, version: string, resource: string, extra: Partial<ResourceDescriptor> = {}): ResourceDescriptor => ({
  group,
  version,
  kind: resource,
  resource,
  singular: resource,
  namespaced: true,
  ...extra,
});

test('servesVerbs', () => {
  const cases: Array<[ResourceDescriptor, string[], boolean]> = [
    [desc('', 'v1', 'pods'), ['list', 'watch'], true],
    [desc('', 'v1', 'bindings', { verbs: ['create'] }), ['list'], false],
    [desc('', 'v1', 'x', { verbs: ['list'] }), ['list', 'watch'], false],
    [desc('', 'v1', 'x', { verbs: ['list', 'watch'] }), ['list', 'watch'], true],
  ];
  for (const [d, verbs, want] of cases) assert.equal(servesVerbs(d, verbs), want, `${d.resource} ${verbs}`);
});

test('distinctGroupResources keeps the first accepted version and skips events.k8s.io events', () => {
  const table = [
    desc('apps', 'v1beta1', 'deployments', { verbs: ['get'] }),
    desc('apps', 'v1', 'deployments'),
    desc('apps', 'v1beta2', 'deployments'),
    desc('', 'v1', 'events'),
    desc('events.k8s.io', 'v1', 'events'),
    desc('', 'v1', 'nodes', { namespaced: false }),
  ];
  const picked = distinctGroupResources(table, (d) => d.namespaced && servesVerbs(d, ['list']));
  assert.deepEqual(picked.map((d) => `${d.group}/${d.version}/${d.resource}`), ['apps/v1/deployments', '/v1/events']);
});
