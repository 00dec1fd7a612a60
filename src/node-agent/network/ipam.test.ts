import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { allocate, emptyIpamState, IpamExhaustedError, IpamStore, reconcileLoaded, release, type IpamState } from './ipam.js';
import { cidrContains, parseCidr, parseIpv4, podRange } from './cidr.js';
import { checkBridgeName, hostVethName, podNetnsName } from './names.js';

describe('cidr', () => {
  test('parses and rejects', () => {
    const cases: [string, string | null][] = [
      ['10.42.0.0/24', null],
      ['10.42.0.1/24', 'host bits set'],
      ['10.42.0.0/33', 'prefix'],
      ['10.42.0/24', 'invalid IPv4'],
      ['10.42.0.0', 'invalid CIDR'],
      ['256.0.0.0/8', 'invalid IPv4'],
    ];
    for (const [text, error] of cases) {
      if (error) assert.throws(() => parseCidr(text), new RegExp(error), text);
      else assert.doesNotThrow(() => parseCidr(text), text);
    }
  });
  test('range and membership', () => {
    assert.deepEqual(podRange(parseCidr('10.42.0.0/24')), { first: parseIpv4('10.42.0.2'), last: parseIpv4('10.42.0.254') });
    assert.ok(cidrContains(parseCidr('10.42.0.0/16'), parseIpv4('10.42.7.9')));
    assert.ok(!cidrContains(parseCidr('10.42.0.0/16'), parseIpv4('10.43.0.1')));
    assert.throws(() => podRange(parseCidr('10.42.0.0/31')), /too small/);
  });
});

describe('names', () => {
  test('netns, veth and bridge names', () => {
    assert.equal(podNetnsName('3f2a9c1e-4b2d-11ee-8c90-0242ac120002'), 'kjb-3f2a9c1e-4b2');
    assert.match(hostVethName('3f2a9c1e-4b2d-11ee-8c90-0242ac120002'), /^kjv[0-9a-f]{8}$/);
    assert.notEqual(hostVethName('same-prefix-1'), hostVethName('same-prefix-2'));
    for (const good of ['kjb0', 'kjbtest_1']) assert.doesNotThrow(() => checkBridgeName(good));
    for (const bad of ['br0', 'kjb', 'kjb-0', 'kjb0123456789abc']) assert.throws(() => checkBridgeName(bad), /kjb/, bad);
  });
});

describe('ipam (pure)', () => {
  test('allocates from .2, is idempotent per uid and does not reuse a freed IP at once', () => {
    let state = emptyIpamState('10.42.0.0/24');
    const steps: [string, 'alloc' | 'free', string | undefined][] = [
      ['a', 'alloc', '10.42.0.2'],
      ['b', 'alloc', '10.42.0.3'],
      ['a', 'alloc', '10.42.0.2'],
      ['a', 'free', undefined],
      ['c', 'alloc', '10.42.0.4'],
    ];
    for (const [uid, op, expected] of steps) {
      if (op === 'free') state = release(state, uid);
      else {
        const result = allocate(state, uid);
        assert.equal(result.ip, expected, `${op} ${uid}`);
        state = result.state;
      }
    }
    assert.deepEqual(state.allocations, { b: '10.42.0.3', c: '10.42.0.4' });
  });

  test('wraps around and reports exhaustion', () => {
    let state: IpamState = emptyIpamState('10.42.0.0/29'); // pods .2 .. .6
    for (const uid of ['a', 'b', 'c', 'd', 'e']) state = allocate(state, uid).state;
    assert.throws(() => allocate(state, 'f'), IpamExhaustedError);
    state = release(state, 'b');
    assert.equal(allocate(state, 'f').ip, '10.42.0.3');
  });

  test('release of an unknown uid returns the same state', () => {
    const state = emptyIpamState('10.42.0.0/24');
    assert.equal(release(state, 'nope'), state);
  });

  test('reconcileLoaded drops addresses outside the range, the gateway and duplicates', () => {
    const loaded: IpamState = {
      podCidr: '10.42.0.0/24',
      allocations: { ok: '10.42.0.9', gw: '10.42.0.1', out: '10.42.1.5', dup: '10.42.0.9', bcast: '10.42.0.255', junk: 'x' },
      lastAllocated: '10.42.0.9',
    };
    assert.deepEqual(reconcileLoaded(loaded, '10.42.0.0/24'), { podCidr: '10.42.0.0/24', allocations: { ok: '10.42.0.9' }, lastAllocated: '10.42.0.9' });
    assert.deepEqual(reconcileLoaded(loaded, '10.42.1.0/24').allocations, { out: '10.42.1.5' });
  });
});

describe('IpamStore', () => {
  test('persists allocations atomically across instances', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kjb-ipam-'));
    try {
      const first = new IpamStore(dir, '10.42.3.0/24');
      assert.equal(first.allocate('pod-1'), '10.42.3.2');
      await first.persisted();
      assert.deepEqual((JSON.parse(readFileSync(join(dir, 'ipam.json'), 'utf8')) as IpamState).allocations, { 'pod-1': '10.42.3.2' });
      assert.equal(first.allocate('pod-2'), '10.42.3.3');
      const writing = first.persisted();
      first.release('pod-1'); // a change while a write is in flight is written by the same flush
      await Promise.all([writing, first.persisted()]);
      const second = new IpamStore(dir, '10.42.3.0/24');
      assert.equal(second.get('pod-1'), undefined);
      assert.equal(second.get('pod-2'), '10.42.3.3');
      assert.equal(second.allocate('pod-3'), '10.42.3.4');
      await second.persisted();
      await second.persisted(); // nothing left to write: resolves at once
      const onDisk = JSON.parse(readFileSync(join(dir, 'ipam.json'), 'utf8')) as IpamState;
      assert.deepEqual(onDisk.allocations, { 'pod-2': '10.42.3.3', 'pod-3': '10.42.3.4' });
      writeFileSync(join(dir, 'ipam.json'), '{not json');
      assert.throws(() => new IpamStore(dir, '10.42.3.0/24'), SyntaxError);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
