// Authorization decisions. Until RBAC is enforced (a later issue), members of system:masters may do
// everything, which is what Kubernetes' own superuser group means. Every authenticated user also
// gets what Kubernetes' default roles system:discovery, system:basic-user and
// system:public-info-viewer grant: reading discovery, version and OpenAPI paths, and asking about
// itself (self subject reviews). Everything else is denied.

import { forbidden, qualifiedResource, type ApiError } from '../../api/errors.js';
import type { UserInfo } from './token.js';

export interface AccessDecision {
  allowed: boolean;
  reason?: string;
}

/** What a request asks to do, as Kubernetes' authorizer.Attributes describe it. */
export type RequestAttributes =
  | { resourceRequest: true; verb: string; group: string; resource: string; subresource?: string; namespace?: string; name?: string }
  | { resourceRequest: false; verb: string; path: string };

/** Non-resource paths every authenticated user may GET (system:discovery, system:public-info-viewer). */
const PUBLIC_PATHS = ['/api', '/apis', '/healthz', '/livez', '/readyz', '/version', '/openapi'];

/** Create-only reviews about oneself (system:basic-user). */
const SELF_REVIEWS = new Set(['authorization.k8s.io/selfsubjectaccessreviews', 'authorization.k8s.io/selfsubjectrulesreviews', 'authentication.k8s.io/selfsubjectreviews']);

function isPublicPath(path: string): boolean {
  const trimmed = path.length > 1 ? path.replace(/\/+$/, '') : path;
  return PUBLIC_PATHS.some((p) => trimmed === p || trimmed.startsWith(`${p}/`));
}

function basicUserAllows(attributes: RequestAttributes): boolean {
  if (!attributes.resourceRequest) return attributes.verb === 'get' && isPublicPath(attributes.path);
  return attributes.verb === 'create' && !attributes.subresource && SELF_REVIEWS.has(`${attributes.group}/${attributes.resource}`);
}

/** The decision for `user`; without attributes, whether the user may do everything. */
export function authorize(user: UserInfo | undefined, attributes?: RequestAttributes): AccessDecision {
  if (user?.groups.includes('system:masters')) return { allowed: true, reason: 'member of system:masters' };
  if (user && attributes && user.groups.includes('system:authenticated') && basicUserAllows(attributes)) {
    return { allowed: true, reason: 'allowed to every authenticated user' };
  }
  return { allowed: false, reason: 'no RBAC policy grants this request' };
}

/** The 403 Kubernetes answers when a request is denied, with its message form. */
export function forbiddenError(user: UserInfo | undefined, attributes: RequestAttributes): ApiError {
  const username = user?.name ?? '';
  if (!attributes.resourceRequest) return forbidden(`forbidden: User "${username}" cannot ${attributes.verb} path "${attributes.path}"`, {});
  const resource = attributes.subresource ? `${attributes.resource}/${attributes.subresource}` : attributes.resource;
  const scope = attributes.namespace ? `in the namespace "${attributes.namespace}"` : 'at the cluster scope';
  const reason = `User "${username}" cannot ${attributes.verb} resource "${resource}" in API group "${attributes.group}" ${scope}`;
  const what = qualifiedResource({ group: attributes.group, resource: attributes.resource });
  const subject = attributes.name ? `${what} "${attributes.name}"` : what;
  return forbidden(`${subject} is forbidden: ${reason}`, { name: attributes.name, group: attributes.group || undefined, kind: attributes.resource });
}

/** The authorizer's view of a resource request. */
export function requestAttributes(info: { verb: string; group: string; resource: string; subresource?: string; namespace?: string; name?: string }): RequestAttributes {
  return { resourceRequest: true, verb: info.verb, group: info.group, resource: info.resource, subresource: info.subresource, namespace: info.namespace, name: info.name };
}

/** The attributes a SelfSubjectAccessReview asks about (its spec), or undefined when it names none. */
export function reviewAttributes(spec: unknown): RequestAttributes | undefined {
  const s = (spec ?? {}) as { resourceAttributes?: Record<string, string | undefined>; nonResourceAttributes?: Record<string, string | undefined> };
  if (s.resourceAttributes) {
    const a = s.resourceAttributes;
    return { resourceRequest: true, verb: a.verb ?? '', group: a.group ?? '', resource: a.resource ?? '', subresource: a.subresource || undefined, namespace: a.namespace || undefined, name: a.name || undefined };
  }
  if (s.nonResourceAttributes) return { resourceRequest: false, verb: s.nonResourceAttributes.verb ?? '', path: s.nonResourceAttributes.path ?? '' };
  return undefined;
}

/** Throws the Forbidden error unless the request is allowed. */
export function checkAccess(user: UserInfo | undefined, attributes: RequestAttributes): void {
  if (!authorize(user, attributes).allowed) throw forbiddenError(user, attributes);
}
