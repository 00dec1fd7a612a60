// core/v1 types (Pod, Service, ConfigMap, ...).
import type { ObjectType } from '../schema/dsl.js';

export const CORE_V1_TYPES: ObjectType[] = [];
