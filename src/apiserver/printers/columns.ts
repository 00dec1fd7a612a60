// Building blocks shared by the printers: column definitions and the small formatting rules
// kubectl users know (`<none>`, `k=v,k2=v2`, `name1,name2` for containers).

import type { ColumnDefinition } from '../registry/strategy.js';
import type { KubeObject } from '../../api/meta.js';
import { timeSince } from './age.js';

type ColumnType = ColumnDefinition['type'];

export function column(name: string, type: ColumnType, description: string, priority = 0): ColumnDefinition {
  return { name, type, format: '', description, priority };
}

/** The column kubectl prefixes with `kind/` when several kinds are printed. */
export function nameColumn(priority = 0): ColumnDefinition {
  return {
    name: 'Name',
    type: 'string',
    format: 'name',
    description: 'Name of the object, unique within its namespace (or the cluster for cluster-scoped kinds).',
    priority,
  };
}

export function ageColumn(): ColumnDefinition {
  return column('Age', 'string', 'Time since the object was created (from metadata.creationTimestamp).');
}

export const CONTAINERS_COLUMN = column('Containers', 'string', 'Names of the containers in the pod template.', 1);
export const IMAGES_COLUMN = column('Images', 'string', 'Images used by the containers in the pod template.', 1);

export function age(obj: KubeObject, now: Date): string {
  return timeSince(obj.metadata.creationTimestamp, now);
}

export function nameOf(obj: KubeObject): string {
  return obj.metadata.name ?? '';
}

// Loose accessors: stored objects are plain JSON whose shape the printers cannot trust.
export type Json = Record<string, unknown>;

export function obj(value: unknown): Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : {};
}

export function arr(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

export function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

export function int(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? Math.trunc(value) : 0;
}

export function spec(o: KubeObject): Json {
  return obj(o.spec);
}

export function status(o: KubeObject): Json {
  return obj(o.status);
}

/** `nginx,sidecar` and `nginx:1.27,busybox` from a pod spec's containers. */
export function containerCells(podSpec: unknown): [string, string] {
  const containers = arr(obj(podSpec).containers).map(obj);
  return [containers.map((c) => str(c.name)).join(','), containers.map((c) => str(c.image)).join(',')];
}

/** Sorted `k=v` pairs joined by commas, `<none>` when empty (labels.FormatLabels). */
export function formatLabels(labels: unknown): string {
  const entries = Object.entries(obj(labels)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (entries.length === 0) return '<none>';
  return entries.map(([k, v]) => `${k}=${String(v)}`).join(',');
}

/**
 * A label selector in selector-string form, requirements sorted by key:
 * `app=web,tier in (a,b),!legacy`. Empty string for an empty selector; undefined when invalid.
 */
export function selectorString(selector: unknown): string | undefined {
  const sel = obj(selector);
  const parts: { key: string; text: string }[] = [];
  for (const [key, value] of Object.entries(obj(sel.matchLabels))) {
    parts.push({ key, text: `${key}=${String(value)}` });
  }
  for (const raw of arr(sel.matchExpressions)) {
    const req = obj(raw);
    const key = str(req.key);
    const values = arr(req.values).map(String).sort();
    switch (req.operator) {
      case 'In':
      case 'NotIn': {
        if (values.length === 0) return undefined;
        const op = req.operator === 'In' ? 'in' : 'notin';
        parts.push({ key, text: `${key} ${op} (${values.join(',')})` });
        break;
      }
      case 'Exists':
        parts.push({ key, text: key });
        break;
      case 'DoesNotExist':
        parts.push({ key, text: `!${key}` });
        break;
      default:
        return undefined;
    }
  }
  // Stable sort by key keeps matchLabels before expressions on the same key.
  parts.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return parts.map((p) => p.text).join(',');
}

/** metav1.FormatLabelSelector: `<none>` for empty or absent, `<error>` for invalid. */
export function formatLabelSelector(selector: unknown): string {
  if (selector === undefined || selector === null) return '<none>';
  const text = selectorString(selector);
  if (text === undefined) return '<error>';
  return text === '' ? '<none>' : text;
}

/** An int-or-string value as Kubernetes prints it (`1`, `25%`). */
export function intOrString(value: unknown): string {
  if (typeof value === 'number') return String(Math.trunc(value));
  return str(value);
}

/** `a,b,c + 2 more...` for lists truncated after `max` items; `<unset>` when empty. */
export function listWithMore(list: string[], total: number, max: number): string {
  const shown = list.slice(0, max).join(',');
  if (total > max) return `${shown} + ${total - max} more...`;
  return shown === '' ? '<unset>' : shown;
}

/** Creation timestamp in RFC 3339 (UTC), the `Created At` cell of the generic table. */
export function createdAt(o: KubeObject): string {
  const ts = o.metadata.creationTimestamp;
  if (!ts) return '';
  const date = new Date(ts);
  return Number.isNaN(date.getTime()) ? ts : date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
