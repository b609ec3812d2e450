/**
 * Opening what a build delivers (build.json, spec, artifacts, staged files). A path checked with
 * lstat can be swapped for a FIFO, a device or a symlink before it is opened, and reading a FIFO
 * blocks forever. So files are opened without blocking and without following a final symlink, and
 * the open descriptor's fstat decides: only a regular file of at most `cap` bytes is read.
 */
import { createHash } from "node:crypto";
import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from "node:fs";
import { open, type FileHandle } from "node:fs/promises";
import { LimitError, UnsafePathError, UsageError } from "../errors.js";
import { describeLimit } from "../archive/limits.js";

const FLAGS = constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW;

export interface RegularOptions {
  /** Largest size accepted, in bytes. */
  cap: number;
  /** Limit name for the rejection ("spec", "file", …). */
  limit: string;
  /** What the file is, for messages: "package spec", "artifact". */
  what: string;
  /** What the error is about (defaults to the file). */
  subject?: string;
}

function kind(st: Stats): string {
  if (st.isFIFO()) return "a FIFO";
  if (st.isSocket()) return "a socket";
  if (st.isCharacterDevice() || st.isBlockDevice()) return "a device";
  if (st.isDirectory()) return "a folder";
  if (st.isSymbolicLink()) return "a symlink";
  return "not a regular file";
}

function openError(e: NodeJS.ErrnoException, file: string, o: RegularOptions): Error {
  // O_NOFOLLOW on a symlink fails with ELOOP.
  if (e.code === "ELOOP") return new UnsafePathError(`${o.what} is a symlink (not followed)`, o.subject ?? file);
  return new UsageError(`cannot open ${o.what}: ${e.code ?? e.message}`, o.subject ?? file);
}

function check(st: Stats, file: string, o: RegularOptions): void {
  if (!st.isFile()) throw new UnsafePathError(`${o.what} is ${kind(st)}, not a regular file`, o.subject ?? file);
  if (st.size > o.cap) throw new LimitError(o.limit, `${o.what} is larger than ${describeLimit(o.cap)}`, o.subject ?? file);
}

export interface OpenRegular {
  fh: FileHandle;
  stat: Stats;
}

/** Opens a regular file for reading; the caller closes `fh`. */
export async function openRegular(file: string, o: RegularOptions): Promise<OpenRegular> {
  let fh: FileHandle;
  try {
    fh = await open(file, FLAGS);
  } catch (e) {
    throw openError(e as NodeJS.ErrnoException, file, o);
  }
  try {
    const stat = await fh.stat();
    check(stat, file, o);
    return { fh, stat };
  } catch (e) {
    await fh.close();
    throw e;
  }
}

/** The synchronous form, for the scan's many small files: a file descriptor and its stat. */
export function openRegularSync(file: string, o: RegularOptions): { fd: number; stat: Stats } {
  let fd: number;
  try {
    fd = openSync(file, FLAGS);
  } catch (e) {
    throw openError(e as NodeJS.ErrnoException, file, o);
  }
  try {
    const stat = fstatSync(fd);
    check(stat, file, o);
    return { fd, stat };
  } catch (e) {
    closeSync(fd);
    throw e;
  }
}

/** Reads at most cap + 1 bytes of an open file, refusing a file that grew past the cap while read. */
function readAllSync(fd: number, size: number, file: string, o: RegularOptions): Buffer {
  let buf = Buffer.allocUnsafe(Math.min(o.cap, size) + 1);
  let n = 0;
  for (;;) {
    if (n === buf.length) {
      if (n > o.cap) throw new LimitError(o.limit, `${o.what} is larger than ${describeLimit(o.cap)}`, o.subject ?? file);
      const bigger = Buffer.allocUnsafe(Math.min(o.cap + 1, buf.length * 2));
      buf.copy(bigger, 0, 0, n);
      buf = bigger;
    }
    const got = readSync(fd, buf, n, buf.length - n, null);
    if (got === 0) break;
    n += got;
  }
  if (n > o.cap) throw new LimitError(o.limit, `${o.what} is larger than ${describeLimit(o.cap)}`, o.subject ?? file);
  return buf.subarray(0, n);
}

/** The whole content of a regular file of at most `cap` bytes. */
export function readRegularFileSync(file: string, o: RegularOptions): Buffer {
  const { fd, stat } = openRegularSync(file, o);
  try {
    return readAllSync(fd, stat.size, file, o);
  } finally {
    closeSync(fd);
  }
}

export async function readRegularFile(file: string, o: RegularOptions): Promise<Buffer> {
  const { fh, stat } = await openRegular(file, o);
  try {
    let buf = Buffer.allocUnsafe(Math.min(o.cap, stat.size) + 1);
    let n = 0;
    for (;;) {
      if (n === buf.length) {
        if (n > o.cap) break;
        const bigger = Buffer.allocUnsafe(Math.min(o.cap + 1, buf.length * 2));
        buf.copy(bigger, 0, 0, n);
        buf = bigger;
      }
      const { bytesRead } = await fh.read(buf, n, buf.length - n, null);
      if (bytesRead === 0) break;
      n += bytesRead;
    }
    if (n > o.cap) throw new LimitError(o.limit, `${o.what} is larger than ${describeLimit(o.cap)}`, o.subject ?? file);
    return buf.subarray(0, n);
  } finally {
    await fh.close();
  }
}

/** SHA-256 of a regular file, streamed; with its stat as seen on the open descriptor. */
export async function hashRegularFile(file: string, o: RegularOptions): Promise<{ sha256: string; stat: Stats }> {
  const { fh, stat } = await openRegular(file, o);
  const h = createHash("sha256");
  let n = 0;
  try {
    const buf = Buffer.allocUnsafe(1 << 20);
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      n += bytesRead;
      if (n > o.cap) throw new LimitError(o.limit, `${o.what} is larger than ${describeLimit(o.cap)}`, o.subject ?? file);
      h.update(buf.subarray(0, bytesRead));
    }
  } finally {
    await fh.close();
  }
  return { sha256: h.digest("hex"), stat };
}

/** SHA-256 of a small regular file read in one go (synchronously). */
export function hashRegularFileSync(file: string, o: RegularOptions): { sha256: string; stat: Stats } {
  const { fd, stat } = openRegularSync(file, o);
  try {
    return { sha256: createHash("sha256").update(readAllSync(fd, stat.size, file, o)).digest("hex"), stat };
  } finally {
    closeSync(fd);
  }
}
