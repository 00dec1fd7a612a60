import assert from 'node:assert/strict';
import { test } from 'node:test';
import { authorize, forbiddenError, type RequestAttributes } from './authorizer.js';

const admin = { name: 'system:admin', groups: ['system:masters', 'system:authenticated'] };
const sa = { name: 'system:serviceaccount:default:default', groups: ['system:serviceaccounts', 'system:serviceaccounts:default', 'system:authenticated'] };

test('service accounts get discovery and self reviews, nothing else', () => {
  const cases: Array<[RequestAttributes, boolean, boolean]> = [
    [{ resourceRequest: false, verb: 'get', path: '/api' }, true, true],
    [{ resourceRequest: false, verb: 'get', path: '/apis/apps/v1' }, true, true],
    [{ resourceRequest: false, verb: 'get', path: '/version' }, true, true],
    [{ resourceRequest: false, verb: 'get', path: '/openapi/v3' }, true, true],
    [{ resourceRequest: false, verb: 'post', path: '/api' }, true, false],
    [{ resourceRequest: false, verb: 'get', path: '/metrics' }, true, false],
    [{ resourceRequest: true, verb: 'create', group: 'authentication.k8s.io', resource: 'selfsubjectreviews' }, true, true],
    [{ resourceRequest: true, verb: 'create', group: 'authorization.k8s.io', resource: 'selfsubjectaccessreviews' }, true, true],
    [{ resourceRequest: true, verb: 'list', group: '', resource: 'pods', namespace: 'default' }, true, false],
    [{ resourceRequest: true, verb: 'create', group: '', resource: 'serviceaccounts', subresource: 'token', namespace: 'default', name: 'default' }, true, false],
  ];
  for (const [attrs, adminAllowed, saAllowed] of cases) {
    assert.equal(authorize(admin, attrs).allowed, adminAllowed, JSON.stringify(attrs));
    assert.equal(authorize(sa, attrs).allowed, saAllowed, JSON.stringify(attrs));
  }
  assert.equal(authorize(undefined, { resourceRequest: false, verb: 'get', path: '/api' }).allowed, false);
});

test('Forbidden messages in Kubernetes form', () => {
  const cases: Array<[RequestAttributes, string]> = [
    [{ resourceRequest: true, verb: 'list', group: '', resource: 'pods', namespace: 'default' }, 'pods is forbidden: User "system:serviceaccount:default:default" cannot list resource "pods" in API group "" in the namespace "default"'],
    [{ resourceRequest: true, verb: 'get', group: 'apps', resource: 'deployments', namespace: 'x', name: 'web' }, 'deployments.apps "web" is forbidden: User "system:serviceaccount:default:default" cannot get resource "deployments" in API group "apps" in the namespace "x"'],
    [{ resourceRequest: true, verb: 'list', group: '', resource: 'nodes' }, 'nodes is forbidden: User "system:serviceaccount:default:default" cannot list resource "nodes" in API group "" at the cluster scope'],
    [{ resourceRequest: true, verb: 'get', group: '', resource: 'pods', subresource: 'log', namespace: 'default', name: 'p' }, 'pods "p" is forbidden: User "system:serviceaccount:default:default" cannot get resource "pods/log" in API group "" in the namespace "default"'],
  ];
  for (const [attrs, message] of cases) {
    const err = forbiddenError(sa, attrs);
    assert.equal(err.code, 403);
    assert.equal(err.message, message);
  }
});
