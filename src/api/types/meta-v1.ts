// meta/v1 types shared by every kind (ObjectMeta, ListMeta, LabelSelector, ...).
import type { ObjectType } from '../schema/dsl.js';

export const META_V1_TYPES: ObjectType[] = [];
