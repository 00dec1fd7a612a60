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

/**
 * UTF-8 bytes of `text` in memory of their own, for bytes that are kept (stored values, watch
 * lines). Buffer.from puts short strings in slices of shared 8 KiB slabs, and one kept slice keeps
 * its whole slab alive, whatever short-lived buffers (responses, request bodies) filled the rest:
 * with 10,000 objects that was over 100 MiB of resident memory.
 */
export function ownedBytes(text: string): Buffer {
  // Measured first, then written once into memory of its own (no pooled copy to copy again).
  const own = Buffer.allocUnsafeSlow(Buffer.byteLength(text));
  own.write(text);
  return own;
}
