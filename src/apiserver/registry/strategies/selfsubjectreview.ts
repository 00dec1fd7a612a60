// authentication.k8s.io/v1 SelfSubjectReview and TokenReview: create-only, never stored, no name
// needed. The answers (status) are filled by the serviceaccount/token-subresource.ts handlers.

import type { Strategy } from '../strategy.js';

export const selfSubjectReviewStrategy: Strategy = {
  nameOptional: true,
  tracksGeneration: false,
  keepStatusOnCreate: false,
};
