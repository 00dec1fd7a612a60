// A set of field paths, as server-side apply tracks ownership, and its FieldsV1 wire form.
//
// A path element is kept in its serialised FieldsV1 form, which is also its identity:
//   f:<name>            a struct field or map key
//   k:{"name":"nginx"}  a list-map item, by its key fields (sorted by name, compact JSON)
//   v:"value"           a set-list item, by its value (JSON)
//   i:3                 an atomic-list index (parsed, never produced)
// The set is a tree: each node holds the elements that are members at that level and the
// subtrees below elements. An element may be both (FieldsV1 writes `".": {}` for that).

export type PathElement = string;
export type FieldPath = readonly PathElement[];

export class FieldSet {
  // Both made on first use: most nodes of a set are leaves' parents with members only.
  private members?: Set<PathElement>;
  private children?: Map<PathElement, FieldSet>;

  static empty(): FieldSet {
    return new FieldSet();
  }

  static of(...paths: FieldPath[]): FieldSet {
    const set = new FieldSet();
    for (const path of paths) set.insert(path);
    return set;
  }

  /** Adds a path in place (for building sets); the set operations below never mutate. */
  insert(path: FieldPath): this {
    if (path.length === 0) return this;
    let node: FieldSet = this;
    for (let index = 0; index < path.length - 1; index++) node = node.descend(path[index]);
    node.addMember(path[path.length - 1]);
    return this;
  }

  private addMember(element: PathElement): void {
    (this.members ??= new Set()).add(element);
  }

  /** The subtree for an element, created when absent. */
  descend(element: PathElement): FieldSet {
    const children = (this.children ??= new Map());
    let child = children.get(element);
    if (!child) {
      child = new FieldSet();
      children.set(element, child);
    }
    return child;
  }

  has(path: FieldPath): boolean {
    if (path.length === 0) return false;
    const parent = this.at(path.slice(0, -1));
    return parent !== undefined && parent.isMember(path[path.length - 1]);
  }

  /** The subtree at a path prefix (not a copy), if any. */
  at(prefix: FieldPath): FieldSet | undefined {
    let node: FieldSet | undefined = this;
    for (const element of prefix) {
      node = node.children?.get(element);
      if (!node) return undefined;
    }
    return node;
  }

  /** True when the path itself or anything below it is in the set. */
  touches(path: FieldPath): boolean {
    if (this.has(path)) return true;
    const sub = this.at(path);
    return sub !== undefined && !sub.isEmpty();
  }

  isMember(element: PathElement): boolean {
    return this.members?.has(element) ?? false;
  }

  child(element: PathElement): FieldSet | undefined {
    return this.children?.get(element);
  }

  /** Member elements and subtree elements at this level, sorted. */
  elements(): PathElement[] {
    const out = new Set(this.members);
    if (this.children) for (const [element, child] of this.children) if (!child.isEmpty()) out.add(element);
    return sortElements(out);
  }

  isEmpty(): boolean {
    if (this.members !== undefined && this.members.size > 0) return false;
    if (this.children) for (const child of this.children.values()) if (!child.isEmpty()) return false;
    return true;
  }

  size(): number {
    let count = this.members?.size ?? 0;
    if (this.children) for (const child of this.children.values()) count += child.size();
    return count;
  }

  /** True when the two sets have a member path in common (cheaper than a non-empty intersection). */
  intersects(other: FieldSet): boolean {
    if (this.members && other.members) {
      const [small, large] = this.members.size <= other.members.size ? [this.members, other.members] : [other.members, this.members];
      for (const element of small) if (large.has(element)) return true;
    }
    if (this.children && other.children) {
      for (const [element, mine] of this.children) {
        const theirs = other.children.get(element);
        if (theirs && mine.intersects(theirs)) return true;
      }
    }
    return false;
  }

  union(other: FieldSet): FieldSet {
    const out = new FieldSet();
    if (this.members || other.members) out.members = new Set(this.members ?? other.members);
    if (this.members && other.members) for (const element of other.members) out.members!.add(element);
    if (this.children || other.children) {
      for (const source of [this.children, other.children]) {
        if (!source) continue;
        for (const element of source.keys()) {
          if (out.children?.has(element)) continue;
          const mine = this.children?.get(element);
          const theirs = other.children?.get(element);
          const merged = mine && theirs ? mine.union(theirs) : (mine ?? theirs)!.clone();
          if (!merged.isEmpty()) (out.children ??= new Map()).set(element, merged);
        }
      }
    }
    return out;
  }

  intersection(other: FieldSet): FieldSet {
    const out = new FieldSet();
    if (this.members && other.members) for (const element of this.members) if (other.members.has(element)) out.addMember(element);
    if (this.children && other.children) {
      for (const [element, mine] of this.children) {
        const theirs = other.children.get(element);
        if (!theirs) continue;
        const common = mine.intersection(theirs);
        if (!common.isEmpty()) (out.children ??= new Map()).set(element, common);
      }
    }
    return out;
  }

  /** Members of this set that are not members of `other` (paths, not subtrees). */
  difference(other: FieldSet): FieldSet {
    const out = new FieldSet();
    if (this.members) for (const element of this.members) if (!other.isMember(element)) out.addMember(element);
    if (this.children) {
      for (const [element, mine] of this.children) {
        const theirs = other.children?.get(element);
        const rest = theirs ? mine.difference(theirs) : mine.clone();
        if (!rest.isEmpty()) (out.children ??= new Map()).set(element, rest);
      }
    }
    return out;
  }

  /** This set without the path and everything below it. */
  withoutSubtree(path: FieldPath): FieldSet {
    if (path.length === 0) return new FieldSet();
    return this.clone().removeSubtree(path);
  }

  /** Removes the members of `other` from this set, in place (only for sets the caller just built). */
  removeMembers(other: FieldSet): this {
    if (this.members && other.members) for (const element of other.members) this.members.delete(element);
    if (this.children && other.children) {
      for (const [element, theirs] of other.children) {
        const mine = this.children.get(element);
        if (!mine) continue;
        mine.removeMembers(theirs);
        if (mine.isEmpty()) this.children.delete(element);
      }
    }
    return this;
  }

  /** Removes a path and everything below it, in place (only for sets the caller just built). */
  removeSubtree(path: FieldPath): this {
    if (path.length === 0) {
      this.members = undefined;
      this.children = undefined;
      return this;
    }
    // Only the nodes along the path can become empty: drop those, deepest first.
    const along: FieldSet[] = [this];
    for (let index = 0; index < path.length - 1; index++) {
      const next = along[index].children?.get(path[index]);
      if (!next) return this;
      along.push(next);
    }
    const last = path[path.length - 1];
    along[along.length - 1].members?.delete(last);
    along[along.length - 1].children?.delete(last);
    for (let index = along.length - 1; index > 0 && along[index].isEmpty(); index--) along[index - 1].children!.delete(path[index - 1]);
    return this;
  }

  equals(other: FieldSet): boolean {
    return canonicalJson(this.toFieldsV1()) === canonicalJson(other.toFieldsV1());
  }

  clone(): FieldSet {
    const out = new FieldSet();
    if (this.members) out.members = new Set(this.members);
    if (this.children) {
      out.children = new Map();
      for (const [element, child] of this.children) out.children.set(element, child.clone());
    }
    return out;
  }

  /** Every member path: at each level the members first, then the subtrees, in element order. */
  paths(): FieldPath[] {
    const out: FieldPath[] = [];
    this.collectPaths([], out);
    return out;
  }

  private collectPaths(prefix: PathElement[], out: FieldPath[]): void {
    if (this.members) for (const element of sortElements(this.members)) out.push([...prefix, element]);
    if (this.children) {
      for (const element of sortElements(this.children.keys())) this.children.get(element)!.collectPaths([...prefix, element], out);
    }
  }

  /** The FieldsV1 JSON object, with elements in the order the Kubernetes serialiser writes them. */
  toFieldsV1(): Record<string, unknown> {
    // Children are encoded once; an empty encoding is an empty subtree (no isEmpty walk per level).
    let encodedChildren: Map<PathElement, Record<string, unknown>> | undefined;
    const elements: PathElement[] = this.members ? [...this.members] : [];
    if (this.children) {
      for (const [element, child] of this.children) {
        const inner = child.toFieldsV1();
        for (const _ in inner) {
          (encodedChildren ??= new Map()).set(element, inner);
          if (!this.members?.has(element)) elements.push(element);
          break;
        }
      }
    }
    if (elements.length > 1) elements.sort(compareElements);
    const out: Record<string, unknown> = {};
    for (const element of elements) {
      const inner = encodedChildren?.get(element);
      if (inner) {
        if (this.members?.has(element)) inner['.'] = {};
        out[element] = inner;
      } else {
        out[element] = {};
      }
    }
    return out;
  }

  static fromFieldsV1(json: unknown): FieldSet {
    const set = new FieldSet();
    if (isPlainObject(json)) readFieldsV1(json, set);
    return set;
  }
}

function readFieldsV1(json: Record<string, unknown>, into: FieldSet): void {
  for (const key in json) {
    if (key === '.') continue;
    const element = normaliseElement(key);
    if (element === undefined) continue; // an element kind from a newer format: drop it
    const value = json[key];
    const inner = isPlainObject(value) ? value : undefined;
    let member = true;
    let nested = false;
    if (inner) {
      member = false;
      let empty = true;
      for (const innerKey in inner) {
        empty = false;
        if (innerKey === '.') member = true;
        else nested = true;
      }
      if (empty) member = true;
    }
    if (member) into.insert([element]);
    if (nested) readFieldsV1(inner!, into.descend(element));
  }
}

/** Re-serialises a FieldsV1 key so that equal elements compare equal; undefined when unknown. */
function normaliseElement(key: string): PathElement | undefined {
  if (key.length < 2 || key[1] !== ':') return undefined;
  const body = key.slice(2);
  try {
    switch (key[0]) {
      case 'f':
        return key;
      case 'k': {
        const fields = JSON.parse(body) as unknown;
        return isPlainObject(fields) ? keyElement(fields) : undefined;
      }
      case 'v':
        return valueElement(JSON.parse(body));
      case 'i':
        return /^\d+$/.test(body) ? `i:${Number(body)}` : undefined;
      default:
        return undefined;
    }
  } catch {
    return undefined;
  }
}

// ---- path elements ----

export function fieldElement(name: string): PathElement {
  return `f:${name}`;
}

export function keyElement(keyFields: Record<string, unknown>): PathElement {
  // Most list maps have one scalar key (a name, a port): no sorting or copying needed.
  let only: string | undefined;
  for (const name in keyFields) {
    if (only !== undefined) return `k:${canonicalJson(keyFields)}`;
    only = name;
  }
  const value = only === undefined ? undefined : keyFields[only];
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
    return `k:${escapeLikeGo(`{${JSON.stringify(only)}:${JSON.stringify(value)}}`)}`;
  }
  return `k:${canonicalJson(keyFields)}`;
}

export function valueElement(value: unknown): PathElement {
  return `v:${canonicalJson(value)}`;
}

export function indexElement(index: number): PathElement {
  return `i:${index}`;
}

const KIND_ORDER: Record<string, number> = { f: 0, k: 1, v: 2, i: 3 };

/** Orders elements as structured-merge-diff does: fields, then keys, then values, then indexes. */
export function compareElements(a: PathElement, b: PathElement): number {
  // Two fields (the common case): the same "f:" prefix, so the whole strings compare as the names do.
  if (a.charCodeAt(0) === 102 && b.charCodeAt(0) === 102) return a < b ? -1 : a > b ? 1 : 0;
  const kindA = KIND_ORDER[a[0]] ?? 4;
  const kindB = KIND_ORDER[b[0]] ?? 4;
  if (kindA !== kindB) return kindA - kindB;
  const bodyA = a.slice(2);
  const bodyB = b.slice(2);
  switch (a[0]) {
    case 'f':
      return compareStrings(bodyA, bodyB);
    case 'k':
      return compareKeyFields(JSON.parse(bodyA) as Record<string, unknown>, JSON.parse(bodyB) as Record<string, unknown>);
    case 'v':
      return compareJsonValues(JSON.parse(bodyA), JSON.parse(bodyB));
    case 'i':
      return Number(bodyA) - Number(bodyB);
    default:
      return compareStrings(a, b);
  }
}

function sortElements(elements: Iterable<PathElement>): PathElement[] {
  return [...elements].sort(compareElements);
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareKeyFields(a: Record<string, unknown>, b: Record<string, unknown>): number {
  const entriesA = Object.entries(a).sort(([x], [y]) => compareStrings(x, y));
  const entriesB = Object.entries(b).sort(([x], [y]) => compareStrings(x, y));
  for (let i = 0; i < Math.max(entriesA.length, entriesB.length); i++) {
    if (i >= entriesA.length) return -1;
    if (i >= entriesB.length) return 1;
    const byName = compareStrings(entriesA[i][0], entriesB[i][0]);
    if (byName !== 0) return byName;
    const byValue = compareJsonValues(entriesA[i][1], entriesB[i][1]);
    if (byValue !== 0) return byValue;
  }
  return 0;
}

function jsonRank(value: unknown): number {
  if (value === null || value === undefined) return 0;
  if (typeof value === 'boolean') return 1;
  if (typeof value === 'number') return 2;
  if (typeof value === 'string') return 3;
  if (Array.isArray(value)) return 4;
  return 5;
}

function compareJsonValues(a: unknown, b: unknown): number {
  const rankA = jsonRank(a);
  const rankB = jsonRank(b);
  if (rankA !== rankB) return rankA - rankB;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  if (typeof a === 'string' && typeof b === 'string') return compareStrings(a, b);
  return compareStrings(canonicalJson(a), canonicalJson(b));
}

/**
 * How Kubernetes prints a path in conflict messages: `.spec.replicas`,
 * `.spec.containers[name="nginx"].image`, `.metadata.finalizers[="x"]`, `[3]`.
 */
export function describePath(path: FieldPath): string {
  return path.map(describeElement).join('');
}

function describeElement(element: PathElement): string {
  const body = element.slice(2);
  switch (element[0]) {
    case 'f':
      return `.${body}`;
    case 'k': {
      const fields = Object.entries(JSON.parse(body) as Record<string, unknown>).sort(([x], [y]) => compareStrings(x, y));
      return `[${fields.map(([name, value]) => `${name}=${describeValue(value)}`).join(',')}]`;
    }
    case 'v':
      return `[=${describeValue(JSON.parse(body))}]`;
    case 'i':
      return `[${body}]`;
    default:
      return '{{invalid path element}}';
  }
}

function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return canonicalJson(value);
}

// ---- JSON helpers ----

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * JSON with object keys sorted and HTML-sensitive characters escaped, as Go's encoder writes
 * key and value elements, so the same item always serialises to the same element.
 */
export function canonicalJson(value: unknown): string {
  return escapeLikeGo(JSON.stringify(sortKeys(value)) ?? 'null');
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (!isPlainObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort(compareStrings)) out[key] = sortKeys(value[key]);
  return out;
}

function escapeLikeGo(text: string): string {
  return text.replace(/[<>&\u2028\u2029]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
