// JSON text of stored objects, shared by the response to a write and the watch events of the same
// object: both serialise the one object the registry hands out (shared and never changed), so it is
// stringified once.

const texts = new WeakMap<object, string>();

/** Records `text` as the JSON of `obj` (made by whoever serialised it already). */
export function rememberObjectJson(obj: object, text: string): void {
  texts.set(obj, text);
}

/** JSON.stringify(obj), remembered for `obj`; only for objects that are never changed afterwards. */
export function objectJson(obj: object): string {
  let text = texts.get(obj);
  if (text === undefined) {
    text = JSON.stringify(obj);
    texts.set(obj, text);
  }
  return text;
}
