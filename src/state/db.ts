/**
 * The state database: one SQLite file in the state folder. Opening it never fails a run: a file that
 * is missing, damaged, truncated or of another schema version is deleted and made anew, since
 * everything in it can be rebuilt from the builds and the tree.
 */
import { rmSync } from "node:fs";
import { createRequire } from "node:module";
import type BetterSqlite3 from "better-sqlite3";

/** Bumped whenever a table changes: an older file is then rebuilt, not read. */
export const SCHEMA_VERSION = 3;
export const DB_FILE = "state.sqlite";

const SCHEMA = `
create table if not exists meta (k text primary key, v text not null) without rowid;
create table if not exists hashes (path text primary key, size integer not null, mtime real not null, ino integer not null, sha256 text not null) without rowid;
create table if not exists jobs (dir text primary key, key text not null, record text not null) without rowid;
create table if not exists packages (id text primary key, key text not null, meta text not null, entry text not null, files text not null) without rowid;
`;

export type Db = BetterSqlite3.Database;

// Loaded on first use: a run that never opens the state (dry runs of other commands) does not pay for it.
let ctor: typeof BetterSqlite3 | undefined;
function sqlite(): typeof BetterSqlite3 {
  ctor ??= createRequire(import.meta.url)("better-sqlite3") as typeof BetterSqlite3;
  return ctor;
}

export function removeDb(file: string): void {
  for (const f of [file, `${file}-journal`, `${file}-wal`, `${file}-shm`]) rmSync(f, { force: true });
}

function tryOpen(file: string): Db {
  const db = new (sqlite())(file);
  try {
    // A rollback journal: a run killed in the middle of a write leaves a hot journal, and the next
    // open rolls the half-written transaction back. No fsync: a killed process loses nothing the
    // kernel has, and what a power cut could leave damaged is a cache, found damaged and made anew
    // (the records it holds are each checked against the tree before they are trusted). The two
    // fsyncs of each commit were 5-50 ms of every run on a shared disk.
    db.pragma("journal_mode = DELETE");
    db.pragma("synchronous = OFF");
    const v = db.pragma("user_version", { simple: true }) as number;
    if (v !== 0 && v !== SCHEMA_VERSION) throw new Error(`state schema ${v}`);
    db.exec(SCHEMA);
    // Every table is touched once, so that a file cut short fails here rather than mid-run.
    for (const t of ["meta", "hashes", "jobs", "packages"]) db.prepare(`select count(*) from (select 1 from ${t} limit 1)`).get();
    if (v === 0) db.pragma(`user_version = ${SCHEMA_VERSION}`);
    return db;
  } catch (e) {
    db.close();
    throw e;
  }
}

/** Opens the state database, making it anew when the file cannot be used as it is. */
export function openDb(file: string): { db: Db; rebuilt: boolean } {
  try {
    return { db: tryOpen(file), rebuilt: false };
  } catch {
    removeDb(file);
    return { db: tryOpen(file), rebuilt: true };
  }
}

/** Whether an error is SQLite saying the file is damaged (and so should be rebuilt). */
export function isDamage(e: unknown): boolean {
  const code = (e as { code?: unknown }).code;
  return typeof code === "string" && /^SQLITE_(CORRUPT|NOTADB|IOERR|FORMAT|CANTOPEN)/.test(code);
}
