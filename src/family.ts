/**
 * One interface, two package families (ARCHITECTURE "One interface, two families"). The pipeline
 * never asks which family it holds.
 */
import { constants } from "node:fs";
import { copyFile, mkdir, open } from "node:fs/promises";
import path from "node:path";
import type { Build } from "./builds/scan.js";
import { readSpec, type PackageSpec } from "./spec.js";
import type { Config } from "./config.js";
import type { CachedPackage } from "./publish/state.js";
import { FormatError } from "./errors.js";
import { openRegular } from "./util/regular-file.js";
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
 * This build's own scratch folder inside the run's work folder: work/JOB/UUID (a uuid is unique
 * only within its job).
 */
export async function workDirOf(ctx: PrepareContext, build: Build): Promise<string> {
  const dir = path.join(ctx.work, build.job, build.uuid);
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
  return path.join(work, build.job, build.uuid, "delivered", path.basename(build.main));
}

/** The file a build delivers as its package, and its SHA-256 (CONTRACT "Versions"). */
export interface MainBinary {
  file: string;
  sha256: string;
  /** True when repogen built it into the work folder (it may be moved or removed). */
  owned: boolean;
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
): Promise<MainBinary> {
  if (build.kind !== "tree") {
    const file = deliveredPath(ctx.work, build);
    await mkdir(path.dirname(file), { recursive: true });
    await copyChecked(build.main, file);
    const sha256 = await ctx.hash(file);
    if (sha256 !== build.mainSha256)
      throw new FormatError(`the main binary changed after its SHA-256 was checked (now ${sha256}, build.json says ${build.mainSha256}); nothing of it is published`);
    return { file, sha256, owned: true };
  }
  const spec = await readSpec(build.spec!, { name: build.job });
  const dir = path.join(await workDirOf(ctx, build), "upstream");
  await mkdir(dir, { recursive: true });
  const file = await buildFromSpec(spec, dir, Math.floor(build.start.getTime() / 1000));
  return { file, sha256: await ctx.hash(file), owned: true };
}
