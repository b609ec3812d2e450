/**
 * The published tree as a local folder. Every file goes to a temporary name and is renamed into
 * place, and only when its bytes differ, so an unchanged file keeps its mtime and a mirror never sees
 * half a file. Nothing is ever written, read or removed through a symbolic link below the root: each
 * folder on the way is checked with lstat (and made by us when missing), and files are opened with
 * O_NOFOLLOW, so a link planted in the tree (a pool letter, dists/SUITE, a by-hash folder, a file)
 * is refused with the path it was found at instead of being written through.
 */
import { createHash } from "node:crypto";
import { closeSync, constants, fstatSync, linkSync, lstatSync, mkdirSync, openSync, readdirSync, readFileSync, readlinkSync, renameSync, symlinkSync, utimesSync, writeFileSync, type Stats } from "node:fs";
import { copyFile, open, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { UnsafePathError } from "../../errors.js";
import { MARKER, TEMP_FILE } from "../retention.js";
import { afterWrite, cleanRel, isManaged, PublishError, type Changes, type PutOptions, type Storage } from "./storage.js";

/** Files up to this size are read and written with synchronous calls (see readNoFollowSync). */
const SMALL_PUT = 1 << 20;

function tmpName(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.tmp-${process.pid}-${Math.random().toString(36).slice(2, 8)}`);
}

function lstatOrNull(p: string): Stats | null {
  return lstatSync(p, { throwIfNoEntry: false }) ?? null;
}

/** An open that failed: null when there is no file, a refusal for a link in its place, else the error. */
function missingOrRefused(e: unknown, abs: string): null {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === "ELOOP") refuseLink(abs);
  if (code === "ENOENT") return null;
  throw e;
}

function refuseLink(abs: string): never {
  throw new UnsafePathError("is a symbolic link inside the output tree; repogen never writes through one", abs);
}

/** Files below rel (relative paths), symbolic links left out. Synchronous: a walk is metadata only. */
export function walkFiles(root: string, rel: string): string[] {
  const out: string[] = [];
  if (!lstatOrNull(path.join(root, rel))?.isDirectory()) return out;
  const walk = (r: string) => {
    let ents;
    try {
      ents = readdirSync(path.join(root, r), { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of ents) {
      const sub = `${r}/${e.name}`;
      if (e.isDirectory()) walk(sub);
      else if (e.isFile()) out.push(sub);
    }
  };
  walk(rel);
  return out;
}

export class FolderStorage implements Storage {
  readonly changes: Changes = { added: [], updated: [], removed: [], unchanged: 0 };
  /** One at a time: links into one folder go faster in a row (see placePool). */
  readonly poolConcurrency = 1;
  readonly continuous = true;
  beforeFirstWrite?: () => void;
  /** Folders (relative) already checked to be real folders of the tree. */
  private readonly safeDirs = new Set<string>([""]);
  private rootMade = false;

  constructor(
    readonly root: string,
    readonly dryRun: boolean,
  ) {}

  get describe(): string {
    return this.root;
  }

  async open(): Promise<void> {}

  private writing(): void {
    const f = this.beforeFirstWrite;
    this.beforeFirstWrite = undefined;
    f?.();
  }

  async checkpoint(): Promise<void> {}
  async commit(): Promise<void> {}
  async close(): Promise<void> {}
  requests(): undefined {
    return undefined;
  }

  abs(rel: string): string {
    return path.join(this.root, cleanRel(rel));
  }

  /**
   * Makes sure every folder from the root down to relDir is a real folder, making the missing ones
   * when `create`. Returns false when one is missing and not made.
   */
  private dirs(relDir: string, create: boolean): boolean {
    // The root itself is the operator's choice and may be a link; below it nothing may be.
    if (create && !this.rootMade) {
      mkdirSync(this.root, { recursive: true });
      this.rootMade = true;
    }
    if (this.safeDirs.has(relDir)) return true;
    const parts = relDir.split("/");
    let cur = "";
    for (const part of parts) {
      cur = cur ? `${cur}/${part}` : part;
      if (this.safeDirs.has(cur)) continue;
      const abs = path.join(this.root, cur);
      if (create) {
        // A folder this call makes is a real folder (mkdir never follows a link at the last name, and
        // the ones above are checked): only one that was there already needs an lstat. A pool of
        // 100 000 packages makes 100 000 folders.
        try {
          mkdirSync(abs);
          this.safeDirs.add(cur);
          continue;
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
        }
      }
      const st = lstatOrNull(abs);
      if (!st) return false;
      if (st.isSymbolicLink()) refuseLink(abs);
      if (!st?.isDirectory()) throw new PublishError("is not a folder", abs);
      this.safeDirs.add(cur);
    }
    return true;
  }

  private parent(rel: string, create: boolean): boolean {
    const d = path.posix.dirname(cleanRel(rel));
    return this.dirs(d === "." ? "" : d, create);
  }

  /**
   * readNoFollow without the thread pool, for small files: a web page or a small index costs a dozen
   * metadata calls, and each round trip through libuv's threads is worth ten synchronous ones; with
   * thousands of pages the round trips were most of a run.
   */
  private readNoFollowSync(rel: string): Buffer | null {
    if (!this.parent(rel, false)) return null;
    const abs = this.abs(rel);
    let fd: number;
    try {
      fd = openSync(abs, constants.O_RDONLY | constants.O_NOFOLLOW);
    } catch (e) {
      return missingOrRefused(e, abs);
    }
    try {
      if (!fstatSync(fd).isFile()) throw new PublishError("is not a regular file", abs);
      return readFileSync(fd);
    } finally {
      closeSync(fd);
    }
  }

  /** The file's bytes, or null when there is none; refuses a link in its place. */
  private async readNoFollow(rel: string): Promise<Buffer | null> {
    if (!this.parent(rel, false)) return null;
    const abs = this.abs(rel);
    let fh;
    try {
      fh = await open(abs, constants.O_RDONLY | constants.O_NOFOLLOW);
    } catch (e) {
      return missingOrRefused(e, abs);
    }
    try {
      if (!(await fh.stat()).isFile()) throw new PublishError("is not a regular file", abs);
      return await fh.readFile();
    } finally {
      await fh.close();
    }
  }

  async read(rel: string): Promise<Buffer | null> {
    return this.readNoFollow(rel);
  }

  async size(rel: string): Promise<number | null> {
    if (!this.parent(rel, false)) return null;
    const st = lstatOrNull(this.abs(rel));
    return st?.isFile() ? st.size : null;
  }

  async version(rel: string): Promise<string | null> {
    if (!this.parent(rel, false)) return null;
    const st = lstatOrNull(this.abs(rel));
    return st?.isFile() ? `${st.size}:${st.mtimeMs}:${st.ino}` : null;
  }

  async put(rel: string, data: Buffer | string, opts: PutOptions = {}): Promise<boolean> {
    const buf = typeof data === "string" ? Buffer.from(data, "utf8") : data;
    const small = buf.length <= SMALL_PUT;
    const old = small ? this.readNoFollowSync(rel) : await this.readNoFollow(rel);
    if (old && old.equals(buf)) {
      if (!opts.uncounted) this.changes.unchanged++;
      return false;
    }
    if (!opts.uncounted) (old ? this.changes.updated : this.changes.added).push(rel);
    if (this.dryRun) return true;
    this.writing();
    this.parent(rel, true);
    const file = this.abs(rel);
    const tmp = tmpName(file);
    // "wx": a fresh file, never an existing name (nor a link planted at the temporary name).
    if (small) writeFileSync(tmp, buf, { flag: "wx" });
    else await writeFile(tmp, buf, { flag: "wx" });
    // A replaced file gets a later second than the one it replaces: web servers send Last-Modified in
    // whole seconds, and a client that fetched the old bytes in the same second would otherwise get
    // 304 Not Modified for the new ones (apt keeps its old lists then, pkg its old catalogue).
    const oldSec = old ? Math.floor((lstatOrNull(file)?.mtimeMs ?? 0) / 1000) : -Infinity;
    const when = opts.mtime ?? new Date();
    if (Math.floor(when.getTime() / 1000) <= oldSec) {
      const later = new Date((oldSec + 1) * 1000);
      utimesSync(tmp, later, later);
    } else if (opts.mtime) utimesSync(tmp, opts.mtime, opts.mtime);
    // rename replaces the name itself, never what a link there would point to.
    renameSync(tmp, file);
    afterWrite();
    return true;
  }

  async putMany(files: Array<{ path: string; data: Buffer | string; mtime?: Date }>): Promise<boolean[]> {
    const out: boolean[] = [];
    for (const f of files) out.push(await this.put(f.path, f.data, { mtime: f.mtime }));
    return out;
  }

  async placePool(rel: string, source: string, sha256: string, opts: { move?: boolean } = {}): Promise<boolean> {
    const exists = this.parent(rel, false);
    const file = this.abs(rel);
    // Metadata calls are synchronous on purpose: thousands of links and renames into one pool go
    // several times faster in a row than spread over libuv's threads, which contend for the folder.
    const st = exists ? lstatOrNull(file) : null;
    if (st?.isSymbolicLink()) refuseLink(file);
    if (st) {
      const have = await this.sha256File(file);
      if (have !== sha256) throw new PublishError(`already published with different content (sha256 ${have}); a pool file is never replaced`, rel);
      this.changes.unchanged++;
      if (opts.move) await rm(source, { force: true });
      return false;
    }
    this.changes.added.push(rel);
    if (this.dryRun) return true;
    this.writing();
    this.parent(rel, true);
    // A link or a rename puts the whole file under its name at once; no temporary name is needed.
    // (rename would replace a file, but the lstat above and the run's lock say there is none.)
    try {
      if (opts.move) renameSync(source, file);
      else linkSync(source, file);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== "EXDEV" && code !== "EPERM" && code !== "EMLINK") throw e;
      // Another file system, or hard links not allowed: a copy, under a temporary name until whole.
      const tmp = tmpName(file);
      await copyFile(source, tmp, constants.COPYFILE_EXCL);
      await rename(tmp, file);
      if (opts.move) await rm(source, { force: true });
    }
    afterWrite();
    return true;
  }

  private async sha256File(abs: string): Promise<string> {
    const h = createHash("sha256");
    const fh = await open(abs, constants.O_RDONLY | constants.O_NOFOLLOW);
    try {
      for await (const c of fh.createReadStream({ highWaterMark: 1 << 20, autoClose: false })) h.update(c as Buffer);
    } finally {
      await fh.close();
    }
    return h.digest("hex");
  }

  async alias(link: string, target: string): Promise<void> {
    const value = path.posix.relative(path.posix.dirname(cleanRel(link)), cleanRel(target));
    const abs = this.abs(link);
    const st = this.parent(link, false) ? lstatOrNull(abs) : null;
    if (st?.isSymbolicLink() && readlinkSync(abs) === value) {
      this.changes.unchanged++;
      return;
    }
    if (st && !st.isSymbolicLink()) throw new PublishError(`is a real ${st.isDirectory() ? "folder" : "file"}; it cannot become an alias of ${target}`, abs);
    (st ? this.changes.updated : this.changes.added).push(link);
    if (this.dryRun) return;
    this.writing();
    this.parent(link, true);
    const tmp = tmpName(abs);
    symlinkSync(value, tmp);
    renameSync(tmp, abs);
    afterWrite();
  }

  async aliases(dir: string): Promise<Array<{ link: string; target: string }>> {
    const out: Array<{ link: string; target: string }> = [];
    if (!this.dirs(cleanRel(dir), false)) return out;
    let ents;
    try {
      ents = readdirSync(this.abs(dir), { withFileTypes: true });
    } catch {
      return out;
    }
    const root = path.resolve(this.root);
    for (const e of ents) {
      if (!e.isSymbolicLink()) continue;
      const link = `${dir}/${e.name}`;
      const target = path.relative(root, path.resolve(path.dirname(this.abs(link)), readlinkSync(this.abs(link))));
      if (!target.startsWith("..") && !path.isAbsolute(target)) out.push({ link, target: target.split(path.sep).join("/") });
    }
    return out.sort((a, b) => (a.link < b.link ? -1 : 1));
  }

  async unalias(link: string): Promise<void> {
    const abs = this.abs(link);
    if (!this.parent(link, false) || !lstatOrNull(abs)?.isSymbolicLink()) return;
    this.changes.removed.push(link);
    if (this.dryRun) return;
    this.writing();
    await rm(abs);
    afterWrite();
  }

  async discard(rel: string): Promise<void> {
    if (this.dryRun || !this.parent(rel, false) || !lstatOrNull(this.abs(rel))) return;
    this.writing();
    await rm(this.abs(rel), { force: true });
  }

  async remove(rel: string): Promise<void> {
    this.changes.removed.push(rel);
    if (this.dryRun || !this.parent(rel, false)) return;
    this.writing();
    // rm of a link removes the link itself; the folders on the way were checked above.
    await rm(this.abs(rel), { force: true });
    afterWrite();
  }

  /**
   * One walk of the tree at the start of a run: it removes what a killed run left half-written (we
   * hold the lock, so no live run owns those) and returns the files retention manages. Links are
   * left out: retention removes only files it can tell are ours.
   */
  async survey(): Promise<string[]> {
    const managed: string[] = [];
    for (const top of ["apt", "pkg", "packages", "feeds"]) {
      for (const p of walkFiles(this.root, top)) {
        if (TEMP_FILE.test(p)) {
          if (!this.dryRun) {
            this.writing();
            await rm(path.join(this.root, p), { force: true });
          }
          continue;
        }
        if (path.posix.basename(p) === MARKER) continue;
        if (isManaged(p)) managed.push(p);
      }
    }
    return managed;
  }
}
