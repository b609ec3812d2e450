/**
 * The storage seam: everything the pipeline, retention and the error path do to the published tree
 * goes through one Storage, a local folder (folder.ts) or an S3 bucket (s3.ts). The caller decides
 * the order (pool, by-hash, index names, Release/Release.gpg, InRelease last); a Storage makes each
 * single write whole, never replaces a pool file, and never writes anywhere but below its root.
 */
import { LockedError, RepogenError } from "../../errors.js";

export class PublishError extends RepogenError {}

/**
 * This run no longer holds the bucket's lease (it expired, or another writer took it over): like a
 * lock held by another run (exit 4), and that run finishes the publishing.
 */
export class LeaseLostError extends LockedError {
  constructor(message: string, subject: string) {
    super(message, subject, 0);
  }
}

export interface Changes {
  added: string[];
  updated: string[];
  removed: string[];
  unchanged: number;
}

export interface PutOptions {
  /** The file's modification time where the storage keeps one (a folder). */
  mtime?: Date;
  /** A file of our own bookkeeping (the publishing marker): not counted as a change. */
  uncounted?: boolean;
}

export interface Storage {
  /** Where it writes, for messages: a folder's path or s3://BUCKET/PREFIX. */
  readonly describe: string;
  readonly dryRun: boolean;
  readonly changes: Changes;
  /** How many placePool calls may be in flight at once. */
  readonly poolConcurrency: number;
  /**
   * Whether the target is, as far as the storage can tell, the way this state folder's last run left
   * it: a folder is guarded by the state's lock alone; a bucket is when no other writer held its
   * lease since. Known once open() has run.
   */
  readonly continuous: boolean;
  /** Called once, right before this run's first change to the target (the pipeline sets it). */
  beforeFirstWrite?: () => void;
  /**
   * Called once before anything is read: takes what guards the target against another writer (on S3
   * the lease; a folder is guarded by the state folder's lock alone) and learns what is there.
   */
  open(): Promise<void>;
  /** Throws when this run may no longer write (the lease is lost). Called before each stage. */
  checkpoint(): Promise<void>;
  read(rel: string): Promise<Buffer | null>;
  /** Size of a published file, or null when there is none. Cheap: no body is read. */
  size(rel: string): Promise<number | null>;
  /**
   * A token that changes whenever the file at rel does (a folder: size, mtime and inode, the quick
   * check rsync makes; a bucket: size and ETag as this writer left them), or null when there is none.
   * No body is read.
   */
  version(rel: string): Promise<string | null>;
  /** Writes bytes under rel unless the same bytes are there already; true when it wrote. */
  put(rel: string, data: Buffer | string, opts?: PutOptions): Promise<boolean>;
  /**
   * put for many files whose order among themselves does not matter (the web pages): a bucket sends
   * them several at once. Resolves once all are written; true for each that was written.
   */
  putMany(files: Array<{ path: string; data: Buffer | string; mtime?: Date }>): Promise<boolean[]>;
  /**
   * Places a finished package at rel. A pool path is never replaced: the same bytes there already
   * are "unchanged", different bytes a PublishError (that build's rejection).
   */
  placePool(rel: string, source: string, sha256: string, opts?: { move?: boolean }): Promise<boolean>;
  /**
   * The folder `link` shows what the folder `target` shows (dists/CODENAME for dists/SUITE). Called
   * once target's InRelease is published. A folder makes it a relative symlink, put in place by a
   * rename; a bucket, which has no links, copies target's files under link, InRelease last.
   */
  alias(link: string, target: string): Promise<void>;
  /** The aliases directly below dir made by alias(), relative to the root. */
  aliases(dir: string): Promise<Array<{ link: string; target: string }>>;
  /** Removes an alias made by alias() (never what it shows). */
  unalias(link: string): Promise<void>;
  /** Removes a file of our own bookkeeping (a publishing marker): not a change clients see. */
  discard(rel: string): Promise<void>;
  /** Removes a published file (retention). */
  remove(rel: string): Promise<void>;
  /**
   * Cleans what a killed run left half-written (temporary files, unfinished uploads) and returns the
   * files retention manages: the pool, dists and the FreeBSD ABI folders.
   */
  survey(): Promise<string[]>;
  /** Called after a complete run, before close: records what is now published. */
  commit(): Promise<void>;
  /** Releases the guard taken by open(); safe to call on every path, more than once. */
  close(): Promise<void>;
  /** Requests made so far by kind (S3 commands); a folder makes none. */
  requests(): Record<string, number> | undefined;
}

/**
 * Fault injection for the crash-safety tests: with REPOGEN_FAILPOINT_WRITES=N the process kills
 * itself (SIGKILL, like `kill -9`) right after its N-th change to the output.
 */
const FAILPOINT = Number(process.env.REPOGEN_FAILPOINT_WRITES ?? "0");
let writesDone = 0;
export function afterWrite(): void {
  if (FAILPOINT > 0 && ++writesDone >= FAILPOINT) process.kill(process.pid, "SIGKILL");
}

/** Folders retention manages, relative to the root: the pool, dists, changelogs, FreeBSD ABIs, the web pages. */
export function isManaged(rel: string): boolean {
  return rel.startsWith("apt/pool/") || rel.startsWith("apt/dists/") || rel.startsWith("apt/changelogs/") || /^pkg\/FreeBSD:[^/]+\//.test(rel) || /^(packages|feeds)\//.test(rel);
}

/** Checks a path relative to the root: no absolute path, no `..` or `.` component, no empty one. */
export function cleanRel(rel: string): string {
  const parts = rel.split("/");
  if (rel === "" || parts.some((p) => p === "" || p === "." || p === "..") || rel.includes("\0"))
    throw new PublishError(`refusing to write outside the output tree`, rel);
  return rel;
}
