// The registry of every API type the server knows, built once at load.
import { TypeRegistry } from '../schema/dsl.js';
import { CORE_V1_TYPES } from './core-v1.js';
import { GROUP_TYPES } from './groups.js';
import { META_V1_TYPES } from './meta-v1.js';

export const API_TYPES = new TypeRegistry();
API_TYPES.add(...META_V1_TYPES, ...CORE_V1_TYPES, ...GROUP_TYPES);
