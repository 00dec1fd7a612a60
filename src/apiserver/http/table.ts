// Server-side printing: objects and lists as meta.k8s.io Tables for `kubectl get`.

import type { KubeObject } from '../../api/meta.js';
import type { ColumnDefinition, TablePrinter } from '../registry/strategy.js';
import { timeSince } from '../printers/age.js';

const DEFAULT_COLUMNS: ColumnDefinition[] = [
  { name: 'Name', type: 'string', format: 'name', description: 'The name of the object, unique within its namespace.', priority: 0 },
  { name: 'Age', type: 'string', format: '', description: 'Time since the object was created.', priority: 0 },
];

const DEFAULT_PRINTER: TablePrinter = {
  columns: DEFAULT_COLUMNS,
  cells: (obj, now) => [obj.metadata.name ?? '', timeSince(obj.metadata.creationTimestamp, now)],
};

export type IncludeObject = 'None' | 'Metadata' | 'Object';

function rowObject(obj: KubeObject, include: IncludeObject, tableVersion: string): unknown {
  if (include === 'None') return undefined;
  if (include === 'Object') return obj;
  const { managedFields: _skip, ...metadata } = obj.metadata;
  return { kind: 'PartialObjectMetadata', apiVersion: `meta.k8s.io/${tableVersion}`, metadata };
}

export interface TableOptions {
  printer?: TablePrinter;
  includeObject: IncludeObject;
  tableVersion: string;
  now: Date;
  /** Column definitions are sent once per watch stream. */
  withColumns?: boolean;
  resourceVersion?: string;
  continueToken?: string;
  remainingItemCount?: number;
}

export function toTable(items: KubeObject[], options: TableOptions): Record<string, unknown> {
  const printer = options.printer ?? DEFAULT_PRINTER;
  const rows = items.map((obj) => {
    let cells: unknown[];
    try {
      cells = printer.cells(obj, options.now);
    } catch {
      cells = DEFAULT_PRINTER.cells(obj, options.now).concat(new Array(Math.max(0, printer.columns.length - 2)).fill('<error>'));
    }
    const row: Record<string, unknown> = { cells };
    const object = rowObject(obj, options.includeObject, options.tableVersion);
    if (object !== undefined) row.object = object;
    return row;
  });
  const metadata: Record<string, unknown> = {};
  if (options.resourceVersion) metadata.resourceVersion = options.resourceVersion;
  if (options.continueToken) metadata.continue = options.continueToken;
  if (options.remainingItemCount !== undefined) metadata.remainingItemCount = options.remainingItemCount;
  const table: Record<string, unknown> = { kind: 'Table', apiVersion: `meta.k8s.io/${options.tableVersion}`, metadata };
  table.columnDefinitions = options.withColumns === false ? [] : printer.columns;
  table.rows = rows;
  return table;
}
