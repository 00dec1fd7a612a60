// The apiVersion/kind pair every top-level kind carries. JSON only: in protobuf they travel in
// the runtime.Unknown envelope, so they have no field numbers.
import { str, type FieldDef } from '../../schema/dsl.js';

export const TYPE_META: Readonly<Record<'apiVersion' | 'kind', FieldDef>> = {
  apiVersion: str(undefined, 'Versioned schema of this object, such as "apps/v1"; tells the server how to read it.'),
  kind: str(undefined, 'The object type as a CamelCase name, such as "Deployment".'),
};
