// Types of the named API groups (apps, batch, autoscaling, ...).
import type { ObjectType } from '../schema/dsl.js';

export const GROUP_TYPES: ObjectType[] = [];
