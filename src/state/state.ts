/**
 * The state folder's cache: file digests, what each job folder held when last looked at, and each
 * build's package result, kept in an SQLite database (state/db.ts) so that a run reads and writes
 * only what it touches. It can be deleted at any time: everything in it is rebuilt from the builds and
 * the tree. The retention clock is a small file of its own (retention.json).
 */
import { existsSync, rmSync } from "node:fs";
import { readFile, mkdir } from "node:fs/promises";
import path from "node:path";
import { writeFileAtomic } from "../archive/stream.js";
import type { HashCache } from "../builds/scan.js";
import { DB_FILE, isDamage, openDb, removeDb, type Db } from "./db.js";

/** The retention clock's file in the state folder. */
const RETENTION = "retention.json";
/** The state of versions before the database: read for nothing but the retention clock, then removed. */
const LEGACY = "state.json";

export interface CachedPackage {
  family: "debian" | "freebsd";
  name: string;
  upstream: string;
  version: string;
  arch: string;
  /** SHA-256 of the main binary (for trees: of the package built with the upstream version). */
  mainSha256: string;
  /** Relative to the output root, e.g. apt/pool/main/h/hello/hello_1.0_amd64.deb */
  pool: string;
  size: number;
  sha256: string;
  /**
   * The package's index entry, ready to use: Debian, its Packages paragraph (with Filename, Size and
   * SHA256); FreeBSD, its compact manifest as JSON.
   */
  entry: string;
  /** Debian section, for Contents. */
  section?: string;
  /** The files it installs, without leading "/", one per line (for Contents). */
  files: string;
  /** Its configuration files (absolute paths), for the web pages. */
  conffiles?: string[];
  /** Its changelog as published (relative to the output root), for `apt-get changelog`. */
  changelog?: string;
}

type Hash = [size: number, mtimeMs: number, ino: number, sha256: string];

interface Statements {
  hash: import("better-sqlite3").Statement<[string], { size: number; mtime: number; ino: number; sha256: string }>;
  job: import("better-sqlite3").Statement<[string], { key: string; record: string }>;
  pkg: import("better-sqlite3").Statement<[string], { key: string; meta: string; entry: string; files: string }>;
  meta: import("better-sqlite3").Statement<[string], { v: string }>;
}

export class State implements HashCache {
  private db: Db | null = null;
  private st: Statements | null = null;
  /** Written in one transaction by saveCaches. */
  private pendingHashes = new Map<string, Hash>();
  private pendingJobs = new Map<string, [string, string]>();
  private pendingPackages = new Map<string, [string, CachedPackage]>();
  private pendingMeta = new Map<string, string>();
  /** Build folders and job folders that are gone: their rows are deleted by saveCaches. */
  private gone = new Set<string>();
  private goneJobs = new Set<string>();
  private droppedData: Record<string, number> = {};
  private loadedDropped = "{}";
  /** Whether the database was made anew by this run (missing, damaged or of an older version). */
  rebuilt = false;
  /**
   * A resident process's memory of decoded rows (package results, job records by their text): a run
   * over thousands of unchanged builds then decodes none of them again. Off for one-shot runs, which
   * read each row once.
   */
  private readonly memo: { packages: Map<string, [string, CachedPackage]>; records: Map<string, unknown> } | null;

  constructor(
    readonly dir: string,
    opts: { resident?: boolean } = {},
  ) {
    this.memo = opts.resident ? { packages: new Map(), records: new Map() } : null;
  }

  /** A decoded job record remembered by its text (resident processes only; see memo). */
  decodedRecord<T>(text: string, decode: () => T): T {
    if (!this.memo) return decode();
    if (this.memo.records.has(text)) return this.memo.records.get(text) as T;
    const v = decode();
    // Texts of job folders that changed since stay behind: bounded by starting over now and then.
    if (this.memo.records.size > 200_000) this.memo.records.clear();
    this.memo.records.set(text, v);
    return v;
  }

  get file(): string {
    return path.join(this.dir, DB_FILE);
  }

  async load(): Promise<void> {
    let legacyDropped: Record<string, number> | undefined;
    if (existsSync(path.join(this.dir, LEGACY))) {
      try {
        const d = JSON.parse(await readFile(path.join(this.dir, LEGACY), "utf8")) as { dropped?: Record<string, number> };
        if (d.dropped && typeof d.dropped === "object") legacyDropped = d.dropped;
      } catch {
        // a damaged old state holds nothing worth keeping
      }
    }
    try {
      const r = JSON.parse(await readFile(path.join(this.dir, RETENTION), "utf8")) as { dropped?: Record<string, number> };
      if (r.dropped && typeof r.dropped === "object") this.droppedData = r.dropped;
    } catch {
      if (legacyDropped) this.droppedData = legacyDropped;
    }
    this.loadedDropped = JSON.stringify(this.droppedData);
  }

  /** The database, opened on first use (the state folder is created then). */
  private open(create = false): Statements | null {
    if (this.st) return this.st;
    // Nothing cached yet: the file is made when there is something to save (a dry run makes none).
    if (!create && !existsSync(this.file)) return null;
    const { db, rebuilt } = openDb(this.file);
    this.rebuilt ||= rebuilt;
    this.attach(db);
    return this.st;
  }

  private attach(db: Db): void {
    this.db = db;
    this.st = {
      hash: db.prepare("select size, mtime, ino, sha256 from hashes where path = ?"),
      job: db.prepare("select key, record from jobs where dir = ?"),
      pkg: db.prepare("select key, meta, entry, files from packages where id = ?"),
      meta: db.prepare("select v from meta where k = ?"),
    };
  }

  /**
   * A read that failed because the file is damaged: the database is made anew (empty) and the read
   * counts as a miss. What this run has learnt is still written by saveCaches.
   */
  private damaged(): void {
    this.jobRows = null;
    this.db?.close();
    this.db = null;
    this.st = null;
    removeDb(this.file);
    this.rebuilt = true;
    // Rows written before were in the old file: what was learnt by earlier reads of this run stays
    // pending, the rest is rebuilt by later runs.
    this.attach(openDb(this.file).db);
  }

  private read<T>(f: (st: Statements) => T | undefined): T | undefined {
    try {
      const st = this.open();
      return st ? f(st) : undefined;
    } catch (e) {
      if (!isDamage(e)) throw e;
      this.damaged();
      return undefined;
    }
  }

  // ---------------------------------------------------------------- file digests (HashCache)

  get(file: string, size: number, mtimeMs: number, ino: number): string | undefined {
    const p = this.pendingHashes.get(file);
    if (p) return p[0] === size && p[1] === mtimeMs && p[2] === ino ? p[3] : undefined;
    const r = this.read((st) => st.hash.get(file));
    return r && r.size === size && r.mtime === mtimeMs && r.ino === ino ? r.sha256 : undefined;
  }

  set(file: string, size: number, mtimeMs: number, ino: number, sha256: string): void {
    this.pendingHashes.set(file, [size, mtimeMs, ino, sha256]);
  }

  /** Small texts by name and stat key (the builds folder's listing). */
  text(name: string, key: string): string | undefined {
    const v = this.pendingMeta.get(`text:${name}`) ?? this.read((st) => st.meta.get(`text:${name}`)?.v);
    if (v === undefined) return undefined;
    const [k, t] = JSON.parse(v) as [string, string];
    return k === key ? t : undefined;
  }

  setText(name: string, key: string, text: string): void {
    this.pendingMeta.set(`text:${name}`, JSON.stringify([key, text]));
  }

  // ---------------------------------------------------------------- job folders

  /** Rows of the jobs table read in one pass (prefetchJobs), by folder. */
  private jobRows: Map<string, { key: string; record: string }> | null = null;
  /** The builds folder jobRows was read for. */
  private jobRowsOf = "";

  /**
   * Reads every job record under a builds folder in one pass: a scan asks for each of them, and one
   * range read costs less than thousands of lookups.
   */
  prefetchJobs(buildsDir: string): void {
    // A resident process keeps the rows it read up to date with what it writes (it holds the lock:
    // nobody else writes them), so it reads them once.
    if (this.memo && this.jobRows && this.jobRowsOf === buildsDir) return;
    this.jobRowsOf = buildsDir;
    const lo = buildsDir + path.sep;
    const hi = buildsDir + String.fromCharCode(path.sep.charCodeAt(0) + 1);
    const rows = this.read(() => this.db!.prepare("select dir, key, record from jobs where dir >= ? and dir < ?").all(lo, hi) as Array<{ dir: string; key: string; record: string }>);
    this.jobRows = new Map((rows ?? []).map((r) => [r.dir, r]));
  }

  /** What the scan found in a job folder when its stat key was `key` (an opaque text of the scan's). */
  jobRecord(dir: string, key: string): string | undefined {
    const p = this.pendingJobs.get(dir);
    if (p) return p[0] === key ? p[1] : undefined;
    const r = this.jobRows?.get(dir) ?? this.read((st) => st.job.get(dir));
    return r && r.key === key ? r.record : undefined;
  }

  /** The record of a job folder last written, whatever its key (to learn which builds left it). */
  previousJobRecord(dir: string): string | undefined {
    return this.pendingJobs.get(dir)?.[1] ?? (this.jobRows?.get(dir) ?? this.read((st) => st.job.get(dir)))?.record;
  }

  setJobRecord(dir: string, key: string, record: string): void {
    this.pendingJobs.set(dir, [key, record]);
  }

  /** The job folders recorded under a builds folder (to learn which are gone). */
  recordedJobs(buildsDir: string): string[] {
    const lo = buildsDir + path.sep;
    const hi = buildsDir + String.fromCharCode(path.sep.charCodeAt(0) + 1);
    const all = this.read(() => this.db!.prepare("select dir from jobs where dir >= ? and dir < ?").pluck().all(lo, hi) as string[]) ?? [];
    return all.filter((d) => !d.slice(lo.length).includes(path.sep));
  }

  /** A job folder that is gone: its record, digests and packages go. */
  forgetJob(dir: string): void {
    this.goneJobs.add(dir);
    if (this.memo) for (const id of this.memo.packages.keys()) if (id.startsWith(dir + path.sep)) this.memo.packages.delete(id);
  }

  /** A build folder that is gone: its digests and package result go. */
  forgetBuild(dir: string): void {
    this.gone.add(dir);
    this.memo?.packages.delete(dir);
  }

  // ---------------------------------------------------------------- package results

  /**
   * The package result of a build (`id`, its folder) when it was made under cache key `key`. Valid
   * whether or not its pool file is still there: the pipeline checks that for what it publishes.
   */
  getPackage(id: string, key: string): CachedPackage | undefined {
    const p = this.pendingPackages.get(id) ?? this.memo?.packages.get(id);
    if (p) return p[0] === key ? p[1] : undefined;
    const r = this.read((st) => st.pkg.get(id));
    if (!r || r.key !== key) return undefined;
    const pkg = { ...(JSON.parse(r.meta) as Omit<CachedPackage, "entry" | "files">), entry: r.entry, files: r.files };
    this.memo?.packages.set(id, [key, pkg]);
    return pkg;
  }

  setPackage(id: string, key: string, p: CachedPackage): void {
    this.pendingPackages.set(id, [key, p]);
    this.memo?.packages.set(id, [key, p]);
  }

  // ---------------------------------------------------------------- retention clock

  get dropped(): Record<string, number> {
    return this.droppedData;
  }

  /** Writes the retention clock (which files were first found unreferenced when), after retention has run. */
  async saveRetention(): Promise<void> {
    const dropped = JSON.stringify(this.droppedData);
    if (dropped === this.loadedDropped && existsSync(path.join(this.dir, RETENTION))) return;
    await mkdir(this.dir, { recursive: true });
    await writeFileAtomic(path.join(this.dir, RETENTION), async (ws) => {
      ws.write(`{"dropped":${dropped}}\n`);
    });
  }

  /** Whether saveCaches has anything to write. */
  get dirty(): boolean {
    return this.pendingHashes.size + this.pendingJobs.size + this.pendingPackages.size + this.pendingMeta.size + this.gone.size + this.goneJobs.size > 0;
  }

  /**
   * Writes what this run learnt, in one transaction: a run killed meanwhile leaves the database as
   * it was before (SQLite rolls the transaction back on the next open).
   */
  async saveCaches(): Promise<void> {
    const legacy = path.join(this.dir, LEGACY);
    if (!this.dirty) {
      if (existsSync(legacy) && this.db) rmSync(legacy, { force: true });
      return;
    }
    await mkdir(this.dir, { recursive: true });
    try {
      this.write();
    } catch (e) {
      if (!isDamage(e)) throw e;
      this.damaged();
      this.write();
    }
    // The database holds everything now: the old state file goes (its retention clock has moved).
    rmSync(legacy, { force: true });
  }

  private write(): void {
    this.open(true);
    const db = this.db!;
    const range = (col: string, table: string) => db.prepare(`delete from ${table} where ${col} >= ? and ${col} < ?`);
    const delHashes = range("path", "hashes");
    const delPackages = range("id", "packages");
    const delPackage = db.prepare("delete from packages where id = ?");
    const delJob = db.prepare("delete from jobs where dir = ?");
    const putHash = db.prepare("insert or replace into hashes (path, size, mtime, ino, sha256) values (?, ?, ?, ?, ?)");
    const putJob = db.prepare("insert or replace into jobs (dir, key, record) values (?, ?, ?)");
    const putPkg = db.prepare("insert or replace into packages (id, key, meta, entry, files) values (?, ?, ?, ?, ?)");
    const putMeta = db.prepare("insert or replace into meta (k, v) values (?, ?)");
    const under = (dir: string): [string, string] => [dir + path.sep, dir + String.fromCharCode(path.sep.charCodeAt(0) + 1)];
    db.transaction(() => {
      for (const d of this.goneJobs) {
        delJob.run(d);
        delHashes.run(...under(d));
        delPackages.run(...under(d));
      }
      for (const d of this.gone) {
        delHashes.run(...under(d));
        delPackage.run(d);
      }
      for (const [f, h] of this.pendingHashes) putHash.run(f, h[0], h[1], h[2], h[3]);
      for (const [d, [k, r]] of this.pendingJobs) putJob.run(d, k, r);
      for (const [id, [k, p]] of this.pendingPackages) {
        const { entry, files, ...meta } = p;
        putPkg.run(id, k, JSON.stringify(meta), entry, files);
      }
      for (const [k, v] of this.pendingMeta) putMeta.run(k, v);
    })();
    const written = [...this.pendingJobs];
    this.pendingHashes.clear();
    this.pendingJobs.clear();
    this.pendingPackages.clear();
    this.pendingMeta.clear();
    if (this.memo && this.jobRows) {
      for (const [d, [k, r]] of written) this.jobRows.set(d, { key: k, record: r });
      for (const d of this.goneJobs) this.jobRows.delete(d);
    } else this.jobRows = null;
    this.gone.clear();
    this.goneJobs.clear();
  }

  /** Closes the database (the state can be used again; it reopens on the next read). */
  close(): void {
    this.db?.close();
    this.db = null;
    this.st = null;
  }
}
