import assert from 'node:assert/strict';
import { test } from 'node:test';
import { orphanedVolumeDirs } from './local-path-cleanup.js';

test('only volume directories that no volume names are orphans', () => {
  const uid = '0f8fad5b-d9cb-469f-a165-70867728950e';
  const kept = `pvc-${uid}_shop_data`;
  const gone = 'pvc-7c9e6679-7425-40de-944b-e07fc1f90ae7_shop_old';
  const volumes = [{ metadata: { name: `pvc-${uid}` }, spec: { hostPath: { path: `/s/${kept}` } } }];
  assert.deepEqual(orphanedVolumeDirs('/s', [kept, gone, 'lost+found', 'notes.txt', 'pvc-short_x_y'], volumes), [`/s/${gone}`]);
});
