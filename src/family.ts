/**
 * One interface, two package families (ARCHITECTURE "One interface, two families"). The pipeline
 * never asks which family it holds.
 */
import { closeSync, constants, existsSync, readSync, writeFileSync } from "node:fs";
import { copyFile, mkdir, open } from "node:fs/promises";
import { createHash } from "node:crypto";
import path from "node:path";
import type { Build } from "./builds/scan.js";
import { readSpec, type PackageSpec } from "./spec.js";
import type { Config } from "./config.js";
import type { CachedPackage } from "./publish/state.js";
import { FormatError } from "./errors.js";
import { openRegular, openRegularSync } from "./util/regular-file.js";
import { LIMITS } from "./archive/limits.js";

export interface PrepareContext {
  config: Config;
  /** A private scratch folder for this run (inside the state folder). */
  work: string;
  /** Digest of a file, cached by the state. */
  hash(file: string): Promise<string>;
}

/** A package file produced in `work`, to be placed into the pool by the publisher. */
export interface Prepared {
  pkg: CachedPackage;
  /** Where the finished file is now (to be moved into the pool), or null if it is in the pool already. */
  produced: string | null;
  /** Move (true) or link/copy (false, the file belongs to the build). */
  move: boolean;
  /**
   * Files published beside the package (its changelog), produced in `work`: placed with the pool
   * files, kept when a file is already at that path (two binaries of one source share it).
   */
  extras?: Array<{ path: string; file: string }>;
}

export interface RepoFile {
  /** Relative to the output root. */
  path: string;
  data: Buffer;
  /** Publishing stage: 1 by-hash, 2 indexes, 3 Release/Release.gpg/signed catalogues, 4 InRelease/meta.conf. */
  stage: 1 | 2 | 3 | 4;
  mtime?: Date;
}

export interface SiteContext {
  config: Config;
  now: Date;
  /** Reads a file of the currently published tree (relative to the output root), or null. */
  readPublished(rel: string): Promise<Buffer | null>;
}

export interface RepositoryResult {
  files: RepoFile[];
  /** Whether anything other than the signature dates changed. */
  changed: boolean;
  /** One line per repository for the summary, e.g. "apt debian-12: 3 packages". */
  name: string;
  /** The repository's folder relative to the output root: apt/dists/SUITE or pkg/ABI. */
  base: string;
  /** Other names of the folder base (apt/dists/CODENAME), published once base's files are. */
  aliases?: string[];
  /** From when on the published signatures are to be renewed though nothing changed (Valid-Until nearing); absent: never. */
  renewAfter?: Date;
}

export interface Family {
  readonly name: "debian" | "freebsd";
  /** Cache key part that changes the output of prepare (compression etc.). */
  cacheSalt(config: Config): string;
  prepare(build: Build, ctx: PrepareContext, cached: CachedPackage | undefined): Promise<Prepared>;
  compareVersions(a: string, b: string): number;
  /** The repository key a package goes to: APT suite or FreeBSD ABI folder. */
  repositoryOf(build: Build, pkg: CachedPackage): string;
  repository(key: string, pkgs: CachedPackage[], site: SiteContext): Promise<RepositoryResult>;
  /** Relations between packages of one repository that the version rewrite broke: one line each. */
  brokenRelations?(key: string, pkgs: Array<{ pkg: CachedPackage; build: string }>): string[];
}

/**
 * A file of this build's in the run's work folder. The work folder is flat (work/JOB~UUID~NAME: a
 * job name has no "~", nor has a uuid): making three folders per build was most of the file system
 * work of a cold run.
 */
export function workFile(ctx: PrepareContext, build: Build, name: string): string {
  return path.join(ctx.work, `${build.job}~${build.uuid}~${name}`);
}

/** A scratch folder of this build's own (for what a staged tree is built into). */
export async function workDirOf(ctx: PrepareContext, build: Build): Promise<string> {
  const dir = workFile(ctx, build, "tree");
  await mkdir(dir, { recursive: true });
  return dir;
}

/**
 * Copies a build's file that is opened as a regular file (never blocking on a FIFO swapped in, never
 * following a symlink): cloned where the file system can (Linux names the open file as
 * /proc/self/fd/N, so the clone is of the very file checked), else copied from the descriptor.
 */
async function copyChecked(source: string, dest: string): Promise<void> {
  const { fh } = await openRegular(source, { cap: LIMITS.file, limit: "file", what: "main binary" });
  try {
    const byFd = `/proc/self/fd/${fh.fd}`;
    try {
      await copyFile(byFd, dest, constants.COPYFILE_FICLONE);
      return;
    } catch {
      // no /proc (not Linux): copy from the open descriptor below
    }
    const out = await open(dest, "w");
    try {
      const buf = Buffer.allocUnsafe(1 << 20);
      let n = 0;
      for (;;) {
        const { bytesRead } = await fh.read(buf, 0, buf.length, null);
        if (bytesRead === 0) break;
        n += bytesRead;
        if (n > LIMITS.file) throw new FormatError(`the main binary grew past its size cap while it was copied`, source);
        await out.write(buf.subarray(0, bytesRead));
      }
    } finally {
      await out.close();
    }
  } finally {
    await fh.close();
  }
}

/** Where the checked copy of a ready package's file is kept in the work folder. */
export function deliveredPath(work: string, build: Build): string {
  return path.join(work, `${build.job}~${build.uuid}~delivered~${path.basename(build.main)}`);
}

/** Ready packages up to this size are checked and copied in memory with synchronous calls. */
const IN_MEMORY = 8 << 20;

/**
 * The whole of a small regular file, read from one descriptor (opened without following a link or
 * blocking on a FIFO), or null when it is larger than IN_MEMORY.
 */
function readSmall(source: string): Buffer | null {
  const { fd, stat } = openRegularSync(source, { cap: LIMITS.file, limit: "file", what: "main binary" });
  try {
    if (stat.size > IN_MEMORY) return null;
    // One byte more than the size says: a file that grew since the fstat is read to its end.
    let buf = Buffer.allocUnsafe(stat.size + 1);
    let n = 0;
    for (;;) {
      if (n === buf.length) {
        if (n > IN_MEMORY) return null;
        const bigger = Buffer.allocUnsafe(buf.length * 2);
        buf.copy(bigger, 0, 0, n);
        buf = bigger;
      }
      const got = readSync(fd, buf, n, buf.length - n, null);
      if (got === 0) break;
      n += got;
    }
    return buf.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}

/** The file a build delivers as its package, and its SHA-256 (CONTRACT "Versions"). */
export interface MainBinary {
  file: string;
  sha256: string;
  /** True when repogen built it into the work folder (it may be moved or removed). */
  owned: boolean;
  /**
   * The file's bytes, when it was small enough to be checked in memory. Then `file` is written only
   * when asked for (`copy`): a package that is rewritten anyway needs no copy on disk.
   */
  bytes?: Buffer;
}

/** Writes a checked copy held in memory to its file, if it is not there yet. */
export function ensureCopy(main: MainBinary): void {
  if (main.bytes && !existsSync(main.file)) writeFileSync(main.file, main.bytes, { flag: "wx" });
}

/**
 * A ready package is copied into the work folder (a clone where the file system can) and the copy
 * is hashed and checked against build.json: from then on only the copy is read, so what is
 * published is the bytes that were checked, whatever happens to the build's file meanwhile or
 * later, and no pool file shares an inode with a build's file. A staged tree is first built with
 * its upstream version into the work folder, and that package's SHA-256 is the one the version
 * names.
 */
export async function mainBinary(
  build: Build,
  ctx: PrepareContext,
  buildFromSpec: (spec: PackageSpec, outDir: string, mtime: number) => Promise<string>,
  opts: { copy?: boolean } = {},
): Promise<MainBinary> {
  if (build.kind !== "tree") {
    const file = deliveredPath(ctx.work, build);
    // Small packages (nearly all) are read once: the bytes that are hashed are the ones written to
    // the copy and parsed. Larger ones are cloned or copied, and the copy is hashed.
    const bytes = readSmall(build.main);
    if (!bytes) await copyChecked(build.main, file);
    else if (opts.copy !== false) writeFileSync(file, bytes, { flag: "wx" });
    const sha256 = bytes ? createHash("sha256").update(bytes).digest("hex") : await ctx.hash(file);
    if (sha256 !== build.mainSha256)
      throw new FormatError(`artifact "${path.basename(build.main)}" has SHA-256 ${sha256}, build.json says ${build.mainSha256}; nothing of it is published`);
    return { file, sha256, owned: true, ...(bytes ? { bytes } : {}) };
  }
  const spec = await readSpec(build.spec!, { name: build.job });
  const dir = path.join(await workDirOf(ctx, build), "upstream");
  await mkdir(dir, { recursive: true });
  const file = await buildFromSpec(spec, dir, Math.floor(build.start.getTime() / 1000));
  return { file, sha256: await ctx.hash(file), owned: true };
}
