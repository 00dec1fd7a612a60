import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../../../api/meta.js';
import { validateEphemeralContainersUpdate } from './pod.js';

const base = (ephemeral: unknown[]): KubeObject => ({ metadata: { name: 'p' }, spec: { containers: [{ name: 'app', image: 'nginx' }], ephemeralContainers: ephemeral } });
const dbg = { name: 'dbg', image: 'busybox', imagePullPolicy: 'Always', terminationMessagePolicy: 'File' };

test('ephemeral containers may only be added, with the ephemeral container rules', () => {
  const cases: Array<[unknown[], unknown[], string[]]> = [
    [[], [dbg], []],
    [[dbg], [dbg, { ...dbg, name: 'dbg2' }], []],
    [[dbg], [], ['spec.ephemeralContainers: Forbidden: existing ephemeral containers "dbg" may not be removed']],
    [[dbg], [{ ...dbg, image: 'alpine' }], ['spec.ephemeralContainers[0]: Forbidden: existing ephemeral containers "dbg" may not be changed']],
    [[], [{ ...dbg, targetContainerName: 'nope' }], ['spec.ephemeralContainers[0].targetContainerName: Not found: "nope"']],
    [[], [{ ...dbg, name: 'app' }], ['spec.ephemeralContainers[0].name: Duplicate value: "app"']],
    [[], [{ ...dbg, ports: [{ containerPort: 80, protocol: 'TCP' }] }], ['spec.ephemeralContainers[0].ports: Forbidden: cannot be set for an Ephemeral Container']],
    [[], [{ ...dbg, readinessProbe: { exec: { command: ['true'] } } }], ['spec.ephemeralContainers[0].readinessProbe: Forbidden: cannot be set for an Ephemeral Container']],
  ];
  for (const [before, after, want] of cases) {
    const errs = validateEphemeralContainersUpdate(base(after), base(before));
    const got = errs.map((e) => `${e.field}: ${e.detail}`);
    assert.deepEqual(got, want, JSON.stringify(after));
  }
});
