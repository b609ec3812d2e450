/**
 * Writes into the output tree. Every file goes to a temporary name and is renamed into place, and
 * only when its bytes differ, so an unchanged file keeps its mtime and a mirror never sees half a
 * file. The caller decides the order (pool, by-hash, indexes, Release, InRelease last).
 */
import { createHash } from "node:crypto";
import { createReadStream, linkSync, lstatSync, mkdirSync, readdirSync, readlinkSync, renameSync, statSync, symlinkSync } from "node:fs";
import { copyFile, mkdir, readFile, rename, rm, stat, utimes, writeFile } from "node:fs/promises";
import path from "node:path";
import { RepogenError } from "../errors.js";

export class PublishError extends RepogenError {}

export interface Changes {
  added: string[];
  updated: string[];
  removed: string[];
  unchanged: number;
}

async function sha256File(file: string): Promise<string> {
  const h = createHash("sha256");
  for await (const c of createReadStream(file, { highWaterMark: 1 << 20 })) h.update(c as Buffer);
  return h.digest("hex");
}

function tmpName(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.tmp-${process.pid}-${Math.random().toString(36).slice(2, 8)}`);
}

/**
 * Fault injection for the crash-safety tests: with REPOGEN_FAILPOINT_WRITES=N the process kills
 * itself (SIGKILL, like `kill -9`) right after its N-th change to the output tree.
 */
const FAILPOINT = Number(process.env.REPOGEN_FAILPOINT_WRITES ?? "0");
let writesDone = 0;
function afterWrite(): void {
  if (FAILPOINT > 0 && ++writesDone >= FAILPOINT) process.kill(process.pid, "SIGKILL");
}

export class Tree {
  readonly changes: Changes = { added: [], updated: [], removed: [], unchanged: 0 };

  constructor(
    readonly root: string,
    readonly dryRun: boolean,
  ) {}

  abs(rel: string): string {
    const p = path.resolve(this.root, rel);
    if (!p.startsWith(path.resolve(this.root) + path.sep)) throw new PublishError(`refusing to write outside the output tree`, rel);
    return p;
  }

  async exists(rel: string): Promise<boolean> {
    return stat(this.abs(rel)).then(
      () => true,
      () => false,
    );
  }

  async read(rel: string): Promise<Buffer | null> {
    return readFile(this.abs(rel)).catch(() => null);
  }

  /** Writes bytes under rel unless the same bytes are there already. */
  async put(rel: string, data: Buffer | string, opts: { mtime?: Date; uncounted?: boolean } = {}): Promise<boolean> {
    const buf = typeof data === "string" ? Buffer.from(data, "utf8") : data;
    const file = this.abs(rel);
    const old = await readFile(file).catch(() => null);
    if (old && old.equals(buf)) {
      if (!opts.uncounted) this.changes.unchanged++;
      return false;
    }
    if (!opts.uncounted) (old ? this.changes.updated : this.changes.added).push(rel);
    if (this.dryRun) return true;
    await mkdir(path.dirname(file), { recursive: true });
    const tmp = tmpName(file);
    await writeFile(tmp, buf);
    if (opts.mtime) await utimes(tmp, opts.mtime, opts.mtime);
    await rename(tmp, file);
    afterWrite();
    return true;
  }

  /**
   * Places a finished package at rel (hard link, else copy, then rename). A pool path is never
   * replaced with different bytes: that would break every client holding the old index.
   */
  async placePool(rel: string, source: string, sha256: string, opts: { move?: boolean } = {}): Promise<boolean> {
    const file = this.abs(rel);
    // Metadata calls are synchronous on purpose: thousands of links and renames into one pool go
    // several times faster in a row than spread over libuv's threads, which contend for the folder.
    if (statSync(file, { throwIfNoEntry: false })) {
      const have = await sha256File(file);
      if (have !== sha256) throw new PublishError(`already published with different content (sha256 ${have}); a pool file is never replaced`, rel);
      this.changes.unchanged++;
      if (opts.move) await rm(source, { force: true });
      return false;
    }
    this.changes.added.push(rel);
    if (this.dryRun) return true;
    mkdirSync(path.dirname(file), { recursive: true });
    // A link or a rename puts the whole file under its name at once; no temporary name is needed.
    // (rename would replace a file, but the stat above and the run's lock say there is none.)
    try {
      if (opts.move) renameSync(source, file);
      else linkSync(source, file);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== "EXDEV" && code !== "EPERM" && code !== "EMLINK") throw e;
      // Another file system, or hard links not allowed: a copy, under a temporary name until whole.
      const tmp = tmpName(file);
      await copyFile(source, tmp);
      await rename(tmp, file);
      if (opts.move) await rm(source, { force: true });
    }
    afterWrite();
    return true;
  }

  /**
   * From now on the folder `link` shows what the folder `target` shows (dists/CODENAME for
   * dists/SUITE): a relative symlink, put in place by a rename, so it is there whole or not at all.
   * The caller makes it once target's InRelease is published, so it never shows a half suite. (A
   * storage without links would copy target's files under link, InRelease last.)
   */
  async alias(link: string, target: string): Promise<void> {
    const abs = this.abs(link);
    const value = path.relative(path.dirname(abs), this.abs(target));
    const st = lstatSync(abs, { throwIfNoEntry: false });
    if (st?.isSymbolicLink() && readlinkSync(abs) === value) {
      this.changes.unchanged++;
      return;
    }
    if (st && !st.isSymbolicLink()) throw new PublishError(`is a real ${st.isDirectory() ? "folder" : "file"}; it cannot become an alias of ${target}`, link);
    (st ? this.changes.updated : this.changes.added).push(link);
    if (this.dryRun) return;
    mkdirSync(path.dirname(abs), { recursive: true });
    const tmp = tmpName(abs);
    symlinkSync(value, tmp);
    renameSync(tmp, abs);
    afterWrite();
  }

  /** The aliases directly below the folder dir, as made by alias(): links and their targets, relative to the root. */
  async aliases(dir: string): Promise<Array<{ link: string; target: string }>> {
    const out: Array<{ link: string; target: string }> = [];
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

  /** Removes an alias made by alias() (never what it shows). */
  async unalias(link: string): Promise<void> {
    const abs = this.abs(link);
    if (!lstatSync(abs, { throwIfNoEntry: false })?.isSymbolicLink()) return;
    this.changes.removed.push(link);
    if (this.dryRun) return;
    await rm(abs);
    afterWrite();
  }

  /** Removes a file of our own bookkeeping (a publishing marker): not a change clients see. */
  async discard(rel: string): Promise<void> {
    if (!this.dryRun) await rm(this.abs(rel), { force: true });
  }

  async remove(rel: string): Promise<void> {
    this.changes.removed.push(rel);
    if (this.dryRun) return;
    await rm(this.abs(rel), { force: true });
    afterWrite();
  }
}
