// The SQLite log layout and its prepared statements (prepared once per open store).
//
// kv_log is append-only, as in k3s's kine: every create, update and delete appends one row and the
// row id is the store revision. A row points at the key's previous row (prev_revision), whose value
// a watch event rebuilt from the log carries as the old value (old_value is filled only in rows of
// older data dirs; storing every value twice cost a third of the write path's I/O).
// UNIQUE(name, prev_revision) makes compare-and-swap safe even
// against another writer: two rows claiming to follow the same revision of a key cannot both exist.
// The compaction point is one row in `meta`.

import type BetterSqlite3 from 'better-sqlite3';

type Database = BetterSqlite3.Database;
type Statement = BetterSqlite3.Statement;

export const SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS kv_log (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL,
  created INTEGER NOT NULL,
  deleted INTEGER NOT NULL,
  create_revision INTEGER NOT NULL,
  prev_revision INTEGER NOT NULL,
  value BLOB,
  old_value BLOB,
  UNIQUE (name, prev_revision)
);
CREATE INDEX IF NOT EXISTS kv_log_name_id ON kv_log (name, id, deleted);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
`;

/** A row as stored; `value` is null for tombstones, `old_value` null for creates. */
export interface LogRow {
  id: number;
  name: string;
  created: number;
  deleted: number;
  create_revision: number;
  prev_revision: number;
  value: Buffer | null;
  old_value: Buffer | null;
}

/** Binds for every ranged query: [lo, hi] plus whatever the statement adds. */
export interface RangeStatements {
  /** Visible rows (latest per name at @rev, not deleted), name order, at most @limit (-1 = all). */
  list: Statement;
  /** How many visible names the same range holds at @rev. */
  count: Statement;
}

export interface LogStatements {
  latest: Statement;
  latestAt: Statement;
  insert: Statement;
  /** Range statements for a prefix (lower bound inclusive) or a continuation (exclusive). */
  fromPrefix: RangeStatements;
  afterKey: RangeStatements;
  events: Statement;
  sequence: Statement;
  getMeta: Statement;
  setMeta: Statement;
  compactBatch: Statement;
  minId: Statement;
}

const ROW_COLUMNS = 'id, name, created, deleted, create_revision, prev_revision, value, old_value';

function rangeStatements(db: Database, lowerOp: '>=' | '>'): RangeStatements {
  // A row is visible at @rev when it is not a tombstone and no newer row of its name exists at or below @rev.
  const list = db.prepare(`
    SELECT a.id, a.name, a.create_revision, a.value FROM kv_log a
    WHERE a.name ${lowerOp} @lo AND a.name < @hi AND a.id <= @rev AND a.deleted = 0
      AND NOT EXISTS (SELECT 1 FROM kv_log b WHERE b.name = a.name AND b.id > a.id AND b.id <= @rev)
    ORDER BY a.name LIMIT @limit`);
  const count = db.prepare(`
    SELECT COUNT(*) AS n FROM (
      SELECT MAX(id) AS id, deleted FROM kv_log
      WHERE name ${lowerOp} @lo AND name < @hi AND id <= @rev GROUP BY name)
    WHERE deleted = 0`);
  return { list, count };
}

export function prepareLogStatements(db: Database): LogStatements {
  return {
    latest: db.prepare(`SELECT ${ROW_COLUMNS} FROM kv_log WHERE name = ? ORDER BY id DESC LIMIT 1`),
    latestAt: db.prepare(`SELECT ${ROW_COLUMNS} FROM kv_log WHERE name = ? AND id <= ? ORDER BY id DESC LIMIT 1`),
    insert: db.prepare(
      'INSERT INTO kv_log (id, name, created, deleted, create_revision, prev_revision, value) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ),
    fromPrefix: rangeStatements(db, '>='),
    afterKey: rangeStatements(db, '>'),
    // Rows written before old_value was dropped carry it; newer ones point at the previous row.
    events: db.prepare(`
      SELECT a.id, a.name, a.created, a.deleted, a.create_revision, a.prev_revision, a.value,
        CASE WHEN a.created THEN NULL ELSE COALESCE(a.old_value, (SELECT p.value FROM kv_log p WHERE p.id = a.prev_revision)) END AS old_value
      FROM kv_log a
      WHERE a.id > @after AND a.id <= @upTo AND a.name >= @lo AND a.name < @hi ORDER BY a.id LIMIT @limit`),
    sequence: db.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'kv_log'"),
    getMeta: db.prepare('SELECT value FROM meta WHERE key = ?'),
    setMeta: db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value'),
    // Within ids [@from, @to]: drop tombstones, and rows superseded by a newer row of the same
    // name at or below the compaction point @compact. What stays is exactly the state at @compact.
    compactBatch: db.prepare(`
      DELETE FROM kv_log WHERE id >= @from AND id <= @to AND (
        deleted = 1 OR EXISTS (SELECT 1 FROM kv_log newer WHERE newer.name = kv_log.name AND newer.id > kv_log.id AND newer.id <= @compact))`),
    minId: db.prepare('SELECT MIN(id) AS id FROM kv_log'),
  };
}

/** An upper bound above every TEXT value: SQLite orders all TEXT before any BLOB. */
export const ABOVE_ALL_TEXT = Buffer.from([0xff]);
