// authentication.k8s.io/v1 SelfSubjectReview: create-only, never stored, no name needed. The answer
// (status.userInfo) is filled by the serviceaccount/token-subresource.ts handler.

import type { Strategy } from '../strategy.js';

export const selfSubjectReviewStrategy: Strategy = {
  nameOptional: true,
  tracksGeneration: false,
  keepStatusOnCreate: false,
};
