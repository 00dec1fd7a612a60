import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CompiledSeccompCache, SECCOMP_BPF_ANNOTATION, isBpfProgram, seccompProfileKey, withCompiledSeccomp } from './seccomp-cache.js';

const profile = { defaultAction: 'SCMP_ACT_ERRNO', architectures: ['SCMP_ARCH_X86_64'], syscalls: [{ names: ['read'], action: 'SCMP_ACT_ALLOW' }] };
const spec = () => ({ ociVersion: '1.0.2', annotations: { a: 'b' }, linux: { cgroupsPath: '/x', seccomp: structuredClone(profile) } });

test('profile keys: equal profiles share a key, others and none differ', () => {
  assert.equal(seccompProfileKey(spec()), seccompProfileKey(spec()));
  assert.notEqual(seccompProfileKey(spec()), seccompProfileKey({ linux: { seccomp: { ...profile, defaultAction: 'SCMP_ACT_KILL' } } }));
  assert.equal(seccompProfileKey({ linux: {} }), undefined);
});

test('the compiled program replaces the profile and keeps other annotations; the input stays', () => {
  const input = spec();
  const out = withCompiledSeccomp(input, 'AAAA');
  assert.deepEqual(out.linux, { cgroupsPath: '/x' });
  assert.deepEqual(out.annotations, { a: 'b', [SECCOMP_BPF_ANNOTATION]: 'AAAA' });
  assert.ok(input.linux.seccomp);
});

test('BPF programs are whole 8-byte instructions', () => {
  assert.equal(isBpfProgram(new Uint8Array(16)), true);
  assert.equal(isBpfProgram(new Uint8Array(0)), false);
  assert.equal(isBpfProgram(new Uint8Array(12)), false);
});

test('the cache learns a program from the state dir once and then hands it out', async () => {
  const root = mkdtempSync(join(tmpdir(), 'kjb-seccomp-'));
  try {
    const cache = new CompiledSeccompCache(true);
    const first = cache.prepare(spec());
    assert.ok(first.learnKey, 'first container compiles its profile');
    assert.ok(first.spec.linux.seccomp);
    mkdirSync(join(root, 'c1'));
    writeFileSync(join(root, 'c1', 'seccomp.bpf'), Buffer.alloc(24, 1));
    await cache.learn(first.learnKey!, root, 'c1');
    const second = cache.prepare(spec());
    assert.equal(second.learnKey, undefined);
    assert.equal((second.spec.annotations as Record<string, string>)[SECCOMP_BPF_ANNOTATION], Buffer.alloc(24, 1).toString('base64'));
    assert.equal((second.spec.linux as { seccomp?: unknown }).seccomp, undefined);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('a missing or malformed program is not learned; a disabled cache never rewrites', async () => {
  const root = mkdtempSync(join(tmpdir(), 'kjb-seccomp-'));
  try {
    const cache = new CompiledSeccompCache(true);
    const { learnKey } = cache.prepare(spec());
    await cache.learn(learnKey!, root, 'absent');
    mkdirSync(join(root, 'bad'));
    writeFileSync(join(root, 'bad', 'seccomp.bpf'), Buffer.alloc(5));
    await cache.learn(learnKey!, root, 'bad');
    assert.ok(cache.prepare(spec()).learnKey, 'still not compiled');
    const off = new CompiledSeccompCache(false);
    assert.deepEqual(off.prepare(spec()), { spec: spec() });
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
