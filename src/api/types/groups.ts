// Types of the named API groups (apps, batch, autoscaling, ...), one module per group.
import type { ObjectType } from '../schema/dsl.js';
import { APPS_V1_TYPES } from './groups/apps-v1.js';
import { AUTHENTICATION_V1_TYPES } from './groups/authentication-v1.js';
import { AUTHORIZATION_V1_TYPES } from './groups/authorization-v1.js';
import { AUTOSCALING_TYPES } from './groups/autoscaling.js';
import { BATCH_V1_TYPES } from './groups/batch-v1.js';
import { COORDINATION_V1_TYPES } from './groups/coordination-v1.js';
import { DISCOVERY_V1_TYPES } from './groups/discovery-v1.js';
import { EVENTS_V1_TYPES } from './groups/events-v1.js';
import { POLICY_V1_TYPES } from './groups/policy-v1.js';
import { RBAC_V1_TYPES } from './groups/rbac-v1.js';
import { SCHEDULING_V1_TYPES } from './groups/scheduling-v1.js';
import { STORAGE_V1_TYPES } from './groups/storage-v1.js';

export const GROUP_TYPES: ObjectType[] = [
  ...APPS_V1_TYPES,
  ...BATCH_V1_TYPES,
  ...AUTOSCALING_TYPES,
  ...POLICY_V1_TYPES,
  ...RBAC_V1_TYPES,
  ...STORAGE_V1_TYPES,
  ...COORDINATION_V1_TYPES,
  ...DISCOVERY_V1_TYPES,
  ...EVENTS_V1_TYPES,
  ...SCHEDULING_V1_TYPES,
  ...AUTHORIZATION_V1_TYPES,
  ...AUTHENTICATION_V1_TYPES,
];
