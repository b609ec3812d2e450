/**
 * Finds finished builds (builds/JOB/UUID/build.json) and validates each one. A bad build becomes a
 * Rejection naming its folder; it never stops the scan. This is the only module that reads the
 * builds folder.
 */
import { lstatSync, readdirSync, realpathSync, statSync, type Dirent, type Stats } from "node:fs";
import path from "node:path";
import { createHash } from "node:crypto";
import { errorLine, RepogenError, UsageError } from "../errors.js";
import { parsePlatform, type PlatformInfo } from "../platform.js";
import { mapLimit, PARALLEL } from "../util/concurrency.js";
import { hashRegularFile, hashRegularFileSync, readRegularFileSync } from "../util/regular-file.js";
import { LIMITS } from "../archive/limits.js";

export interface Artifact {
  path: string;
  sha256: string;
}

export interface Build {
  dir: string;
  job: string;
  uuid: string;
  platform: PlatformInfo;
  arch: string;
  start: Date;
  /** `start` in UTC as YYYYMMDDhhmmss. */
  buildtime: string;
  /** Absolute path of the main binary (a file, or the staged tree's folder). */
  main: string;
  kind: "deb" | "pkg" | "tree";
  /** SHA-256 of the main binary as delivered (ready packages only; trees get theirs when built). */
  mainSha256?: string;
  /** Absolute path of the package spec, for staged trees. */
  spec?: string;
  /** build.json's "versioning", which overrides the config's for this build. */
  versioning?: "build" | "as-is";
  /**
   * The artifacts other than the main binary, to be checked against build.json's SHA-256 when the
   * build is read (checkArtifacts): [real path, sha256, path as build.json names it].
   */
  others?: Array<[file: string, sha256: string, name: string]>;
}

export interface Rejection {
  dir: string;
  reason: string;
}

export interface ScanResult {
  builds: Build[];
  rejections: Rejection[];
  /** Builds whose result is "failure": ignored, not rejected. */
  failed: string[];
  /** buildsStamp of the folders as this scan saw them (with a cache that keeps job records). */
  stamp?: string;
  /** How many build folders were read (the others came from their job folder's record). */
  read?: number;
}

/** Remembers file digests by (path, size, mtime, inode) so unchanged builds are not re-hashed. */
export interface HashCache {
  get(file: string, size: number, mtimeMs: number, ino: number): string | undefined;
  set(file: string, size: number, mtimeMs: number, ino: number, sha256: string): void;
  /**
   * Optional: folder listings and build.json contents by their stat key, so a run with thousands of
   * unchanged builds reads only metadata. Every check still runs on the remembered text.
   */
  text?(file: string, key: string): string | undefined;
  setText?(file: string, key: string, text: string): void;
  /**
   * Optional: what a job folder held when its stat key was `key`, so that the build folders of a
   * job folder that did not change are not looked at again (see scanBuilds).
   */
  jobRecord?(dir: string, key: string): string | undefined;
  previousJobRecord?(dir: string): string | undefined;
  setJobRecord?(dir: string, key: string, record: string): void;
  recordedJobs?(buildsDir: string): string[];
  prefetchJobs?(buildsDir: string): void;
  forgetJob?(dir: string): void;
  forgetBuild?(dir: string): void;
  /** Optional: a decoded job record remembered by its text (a resident process decodes each once). */
  decodedRecord?<T>(text: string, decode: () => T): T;
}

/** One build folder's outcome as a job record keeps it. */
type Outcome = Build | "failed" | Rejection | null;

/** A job folder's record: its build folders' outcomes, in listing order. */
interface JobRecord {
  v: 2;
  builds: Array<[uuid: string, outcome: Outcome]>;
}

/**
 * A record is kept compact, since a run with nothing new reads one per job folder: what follows from
 * the folder (dir, job, uuid, buildtime) is left out, paths are kept relative to the build folder's
 * real path, the platform by its name. Fields this encoding does not name are kept as they are.
 */
type Stored = 0 | "f" | { r: string } | (Record<string, unknown> & { t: number; p: string; m: string; s?: string });

function encodeRecord(r: JobRecord, realJob: string): string {
  const builds = r.builds.map(([uuid, o]): [string, Stored] => {
    if (o === null) return [uuid, 0];
    if (o === "failed") return [uuid, "f"];
    if ("reason" in o) return [uuid, { r: o.reason }];
    const { dir: _d, job: _j, uuid: _u, buildtime: _b, platform, main, spec, start, ...rest } = o;
    const real = path.join(realJob, uuid);
    return [uuid, { ...rest, t: start.getTime(), p: platform.platform, m: path.relative(real, main), ...(spec ? { s: path.relative(real, spec) } : {}) }];
  });
  return JSON.stringify({ v: 2, builds });
}

const platforms = new Map<string, PlatformInfo>();

/**
 * `base` + a relative path that path.relative made (normalised, inside `base`): plain concatenation,
 * as path.join would give, for the hundred thousand builds a scan of a large folder decodes.
 */
function under(base: string, rel: string): string {
  return rel === "" || rel.startsWith("..") || path.isAbsolute(rel) || rel.includes("//") ? path.join(base, rel) : `${base}${path.sep}${rel}`;
}

function decodeRecord(text: string, jobDir: string, job: string, realJob: string): JobRecord | null {
  try {
    const r = JSON.parse(text) as { v: number; builds: Array<[string, Stored]> };
    if (r.v !== 2 || !Array.isArray(r.builds)) return null;
    const builds = r.builds.map(([uuid, o]): [string, Outcome] => {
      // A uuid is one checked path segment (UUID below): no separator, nothing to normalise.
      const dir = UUID.test(uuid) ? `${jobDir}${path.sep}${uuid}` : path.join(jobDir, uuid);
      if (o === 0) return [uuid, null];
      if (o === "f") return [uuid, "failed"];
      if ("r" in o) return [uuid, { dir, reason: o.r as string }];
      const { t, p, m, s: spec, ...rest } = o;
      let platform = platforms.get(p);
      if (!platform) platforms.set(p, (platform = parsePlatform(p)));
      const real = UUID.test(uuid) ? `${realJob}${path.sep}${uuid}` : path.join(realJob, uuid);
      const start = new Date(t);
      const b = { ...rest, dir, job, uuid, platform, start, buildtime: buildtimeOf(start), main: under(real, m) } as Build;
      if (spec !== undefined) b.spec = under(real, spec);
      return [uuid, b];
    });
    return { v: 2, builds };
  } catch {
    return null;
  }
}

function statKey(st: Stats): string {
  return `${st.ino}:${st.size}:${st.mtimeMs}`;
}

/** A folder entry: its name and kind as the folder listing tells it (no stat needed). */
interface Entry {
  name: string;
  /** d folder, l symlink, f file, o other, ? unknown (the file system does not say). */
  kind: "d" | "l" | "f" | "o" | "?";
}

function kindOf(d: Dirent): Entry["kind"] {
  if (d.isDirectory()) return "d";
  if (d.isSymbolicLink()) return "l";
  if (d.isFile()) return "f";
  if (d.isFIFO() || d.isSocket() || d.isBlockDevice() || d.isCharacterDevice()) return "o";
  return "?";
}

/**
 * readdir with each entry's kind, remembered by the folder's stat key (a folder's mtime changes
 * when an entry comes, goes or is replaced). The kinds spare a stat per job and per build folder.
 */
function listDir(dir: string, cache?: HashCache, remember = true): Entry[] {
  const read = () =>
    readdirSync(dir, { withFileTypes: true })
      .map((d) => ({ name: d.name, kind: kindOf(d) }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  if (!cache?.text || !cache.setText) return read();
  const key = statKey(statSync(dir));
  // Its own cache name: listings remembered as bare names by earlier versions are not reused.
  const id = `${dir}\0kinds`;
  const hit = cache.text(id, key);
  if (hit !== undefined) return hit === "" ? [] : hit.split("\n").map((l) => ({ kind: l[0] as Entry["kind"], name: l.slice(1) }));
  const entries = read();
  if (remember) cache.setText(id, key, entries.map((e) => e.kind + e.name).join("\n"));
  return entries;
}

/** Whether an entry is a real folder (not a symlink to one); asks lstat only when the listing could not tell. */
function isRealDir(parent: string, e: Entry): boolean | "symlink" {
  if (e.kind === "?") {
    const st = lstatSync(path.join(parent, e.name));
    return st.isDirectory() ? true : st.isSymbolicLink() ? "symlink" : false;
  }
  return e.kind === "d" ? true : e.kind === "l" ? "symlink" : false;
}

export class Reject extends Error {}

const JOB = /^[a-z0-9][a-z0-9+.-]+$/;
const UUID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const BUILD_JSON_LIMIT = LIMITS.buildJson;

function inside(root: string, p: string): boolean {
  const rel = path.relative(root, p);
  return rel === "" || (!rel.startsWith("..") && !path.isAbsolute(rel));
}

export function buildtimeOf(d: Date): string {
  // The ISO form's digits, picked by position (a scan of a large folder makes one per build).
  const s = d.toISOString();
  return s.length === 24 ? s.slice(0, 4) + s.slice(5, 7) + s.slice(8, 10) + s.slice(11, 13) + s.slice(14, 16) + s.slice(17, 19) : s.replace(/[-:T]/g, "").slice(0, 14);
}

/** Files up to this size are hashed from one read; larger ones are streamed. */
const SMALL_FILE = 4 << 20;

export async function hashWithCache(file: string, cache?: HashCache, known?: Stats): Promise<string> {
  // Metadata calls are synchronous on purpose: a stat answered from the inode cache takes
  // microseconds, a round trip through libuv's thread pool ten times that, and a scan makes
  // thousands of them.
  const st = known ?? statSync(file);
  const hit = cache?.get(file, st.size, st.mtimeMs, st.ino);
  if (hit) return hit;
  // Read from a descriptor that is checked to be a regular file (regular-file.ts): a FIFO or device
  // swapped in after the stat would otherwise hang the run or never end.
  const o = { cap: LIMITS.file, limit: "file", what: "artifact", subject: file };
  const h = st.size <= SMALL_FILE ? hashRegularFileSync(file, o).sha256 : (await hashRegularFile(file, o)).sha256;
  cache?.set(file, st.size, st.mtimeMs, st.ino, h);
  return h;
}

/**
 * Checks the artifacts of a build that is read, other than its main binary (which the family checks
 * on the very bytes it reads): a digest that is not the one build.json names rejects the build.
 */
export async function checkArtifacts(b: Build, cache?: HashCache): Promise<void> {
  for (const [file, sha, name] of b.others ?? []) {
    let st: Stats;
    try {
      st = lstatSync(file);
    } catch {
      throw new RepogenError(`artifact "${name}" does not exist`);
    }
    if (!st.isFile()) throw new RepogenError(`artifact "${name}" is not a regular file`);
    const got = await hashWithCache(file, cache, st);
    if (got !== sha) throw new RepogenError(`artifact "${name}" has SHA-256 ${got}, build.json says ${sha}`);
  }
}

/**
 * A path named by build.json: relative, no "..", and not leaving the build folder through symlinks.
 * Returns its real path, and its stat when that came for free.
 */
function safePath(dir: string, realDir: string, rel: unknown, what: string): { real: string; st?: Stats } {
  if (typeof rel !== "string" || rel === "") throw new Reject(`${what} must be a non-empty string`);
  if (rel.startsWith("/") || path.isAbsolute(rel)) throw new Reject(`${what} "${rel}" is an absolute path`);
  if (rel.split(/[\\/]/).includes("..")) throw new Reject(`${what} "${rel}" contains ".."`);
  if (/[\x00-\x1f\x7f]/.test(rel)) throw new Reject(`${what} "${rel}" contains a control character`);
  const abs = path.join(dir, rel);
  // The common case, a plain file right in the build folder, needs no realpath: an lstat that finds
  // no symlink proves it (the folder's own real path is known).
  if (!/[\\/]/.test(rel)) {
    const st = lstatSync(abs, { throwIfNoEntry: false });
    if (!st) throw new Reject(`${what} "${rel}" does not exist`);
    if (!st.isSymbolicLink()) return { real: path.join(realDir, rel), st };
  }
  let real: string;
  try {
    real = realpathSync.native(abs);
  } catch {
    throw new Reject(`${what} "${rel}" does not exist`);
  }
  if (!inside(realDir, real)) throw new Reject(`${what} "${rel}" leaves the build folder through a symlink`);
  return { real };
}

function str(o: Record<string, unknown>, k: string): string {
  const v = o[k];
  if (typeof v !== "string" || v === "") throw new Reject(`"${k}" must be a non-empty string`);
  if (/[\r\n\x00]/.test(v)) throw new Reject(`"${k}" contains a line break`);
  return v;
}

async function readBuild(dir: string, realDir: string, jobFolder: string, uuidFolder: string): Promise<Build | "failed"> {
  const file = path.join(dir, "build.json");
  const st = lstatSync(file, { throwIfNoEntry: false });
  if (!st || !st.isFile()) throw new Reject("build.json is missing or not a regular file");
  if (st.size > BUILD_JSON_LIMIT) throw new Reject("build.json is larger than 1 MiB");
  let raw: unknown;
  try {
    // Not cached: a job folder that did not change is not looked into at all (its record stands for
    // its builds), so build.json is read only for new or changed job folders.
    raw = JSON.parse(readRegularFileSync(file, { cap: BUILD_JSON_LIMIT, limit: "buildJson", what: "build.json" }).toString("utf8"));
  } catch (e) {
    if (e instanceof RepogenError) throw new Reject(e.message);
    throw new Reject(`build.json is not valid JSON: ${(e as Error).message}`);
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw new Reject("build.json must hold an object");
  const o = raw as Record<string, unknown>;
  const result = str(o, "result");
  if (result !== "success" && result !== "failure") throw new Reject(`"result" must be "success" or "failure", not "${result}"`);
  if (result === "failure") return "failed";
  const job = str(o, "job");
  if (!JOB.test(job)) throw new Reject(`"job" "${job}" is not a valid package name`);
  if (job !== jobFolder) throw new Reject(`"job" "${job}" is not the folder's name "${jobFolder}"`);
  const uuid = str(o, "uuid");
  if (!UUID.test(uuid)) throw new Reject(`"uuid" "${uuid}" has characters a folder name cannot have`);
  if (uuid !== uuidFolder) throw new Reject(`"uuid" "${uuid}" is not the folder's name "${uuidFolder}"`);
  let platform: PlatformInfo;
  try {
    platform = parsePlatform(str(o, "platform"));
  } catch (e) {
    throw new Reject(errorLine(e));
  }
  const arch = str(o, "arch");
  if (!/^[a-z0-9][a-z0-9_-]*$/.test(arch)) throw new Reject(`"arch" "${arch}" is not an architecture name`);
  const startS = str(o, "start");
  if (!RFC3339.test(startS) || Number.isNaN(Date.parse(startS))) throw new Reject(`"start" "${startS}" is not an RFC 3339 time`);
  const finishS = str(o, "finish");
  if (!RFC3339.test(finishS) || Number.isNaN(Date.parse(finishS))) throw new Reject(`"finish" "${finishS}" is not an RFC 3339 time`);
  const start = new Date(startS);
  if (!Array.isArray(o.artifacts)) throw new Reject(`"artifacts" must be a list`);
  // The digests are checked when the build is read (checkArtifacts and the family's mainBinary), not
  // here: a build that select can never publish (an older build of a job, with build versions) is
  // not read, and hashing every artifact of 100 000 builds was most of a cold run's scan.
  const artifacts = new Map<string, string>();
  const resolved = new Map<string, string>();
  for (const [i, a] of (o.artifacts as unknown[]).entries()) {
    if (typeof a !== "object" || a === null) throw new Reject(`artifacts[${i}] must be an object`);
    const ar = a as Record<string, unknown>;
    const { real, st: known } = safePath(dir, realDir, ar.path, `artifacts[${i}].path`);
    const sha = ar.sha256;
    if (typeof sha !== "string" || !/^[0-9a-f]{64}$/.test(sha)) throw new Reject(`artifacts[${i}].sha256 must be 64 lowercase hex digits`);
    const ast = known ?? statSync(real);
    if (!ast.isFile()) throw new Reject(`artifact "${ar.path as string}" is not a regular file`);
    const name = path.normalize(ar.path as string);
    if (artifacts.has(name) && artifacts.get(name) !== sha) throw new Reject(`artifact "${ar.path as string}" is listed twice with different SHA-256`);
    artifacts.set(name, sha);
    resolved.set(name, real);
  }
  const mainRel = str(o, "main_binary");
  const main = resolved.get(path.normalize(mainRel)) ?? safePath(dir, realDir, mainRel, "main_binary").real;
  const base: Omit<Build, "kind"> = { dir, job, uuid, platform, arch, start, buildtime: buildtimeOf(start), main };
  const others: NonNullable<Build["others"]> = [];
  for (const [name, sha] of artifacts) if (resolved.get(name) !== main) others.push([resolved.get(name)!, sha, name]);
  if (others.length) base.others = others;
  if (o.versioning !== undefined) {
    if (o.versioning !== "build" && o.versioning !== "as-is") throw new Reject(`"versioning" must be "build" or "as-is"`);
    base.versioning = o.versioning;
  }
  if (o.package !== undefined) {
    const spec = safePath(dir, realDir, o.package, "package").real;
    if (!statSync(main).isDirectory()) throw new Reject(`main_binary "${mainRel}" must be the staged tree's folder when "package" is given`);
    return { ...base, kind: "tree", spec };
  }
  const sha = artifacts.get(path.normalize(mainRel));
  if (!sha) throw new Reject(`main_binary "${mainRel}" is not listed in artifacts`);
  const kind = mainRel.endsWith(".deb") ? "deb" : mainRel.endsWith(".pkg") ? "pkg" : null;
  if (!kind) throw new Reject(`main_binary "${mainRel}" is neither a .deb nor a .pkg`);
  if (kind === "deb" && platform.family !== "debian") throw new Reject(`a .deb cannot be published for platform ${platform.platform}`);
  if (kind === "pkg" && platform.family !== "freebsd") throw new Reject(`a .pkg cannot be published for platform ${platform.platform}`);
  return { ...base, kind, mainSha256: sha };
}

/**
 * A digest of what the scan's shortcuts rest on: the builds folder's listing and every job folder's
 * stat key. The same stamp as a complete run's means the scan would find exactly what it found then
 * (builds are written once; a new, removed or renamed build folder changes its job folder's mtime).
 * Metadata only: one stat per job folder.
 */
export function buildsStamp(buildsDir: string, cache?: HashCache): string | null {
  try {
    const stamp = new Stamp(buildsDir, statSync(buildsDir));
    // Not remembered: the scan tells a changed listing by its absence from the cache.
    for (const j of listDir(buildsDir, cache, false)) {
      if (j.name.startsWith(".") || isRealDir(buildsDir, j) !== true) continue;
      const st = lstatSync(path.join(buildsDir, j.name), { throwIfNoEntry: false });
      if (!st) return null;
      stamp.job(j.name, statKey(st));
    }
    return stamp.digest();
  } catch {
    return null;
  }
}

/** The digest buildsStamp makes, fed by the scan as it stats the same folders (see ScanResult.stamp). */
class Stamp {
  private readonly h = createHash("sha256");
  constructor(buildsDir: string, st: Stats) {
    this.h.update(`${path.resolve(buildsDir)}\0${statKey(st)}\0`);
  }
  job(name: string, key: string): void {
    this.h.update(`${name}\0${key}\n`);
  }
  digest(): string {
    return this.h.digest("hex");
  }
}

/**
 * Lists the builds. A job folder's mtime changes whenever a build folder is added to it, removed or
 * renamed, so a job folder whose stat key is the one recorded needs no look inside: its builds are
 * the recorded ones. Builds are written once (CONTRACT "Builds"); a rejected build is looked at again
 * on every run, since it may have been a folder still being written.
 */
export async function scanBuilds(buildsDir: string, cache?: HashCache): Promise<ScanResult> {
  const res: ScanResult = { builds: [], rejections: [], failed: [] };
  let jobs: Entry[];
  let listingChanged = true;
  let stamp: Stamp | null = null;
  try {
    const rootSt = statSync(buildsDir);
    stamp = new Stamp(buildsDir, rootSt);
    const key = cache?.text ? statKey(rootSt) : "";
    listingChanged = !cache?.text || cache.text(`${buildsDir}\0kinds`, key) === undefined;
    jobs = listDir(buildsDir, cache);
  } catch (e) {
    // A builds folder that is not there is a configuration mistake, not an empty repository.
    throw new UsageError(`the builds folder cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, buildsDir);
  }
  // Job and build folders are checked not to be symlinks, so their real paths follow from this one.
  const realBuilds = realpathSync.native(buildsDir);
  const records = cache?.jobRecord && cache.setJobRecord ? cache : undefined;
  const absBuilds = path.resolve(buildsDir);
  records?.prefetchJobs?.(absBuilds);
  const seenJobs = new Set<string>();
  // Per job folder: its outcomes, either recorded or to be read (index into `dirs`).
  const perJob: Array<{ id: string; key: string; jobDir: string; job: string; fresh: boolean; slots: Array<[string, number | Outcome]> }> = [];
  const dirs: Array<{ dir: string; job: string; uuid: string; real: boolean | "symlink" }> = [];
  for (const j of jobs) {
    if (j.name.startsWith(".") || isRealDir(buildsDir, j) !== true) continue;
    const jobDir = path.join(buildsDir, j.name);
    const id = path.join(absBuilds, j.name);
    seenJobs.add(id);
    let key = "";
    if (records) {
      key = statKey(lstatSync(jobDir));
      stamp.job(j.name, key);
      const hit = records.jobRecord!(id, key);
      const decode = (t: string) => decodeRecord(t, jobDir, j.name, path.join(realBuilds, j.name));
      const rec = hit === undefined ? null : records.decodedRecord ? records.decodedRecord(hit, () => decode(hit)) : decode(hit);
      if (rec) {
        const slots: Array<[string, number | Outcome]> = [];
        for (const [uuid, o] of rec.builds) {
          // Rejections are read again: the folder may have been half-written when last seen.
          if (o && typeof o === "object" && "reason" in o) {
            let real: boolean | "symlink" = false;
            try {
              real = isRealDir(jobDir, { name: uuid, kind: "?" });
            } catch {
              continue; // gone since: the record is rewritten below without it
            }
            dirs.push({ dir: path.join(jobDir, uuid), job: j.name, uuid, real });
            slots.push([uuid, dirs.length - 1]);
          } else slots.push([uuid, o]);
        }
        perJob.push({ id, key, jobDir, job: j.name, fresh: false, slots });
        continue;
      }
    }
    const slots: Array<[string, number | Outcome]> = [];
    for (const u of listDir(jobDir)) {
      if (u.name.startsWith(".")) continue;
      dirs.push({ dir: path.join(jobDir, u.name), job: j.name, uuid: u.name, real: isRealDir(jobDir, u) });
      slots.push([u.name, dirs.length - 1]);
    }
    perJob.push({ id, key, jobDir, job: j.name, fresh: true, slots });
  }
  const results = await mapLimit(dirs, PARALLEL, async ({ dir, job, uuid, real }): Promise<Outcome> => {
    if (real === "symlink") return { dir, reason: "the build folder is a symlink" };
    if (!real) return null;
    try {
      return await readBuild(dir, path.join(realBuilds, job, uuid), job, uuid);
    } catch (e) {
      return { dir, reason: e instanceof Reject ? e.message : errorLine(e) };
    }
  });
  for (const pj of perJob) {
    const outcomes: Array<[string, Outcome]> = pj.slots.map(([uuid, s]) => [uuid, typeof s === "number" ? results[s]! : s]);
    if (records && pj.fresh) {
      // A job folder looked at anew: builds that left it are forgotten.
      const prev = records.previousJobRecord?.(pj.id);
      const old = prev === undefined ? null : decodeRecord(prev, pj.jobDir, pj.job, path.join(realBuilds, pj.job));
      if (old) {
        const now = new Set(outcomes.map(([u]) => u));
        for (const [u] of old.builds) if (!now.has(u)) records.forgetBuild?.(path.join(pj.id, u));
      }
      records.setJobRecord!(pj.id, pj.key, encodeRecord({ v: 2, builds: outcomes }, path.join(realBuilds, pj.job)));
    } else if (records && outcomes.some(([, o], i) => typeof pj.slots[i]![1] === "number" && o !== null && !(typeof o === "object" && "reason" in o))) {
      // A rejected build that is now whole: the record learns it.
      records.setJobRecord!(pj.id, pj.key, encodeRecord({ v: 2, builds: outcomes }, path.join(realBuilds, pj.job)));
    }
    for (const [uuid, r] of outcomes) {
      if (r === null) continue;
      if (r === "failed") res.failed.push(path.join(pj.jobDir, uuid));
      else if ("reason" in r) res.rejections.push(r);
      else res.builds.push(r);
    }
  }
  if (records && listingChanged && records.recordedJobs && records.forgetJob) {
    for (const d of records.recordedJobs(absBuilds)) if (!seenJobs.has(d)) records.forgetJob(d);
  }
  if (records) res.stamp = stamp.digest();
  res.read = dirs.length;
  return res;
}
