import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadRegistriesFile, parseRegistriesConfig } from './registries-file.js';

test('a registries file in k3s\'s shape is read as is', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kjb-reg-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'registries.yaml');
  writeFileSync(file, 'mirrors:\n  docker.io:\n    endpoint:\n      - "http://127.0.0.1:5000"\nconfigs:\n  "127.0.0.1:5000":\n    auth:\n      username: me\n      password: secret\n');
  assert.deepEqual(loadRegistriesFile(file), {
    mirrors: { 'docker.io': { endpoint: ['http://127.0.0.1:5000'] } },
    configs: { '127.0.0.1:5000': { auth: { username: 'me', password: 'secret' } } },
  });
  writeFileSync(file, '');
  assert.deepEqual(loadRegistriesFile(file), {}, 'an empty file configures nothing');
  assert.throws(() => loadRegistriesFile(join(dir, 'missing.yaml')), /cannot read the registries file/);
  writeFileSync(file, 'mirrors: [\n');
  assert.throws(() => loadRegistriesFile(file), /is not valid YAML/);
});

test('mistakes name the bad entry', () => {
  const cases: Array<[unknown, RegExp]> = [
    [['x'], /the file must be a mapping/],
    [{ mirror: {} }, /"mirror" is not a known section/],
    [{ mirrors: { 'docker.io': { endpoint: 'http://x' } } }, /mirrors."docker.io".endpoint must be a list of URLs/],
    [{ mirrors: { 'docker.io': { endpoint: ['http://[bad'] } } }, /has an invalid URL/],
    [{ configs: { 'r.example': { auth: 'me:pw' } } }, /configs."r.example".auth must be a mapping/],
  ];
  for (const [value, message] of cases) assert.throws(() => parseRegistriesConfig(value, 'f.yaml'), message);
});
