/**
 * Turns a spec's [[files]] and a staged tree into the list of objects a package holds. This is the
 * only place that reads a staged tree, and it never follows a symlink: a symlink is packaged as a
 * symlink, and one whose target would leave the staged tree is refused, so no file outside the
 * tree is ever read.
 */
import { lstat, readdir, readlink, realpath } from "node:fs/promises";
import path from "node:path";
import { LimitError, UnsafePathError, UsageError } from "./errors.js";
import type { PackageSpec } from "./spec.js";
import { LIMITS } from "./archive/limits.js";
import { openRegular, readRegularFile } from "./util/regular-file.js";

export interface StagedFile {
  type: "file";
  /** Absolute path on the target system, e.g. /usr/bin/hello. */
  path: string;
  mode: number;
  size: number;
  /** Absolute path of the source in the staged tree. */
  source: string;
  config: boolean;
}
export interface StagedLink {
  type: "symlink";
  path: string;
  target: string;
}
export interface StagedDir {
  type: "dir";
  path: string;
  mode: number;
}
export type StagedEntry = StagedFile | StagedLink | StagedDir;

function inside(root: string, p: string): boolean {
  const rel = path.relative(root, p);
  return rel === "" || (!rel.startsWith("..") && !path.isAbsolute(rel));
}

/** Source path in the tree, refusing any whose parent folders lead out of it through symlinks. */
async function resolveSource(root: string, rel: string, what: string): Promise<string> {
  const abs = path.resolve(root, rel);
  if (!inside(root, abs)) throw new UnsafePathError(`${what} "${rel}" is outside the staged tree`, root);
  let parentReal: string;
  try {
    parentReal = await realpath(path.dirname(abs));
  } catch {
    throw new UsageError(`${what} "${rel}" does not exist in the staged tree`, root);
  }
  if (!inside(root, parentReal)) throw new UnsafePathError(`${what} "${rel}" leads out of the staged tree through a symlink`, root);
  return path.join(parentReal, path.basename(abs));
}

async function checkLink(root: string, abs: string, rel: string): Promise<string> {
  const target = await readlink(abs);
  if (Buffer.byteLength(target) > LIMITS.tarName) throw new LimitError("tarName", `symlink "${rel}" has a target longer than ${LIMITS.tarName} bytes`, root);
  if (path.isAbsolute(target) || !inside(root, path.resolve(path.dirname(abs), target)))
    throw new UnsafePathError(`symlink "${rel}" -> "${target}" leaves the staged tree`, root);
  if (/[\x00-\x1f\x7f]/.test(target)) throw new UnsafePathError(`symlink "${rel}" has a control character in its target`, root);
  return target;
}

function fileMode(explicit: number | undefined, statMode: number): number {
  if (explicit !== undefined) return explicit;
  return statMode & 0o111 ? 0o755 : 0o644;
}

/** Reads the staged tree as the spec describes it. `root` must be a real, absolute path. */
export async function collectStaged(spec: PackageSpec, rootIn: string): Promise<StagedEntry[]> {
  let root: string;
  try {
    root = await realpath(rootIn);
  } catch {
    throw new UsageError(`staged tree does not exist`, rootIn);
  }
  const out = new Map<string, StagedEntry>();
  const add = (e: StagedEntry) => {
    // The package we write must pass our own reader's limits (and dpkg's PATH_MAX).
    if (Buffer.byteLength(e.path) > LIMITS.tarName) throw new LimitError("tarName", `"${e.path.slice(0, 100)}…" is longer than ${LIMITS.tarName} bytes`, root);
    if (out.size >= LIMITS.entries && !out.has(e.path)) throw new LimitError("entries", `the staged tree holds more than ${LIMITS.entries} entries`, root);
    const prev = out.get(e.path);
    if (prev && !(prev.type === "dir" && e.type === "dir")) throw new UsageError(`two [[files]] entries install "${e.path}"`, root);
    out.set(e.path, e);
  };
  async function walk(abs: string, rel: string, dst: string, mode: number | undefined, config: boolean): Promise<void> {
    const st = await lstat(abs);
    if (st.isSymbolicLink()) {
      add({ type: "symlink", path: dst, target: await checkLink(root, abs, rel) });
    } else if (st.isDirectory()) {
      add({ type: "dir", path: dst, mode: 0o755 });
      const names = (await readdir(abs)).sort();
      for (const n of names) await walk(path.join(abs, n), `${rel}/${n}`, `${dst}/${n}`, mode, config);
    } else if (st.isFile()) {
      if (/[\x00-\x1f\x7f\\]/.test(dst)) throw new UsageError(`file name "${rel}" contains a control character or backslash`, root);
      if (st.size > LIMITS.file) throw new UsageError(`staged file "${rel}" is larger than the file limit`, root);
      add({ type: "file", path: dst, mode: fileMode(mode, st.mode), size: st.size, source: abs, config });
    } else {
      throw new UsageError(`"${rel}" is neither a file, a folder nor a symlink`, root);
    }
  }
  for (const f of spec.files) {
    const abs = await resolveSource(root, f.src, "source");
    try {
      await lstat(abs);
    } catch {
      throw new UsageError(`source "${f.src}" does not exist in the staged tree`, root);
    }
    await walk(abs, f.src, f.dst, f.mode, f.config);
  }
  return [...out.values()];
}

/** A maintainer script from the staged tree, read as bytes (it must be a regular file inside). */
export async function scriptSource(root: string, rel: string): Promise<string> {
  const r = await realpath(root);
  const abs = await resolveSource(r, rel, "script");
  let st;
  try {
    st = await lstat(abs);
  } catch {
    throw new UsageError(`script "${rel}" does not exist in the staged tree`, root);
  }
  if (!st.isFile()) throw new UnsafePathError(`script "${rel}" is not a regular file (symlinks are not followed)`, root);
  if (st.size > 1 << 20) throw new UsageError(`script "${rel}" is larger than 1 MiB`, root);
  return abs;
}

/** A maintainer script's bytes, opened as a regular file (a FIFO swapped in would hang the run). */
export async function readScript(abs: string, subject: string): Promise<Buffer> {
  return readRegularFile(abs, { cap: LIMITS.script, limit: "script", what: "maintainer script", subject: `${subject}: ${abs}` });
}

/**
 * The content of a staged file as it is packaged. It is opened without blocking and must still be
 * a regular file: between the walk's lstat and this read it may have been replaced by a FIFO or a
 * device, whose read would hang or never end.
 */
export async function* stagedChunks(abs: string, subject: string): AsyncGenerator<Buffer> {
  const { fh } = await openRegular(abs, { cap: LIMITS.file, limit: "file", what: "staged file", subject: `${subject}: ${abs}` });
  try {
    for (;;) {
      // A new buffer each time: the consumer may still hold the last chunk.
      const buf = Buffer.allocUnsafe(1 << 20);
      const { bytesRead } = await fh.read(buf, 0, buf.length, null);
      if (bytesRead === 0) return;
      yield buf.subarray(0, bytesRead);
    }
  } finally {
    await fh.close();
  }
}
