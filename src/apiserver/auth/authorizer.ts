// Authorization decisions. Until RBAC is enforced (a later issue), members of system:masters may do
// everything and nobody else may do anything, which is what Kubernetes' own superuser group means.

import type { UserInfo } from './token.js';

export interface AccessDecision {
  allowed: boolean;
  reason?: string;
}

export function authorize(user: UserInfo | undefined): AccessDecision {
  if (user?.groups.includes('system:masters')) return { allowed: true, reason: 'member of system:masters' };
  return { allowed: false, reason: 'no RBAC policy grants this request' };
}
