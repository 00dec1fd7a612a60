import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isApiError } from '../../api/errors.js';
import type { KubeObject } from '../../api/meta.js';
import { resolveSubject, tokenRequestSpec } from './token-request.js';

const SA = { namespace: 'default', name: 'default' };
const AUD = ['https://kubernetes.default.svc.cluster.local'];

function request(spec: Record<string, unknown>, metadata: Record<string, unknown> = {}): KubeObject {
  return { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', metadata, spec };
}

function errorOf(fn: () => unknown): { code: number; message: string } | undefined {
  try {
    fn();
    return undefined;
  } catch (err) {
    assert.ok(isApiError(err));
    return { code: err.code, message: err.message };
  }
}

describe('TokenRequest', () => {
  test('defaults and validation', () => {
    assert.deepEqual(tokenRequestSpec(request({}), SA, AUD), { audiences: AUD, expirationSeconds: 3600 });
    assert.deepEqual(tokenRequestSpec(request({ audiences: ['vault'], expirationSeconds: 600 }), SA, AUD), { audiences: ['vault'], expirationSeconds: 600 });
    const cases: Array<[KubeObject, number, string]> = [
      [request({ expirationSeconds: 599 }), 422, 'TokenRequest.authentication.k8s.io "" is invalid: spec.expirationSeconds: Invalid value: 599: may not specify a duration less than 10 minutes'],
      [request({ expirationSeconds: 2 ** 33 }), 422, 'may not specify a duration larger than 2^32 seconds'],
      [request({}, { name: 'other' }), 422, 'metadata.name: Invalid value: "other": must match the service account name if specified'],
      [request({}, { namespace: 'kube-system' }), 422, 'must match the service account namespace if specified'],
    ];
    for (const [req, code, message] of cases) {
      const err = errorOf(() => tokenRequestSpec(req, SA, AUD));
      assert.equal(err?.code, code, message);
      assert.ok(err?.message.includes(message), `${err?.message} should contain ${message}`);
    }
  });

  test('bound objects: must exist, match uid, and run as the service account', async () => {
    const sa: KubeObject = { metadata: { name: 'default', namespace: 'default', uid: 'sa1' } };
    const pods: Record<string, KubeObject> = {
      web: { metadata: { name: 'web', namespace: 'default', uid: 'p1' }, spec: { serviceAccountName: 'default', nodeName: 'n1' } },
      other: { metadata: { name: 'other', namespace: 'default', uid: 'p2' }, spec: { serviceAccountName: 'builder' } },
    };
    const lookups = {
      pod: async (_ns: string, name: string) => pods[name],
      secret: async (_ns: string, name: string) => (name === 's' ? { metadata: { name: 's', uid: 's1' } } : undefined),
      node: async (name: string) => (name === 'n1' ? { metadata: { name: 'n1', uid: 'n-uid' } } : undefined),
    };
    assert.deepEqual(await resolveSubject(sa, { kind: 'Pod', apiVersion: 'v1', name: 'web', uid: 'p1' }, lookups), {
      namespace: 'default', serviceAccount: { name: 'default', uid: 'sa1' }, pod: { name: 'web', uid: 'p1' }, node: { name: 'n1', uid: 'n-uid' },
    });
    assert.deepEqual((await resolveSubject(sa, { kind: 'Secret', apiVersion: 'v1', name: 's' }, lookups)).secret, { name: 's', uid: 's1' });
    const failures: Array<[Record<string, string>, number, RegExp]> = [
      [{ kind: 'Pod', apiVersion: 'v1', name: 'gone' }, 404, /pods "gone" not found/],
      [{ kind: 'Pod', apiVersion: 'v1', name: 'web', uid: 'old' }, 409, /does not match the UID in record/],
      [{ kind: 'Pod', apiVersion: 'v1', name: 'other' }, 400, /different serviceaccount name/],
      [{ kind: 'Deployment', apiVersion: 'apps/v1', name: 'd' }, 400, /cannot bind token to object of type apps\/v1, Kind=Deployment/],
    ];
    for (const [ref, code, message] of failures) {
      await assert.rejects(resolveSubject(sa, ref, lookups), (err: unknown) => isApiError(err) && err.code === code && message.test(err.message));
    }
  });
});
