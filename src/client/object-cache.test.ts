import { execFileSync } from 'node:child_process';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../api/meta.js';
import { NODE_NAME_INDEX, ObjectCache, OWNER_UID_INDEX } from './object-cache.js';

function obj(name: string, rv: string, extra: Partial<KubeObject['metadata']> = {}, spec?: Record<string, unknown>): KubeObject {
  const o: KubeObject = { metadata: { name, namespace: 'ns', uid: `uid-${name}`, resourceVersion: rv, ...extra } };
  if (spec) o.spec = spec;
  return o;
}

describe('ObjectCache.replace (relist diff)', () => {
  const cases: Array<{ name: string; before: KubeObject[]; after: KubeObject[]; added: string[]; updated: string[]; deleted: string[] }> = [
    { name: 'empty to full', before: [], after: [obj('a', '1'), obj('b', '2')], added: ['a', 'b'], updated: [], deleted: [] },
    { name: 'unchanged objects produce nothing', before: [obj('a', '1')], after: [obj('a', '1')], added: [], updated: [], deleted: [] },
    { name: 'changed, gone and new', before: [obj('a', '1'), obj('b', '2')], after: [obj('a', '5'), obj('c', '6')], added: ['c'], updated: ['a'], deleted: ['b'] },
    { name: 'recreated under the same name', before: [obj('a', '1')], after: [obj('a', '7', { uid: 'other' })], added: ['a'], updated: [], deleted: ['a'] },
    { name: 'full to empty', before: [obj('a', '1')], after: [], added: [], updated: [], deleted: ['a'] },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const cache = new ObjectCache<KubeObject>();
      for (const o of c.before) cache.set(structuredClone(o));
      const diff = cache.replace(c.after.map((o) => structuredClone(o)));
      assert.deepEqual(diff.added.map((o) => o.metadata.name), c.added);
      assert.deepEqual(diff.updated.map((u) => u.newObj.metadata.name), c.updated);
      assert.deepEqual(diff.deleted.map((o) => o.metadata.name), c.deleted);
      assert.deepEqual(cache.keys().sort(), c.after.map((o) => `ns/${o.metadata.name}`).sort());
    });
  }
});

describe('ObjectCache indexes', () => {
  test('owner and node indexes follow updates and deletes', () => {
    const cache = new ObjectCache<KubeObject>();
    cache.set(obj('p1', '1', { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: 'rs-uid' }] }, { nodeName: 'n1' }));
    cache.set(obj('p2', '2', {}, { nodeName: 'n1' }));
    assert.deepEqual(cache.byIndex(OWNER_UID_INDEX, 'rs-uid').map((o) => o.metadata.name), ['p1']);
    assert.deepEqual(cache.byIndex(NODE_NAME_INDEX, 'n1').map((o) => o.metadata.name).sort(), ['p1', 'p2']);
    cache.set(obj('p1', '3', {}, { nodeName: 'n2' }));
    assert.deepEqual(cache.byIndex(OWNER_UID_INDEX, 'rs-uid'), []);
    assert.deepEqual(cache.byIndex(NODE_NAME_INDEX, 'n1').map((o) => o.metadata.name), ['p2']);
    cache.delete('ns/p2');
    assert.deepEqual(cache.byIndex(NODE_NAME_INDEX, 'n1'), []);
  });

  test('an index added later covers existing objects', () => {
    const cache = new ObjectCache<KubeObject>();
    cache.set(obj('a', '1', { labels: { app: 'x' } }));
    cache.addIndex('app', (o) => (o.metadata.labels?.app ? [o.metadata.labels.app] : []));
    assert.equal(cache.byIndex('app', 'x').length, 1);
  });

  test('stored objects are frozen under test (KIJABI_FREEZE_SHARED_OBJECTS=1, set by the test runner)', () => {
    const cache = new ObjectCache<KubeObject>();
    cache.set(obj('a', '1', { labels: { app: 'x' } }));
    const stored = cache.get('ns/a')!;
    assert.throws(() => {
      (stored.metadata.labels as Record<string, string>).app = 'y';
    }, TypeError);
  });
});

describe('object cache without frozen shared objects (production)', () => {
  test('objects stay unfrozen, their selectors are frozen (label-selector.ts caches the parse)', () => {
    // A child process without the test runner's KIJABI_FREEZE_SHARED_OBJECTS.
    const { KIJABI_FREEZE_SHARED_OBJECTS: _dropped, ...env } = process.env;
    const script = `
      const { ObjectCache } = await import(${JSON.stringify(new URL('./object-cache.js', import.meta.url).href)});
      const cache = new ObjectCache();
      cache.set({ metadata: { name: 'rs', namespace: 'ns' }, spec: { selector: { matchLabels: { app: 'x' } }, replicas: 1 } });
      const o = cache.get('ns/rs');
      console.log(JSON.stringify([Object.isFrozen(o), Object.isFrozen(o.spec), Object.isFrozen(o.spec.selector), Object.isFrozen(o.spec.selector.matchLabels)]));`;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { env }).toString().trim();
    assert.deepEqual(JSON.parse(out), [false, false, true, true]);
  });
});
