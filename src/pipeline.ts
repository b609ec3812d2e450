/**
 * The generate flow, one function per stage: scan → package → select → index → sign → publish →
 * retain. `generate` runs them once; `runStages` runs them over a state that stays loaded. Only scan
 * reads the builds folder and only the Storage (publish/storage) writes into the output.
 */
import { readdirSync, readFileSync, renameSync, rmdirSync, rmSync, writeFileSync } from "node:fs";
import { mkdir, readFile, rm } from "node:fs/promises";
import path from "node:path";
import { buildsStamp, scanBuilds, checkArtifacts, hashWithCache, type Build, type Rejection, type ScanResult } from "./builds/scan.js";
import { decodeLastRun, encodeLastRun, runSalt, stillTheSame } from "./publish/last-run.js";
import { repogenVersion } from "./version.js";
import type { Config } from "./config.js";
import { BookkeepingError, errorLine, LockedError } from "./errors.js";
import { buildKey, buildKeyOfDir } from "./builds/identity.js";
import { failAfter, hookAfterScan } from "./util/failpoint.js";
import { deliveredPath, type Family, type RepoFile, type RepositoryResult, type SiteContext } from "./family.js";
import { decodeRecord as decodeRepoRecord, encodeRecord as encodeRepoRecord, repoFingerprint, stillPublished, type RepoRecord } from "./publish/index-memo.js";
import { acquireLock } from "./publish/lock.js";
import { listPending, settlePending, type BuildOutcome } from "./publish/pending.js";
import { State, type CachedPackage } from "./state/state.js";
import { isS3Url, openStorage } from "./publish/storage/open.js";
import { isManaged, LeaseLostError, type Storage } from "./publish/storage/storage.js";
import { mapLimit, PARALLEL } from "./util/concurrency.js";
import { collectGarbage } from "./util/memory.js";
import { applyRetention, MARKER } from "./publish/retention.js";
import { aptSources, type SiteRepo } from "./site/render.js";
import { eachSitePage, releaseDates, siteFingerprint, sitePaths, type SiteFile, type SiteInput } from "./site/pages.js";
import { createHash } from "node:crypto";
import { readRegularFile } from "./util/regular-file.js";
import { SPEC_FILE } from "./spec.js";
import { PoolError, PreparePool } from "./prepare-pool.js";

/**
 * From this many builds, garbage is collected between phases to keep the peak down (util/memory);
 * below it the peak is far from any limit and the collections would only cost time.
 */
const LARGE_RUN = 5000;

/** Web pages written per putMany (in parallel on S3); only a batch is held in memory at a time. */
const PAGE_BATCH = 256;

export interface GenerateOptions {
  config: Config;
  now: Date;
  dryRun: boolean;
  families: Record<"debian" | "freebsd", Family>;
  /**
   * Loads the signing keys the found builds need, after the scan and before anything is written, and
   * returns the public halves to publish.
   */
  loadKeys: (families: Set<"debian" | "freebsd">) => Promise<{ aptBinary?: Uint8Array; aptArmored?: string; pkgPem?: string }>;
  /** Extra files of a family (FreeBSD snippet, fingerprint), relative to output. */
  extraFiles?: (repos: SiteRepo[]) => RepoFile[];
  pkgConf?: string | null;
  progress?: (done: number, total: number, what: string) => void;
  log?: (s: string) => void;
  /**
   * Stops the run between stages while nothing is published yet (the pool files it placed are taken
   * back); once the publish stage has begun, the run finishes it.
   */
  signal?: AbortSignal;
  /**
   * Leaves the survey of the tree and retention out of this run (a resident process runs them now and
   * then: what goes, goes after grace_hours anyway, and walking the whole tree is most of a small run).
   */
  skipRetention?: boolean;
  /**
   * Whether a run may stop right after its checks when nothing it rests on changed since the last
   * complete run (publish/last-run.ts). On by default; a resident process, which reports every
   * build's fate from each run, turns it off.
   */
  quick?: boolean;
}

export interface Summary {
  builds: number;
  failed: number;
  published: Record<string, Array<{ name: string; version: string; arch: string; file: string }>>;
  repositories: Array<{ name: string; changed: boolean; packages: number }>;
  added: string[];
  updated: string[];
  removed: string[];
  unchanged: number;
  /** `build` is `job/uuid` (CONTRACT "Input"), `dir` the build folder. */
  rejected: Array<Rejection & { build: string }>;
  /** Published, but worth a look: one line each (an alias left out, a relation a rewrite broke). */
  warnings: string[];
  timings: Record<string, number>;
  dryRun: boolean;
  /** Requests made to the output by kind (S3 commands); absent for a folder. */
  requests?: Record<string, number>;
}

/** Where a build's package result is cached (state row `id`, cache key `key`), and that result if it is there. */
interface Lookup {
  family: Family;
  key: string;
  id: string;
  cached: CachedPackage | undefined;
}

/** Builds in flight while worker threads package: enough to keep every worker's next batches queued. */
const POOL_PARALLEL = 128;

interface Candidate {
  build: Build;
  family: Family;
  repo: string;
  pkg: CachedPackage;
  produced: string | null;
  move: boolean;
  extras?: Array<{ path: string; file: string }>;
  /** Set when the package came from the cache: its state row, to make it again if its pool file is gone. */
  redo?: { id: string; key: string };
}

/** Per repository and package name and arch, the newest keep_versions distinct binaries. */
export function select(cands: Candidate[], keep: number): { chosen: Candidate[]; rejected: Rejection[] } {
  const groups = new Map<string, Candidate[]>();
  for (const c of cands) {
    const k = `${c.family.name}\0${c.repo}\0${c.pkg.name}\0${c.pkg.arch}`;
    if (!groups.has(k)) groups.set(k, []);
    groups.get(k)!.push(c);
  }
  const chosen: Candidate[] = [];
  const rejected: Rejection[] = [];
  for (const g of groups.values()) {
    // The same binary delivered twice keeps its first build: a republished binary changes nothing.
    g.sort((a, b) => a.build.start.getTime() - b.build.start.getTime() || (a.build.uuid < b.build.uuid ? -1 : 1));
    const bySha = new Map<string, Candidate>();
    const byVersion = new Map<string, Candidate>();
    for (const c of g) {
      if (bySha.has(c.pkg.mainSha256)) continue;
      const same = byVersion.get(c.pkg.version);
      if (same) {
        rejected.push({ dir: c.build.dir, reason: `version ${c.pkg.version} of ${c.pkg.name} is already taken by a different binary (build ${buildKey(same.build)})` });
        continue;
      }
      bySha.set(c.pkg.mainSha256, c);
      byVersion.set(c.pkg.version, c);
    }
    const distinct = [...bySha.values()].sort(
      (a, b) => -a.family.compareVersions(a.pkg.version, b.pkg.version) || b.build.start.getTime() - a.build.start.getTime(),
    );
    chosen.push(...distinct.slice(0, keep));
  }
  return { chosen, rejected };
}

/**
 * The builds whose packages are read: with `versioning = "build"` a newer build of the same job,
 * platform and arch always has the newer version (its build time is in it), so of each such group only
 * the `keep` newest distinct binaries (by the main binary's SHA-256 in build.json; the same binary
 * delivered again counts from its first build) can be published, and the older builds are not read at
 * all, unless one of the newer is rejected (`more`); builds of the same second as the last one read
 * are read too. With "as-is" versions, any build may hold the
 * highest version: every build is read.
 */
export function preselect(
  builds: Build[],
  keep: number,
  versioning: string,
): { first: Build[]; more: (outcome: Map<Build, Candidate | Rejection>) => Build[] } {
  const first: Build[] = [];
  const groups = new Map<string, Build[]>();
  for (const b of builds) {
    const v = (b as { versioning?: string }).versioning ?? versioning;
    if (v !== "build") {
      first.push(b);
      continue;
    }
    const k = `${b.platform.platform}\0${b.job}\0${b.arch}`;
    let g = groups.get(k);
    if (!g) groups.set(k, (g = []));
    g.push(b);
  }
  // Each group newest first, one entry per distinct binary: its builds oldest first. The first of
  // them is the one read (a binary delivered again counts from its first build); if it is rejected
  // (an artifact is not what build.json says), the next one that delivered the same binary is read.
  const lists: Build[][][] = [];
  for (const g of groups.values()) {
    g.sort((a, b) => a.start.getTime() - b.start.getTime() || (a.uuid < b.uuid ? -1 : 1));
    const seen = new Map<string, Build[]>();
    for (const b of g) {
      const sha = b.mainSha256 ?? `tree:${b.uuid}`;
      const e = seen.get(sha);
      if (e) e.push(b);
      else seen.set(sha, [b]);
    }
    const list = [...seen.values()].reverse();
    lists.push(list);
    first.push(...upTo(list, 0, keep));
  }
  const more = (outcome: Map<Build, Candidate | Rejection>) => {
    const next: Build[] = [];
    for (const list of lists) {
      let accepted = 0;
      let read = 0;
      let last: Build | undefined;
      let waiting = false;
      for (const entry of list) {
        // The entry's first build that is not rejected, and whether it has been read.
        let pick: Build | undefined;
        let unread = false;
        for (const b of entry) {
          const o = outcome.get(b);
          if (!o) {
            pick = b;
            unread = true;
            break;
          }
          if (!("reason" in o)) {
            pick = b;
            break;
          }
        }
        if (unread) {
          // A fallback within an entry is read now, and the entries after it wait for its outcome;
          // an entry not begun is read only as wanted below.
          if (pick !== entry[0]) {
            next.push(pick!);
            waiting = true;
          }
          break;
        }
        read++;
        if (pick && ++accepted === keep) last = pick;
      }
      if (waiting) continue;
      // Enough accepted: only builds as new as the last of them are still read (their versions
      // differ only by SHA-256). Too few: the next ones.
      if (last) for (let i = read; i < list.length && list[i]![0]!.start.getTime() === last.start.getTime(); i++) next.push(list[i]![0]!);
      else next.push(...upTo(list, read, keep - accepted));
    }
    return next;
  };
  return { first, more };
}

/**
 * The first builds of `n` entries of a newest-first list from `from`, and those after them with the
 * same start as the last (builds of the same second are told apart only by their SHA-256, so none of
 * them can be left out).
 */
function upTo(list: Build[][], from: number, n: number): Build[] {
  if (n <= 0 || from >= list.length) return [];
  let end = Math.min(list.length, from + n);
  const t = list[end - 1]![0]!.start.getTime();
  while (end < list.length && list[end]![0]!.start.getTime() === t) end++;
  return list.slice(from, end).map((e) => e[0]!);
}

/**
 * What every repository's indexes depend on beside its packages: the configuration that shapes
 * them and the public keys that sign them (a key added, dropped or replaced makes them again).
 */
function indexSalt(c: Config, keys: Awaited<ReturnType<GenerateOptions["loadKeys"]>>): string {
  const h = createHash("sha256");
  h.update(JSON.stringify([c.origin, c.label, c.description, c.baseUrl, c.validDays, c.apt, c.pkg]));
  if (keys.aptBinary) h.update(keys.aptBinary);
  h.update(`\0${keys.pkgPem ?? ""}`);
  return h.digest("hex");
}

function keyringName(origin: string): string {
  return origin.toLowerCase().replace(/[^a-z0-9._-]+/g, "-");
}

/** How buildIndexes learns what the repositories were last made from (publish/index-memo.ts). */
interface IndexMemo {
  recall(family: string, key: string): RepoRecord | null;
  version(rel: string): Promise<string | null>;
  /** The configuration and keys every repository's indexes depend on. */
  salt: string;
}

/** A repository as this run has it: made anew, or kept as published (its record). */
type RepoOutcome = { made: RepositoryResult; warnings: string[]; fp: string; kept?: undefined } | { kept: RepoRecord; fp: string; made?: undefined };

/**
 * The index files of every repository the chosen packages go to, computed side by side; a
 * repository whose inputs and published files are as its record says is kept as it is.
 */
async function buildIndexes(chosen: Candidate[], site: SiteContext, memo: IndexMemo) {
  const repos = new Map<string, { family: Family; key: string; pkgs: Candidate[] }>();
  for (const cand of chosen) {
    const k = `${cand.family.name}\0${cand.repo}`;
    if (!repos.has(k)) repos.set(k, { family: cand.family, key: cand.repo, pkgs: [] });
    repos.get(k)!.pkgs.push(cand);
  }
  const sortedRepos = [...repos.values()].sort((a, b) => (a.family.name + a.key < b.family.name + b.key ? -1 : 1));
  const results = await Promise.all(
    sortedRepos.map(async (r): Promise<RepoOutcome> => {
      const pkgs = r.pkgs.map((p) => p.pkg);
      const fp = repoFingerprint(r.family.name, r.key, `${memo.salt}\0${r.family.cacheSalt(site.config)}`, pkgs);
      const rec = memo.recall(r.family.name, r.key);
      if (rec && (await stillPublished(rec, fp, site.now, memo.version))) return { kept: rec, fp };
      const made = await r.family.repository(r.key, pkgs, site);
      const warnings = r.family.brokenRelations?.(r.key, r.pkgs.map((p) => ({ pkg: p.pkg, build: `${p.build.job}/${p.build.uuid}` }))) ?? [];
      return { made, warnings, fp };
    }),
  );
  const files: RepoFile[] = [];
  const kept: string[] = [];
  const repoSummaries: Summary["repositories"] = [];
  const siteRepos: SiteRepo[] = [];
  const repoBases: string[] = [];
  const aliasOf = new Map<string, string[]>();
  const dates = new Map<string, RepoRecord["dates"]>();
  const repoWarnings: string[] = [];
  const toRecord: Array<{ family: string; key: string; fp: string; made: RepositoryResult; warnings: string[]; dates: RepoRecord["dates"] }> = [];
  for (const [i, r] of sortedRepos.entries()) {
    const o = results[i]!;
    const base = o.made ? o.made.base : o.kept.base;
    for (const a of (o.made ? o.made.aliases : o.kept.aliases) ?? []) aliasOf.set(a, [...(aliasOf.get(a) ?? []), base]);
    if (o.made) {
      files.push(...o.made.files);
      const d = releaseDates(o.made.files.find((f) => f.path === `${base}/Release`)?.data);
      dates.set(`${r.family.name}\0${r.key}`, d);
      repoWarnings.push(...o.warnings);
      toRecord.push({ family: r.family.name, key: r.key, fp: o.fp, made: o.made, warnings: o.warnings, dates: d });
    } else {
      kept.push(...o.kept.files.map(([p]) => p));
      dates.set(`${r.family.name}\0${r.key}`, o.kept.dates);
      repoWarnings.push(...o.kept.warnings);
    }
    repoBases.push(base);
    repoSummaries.push({ name: o.made ? o.made.name : o.kept.name, changed: o.made ? o.made.changed : false, packages: r.pkgs.length });
    siteRepos.push({
      kind: r.family.name === "debian" ? "apt" : "pkg",
      key: r.key,
      rows: r.pkgs
        .map((p) => ({
          name: p.pkg.name,
          version: p.pkg.version,
          arch: p.pkg.arch,
          size: p.pkg.size,
          date: p.build.start,
          file: r.family.name === "debian" ? p.pkg.pool.replace(/^apt\//, "") : p.pkg.pool.replace(/^pkg\/[^/]+\//, ""),
          source: {
            ...p.pkg,
            job: p.build.job,
            uuid: p.build.uuid,
            platform: p.build.platform.platform,
            buildtime: p.build.buildtime,
            start: p.build.start,
          },
        }))
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.arch < b.arch ? -1 : 1)),
    });
  }
  const { aliases, warnings } = checkAliases(aliasOf, repoBases);
  warnings.push(...repoWarnings);
  return { files, kept, repoBases, repoSummaries, siteRepos, aliases, warnings, dates, toRecord };
}

/**
 * Once a run's files are published, each repository it made gets its record: what it was made from
 * and the version token of every file it published (see publish/index-memo.ts).
 */
async function recordRepositories(tree: Storage, state: State, indexed: Indexed): Promise<void> {
  for (const r of indexed.toRecord) {
    const tokens = await Promise.all(r.made.files.map(async (f) => [f.path, await tree.version(f.path)] as const));
    // A file that is not there (a dry run, a storage that keeps no versions) leaves no record.
    if (tokens.some(([, t]) => t === null)) continue;
    state.setText(
      repoRecordName(r.family, r.key),
      "1",
      encodeRepoRecord({
        fp: r.fp,
        name: r.made.name,
        base: r.made.base,
        aliases: r.made.aliases ?? [],
        warnings: r.warnings,
        renewAfter: r.made.renewAfter ? r.made.renewAfter.getTime() : null,
        dates: r.dates,
        files: tokens as Array<[string, string]>,
      }),
    );
  }
}

function repoRecordName(family: string, key: string): string {
  return `repository\0${family}\0${key}`;
}

/** An alias that names a repository's own folder, or two repositories at once, is left out with a warning. */
function checkAliases(aliasOf: Map<string, string[]>, bases: string[]) {
  const aliases: Array<{ link: string; target: string }> = [];
  const warnings: string[] = [];
  for (const [link, targets] of [...aliasOf].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    if (bases.includes(link)) warnings.push(`${link} is not made an alias of ${targets.join(" and ")}: a suite of that name is published`);
    else if (targets.length > 1) warnings.push(`${link} is not made an alias: ${targets.join(" and ")} both have that Codename`);
    else aliases.push({ link, target: targets[0]! });
  }
  return { aliases, warnings };
}

/**
 * Aliases (dists/CODENAME) after their suites' InRelease, so they never show a half-published suite;
 * an alias no suite has any more goes at once (it would show a suite that is no longer that codename).
 */
async function publishAliases(tree: Storage, aliases: Array<{ link: string; target: string }>): Promise<void> {
  for (const a of aliases) await tree.alias(a.link, a.target);
  const wanted = new Set(aliases.map((a) => a.link));
  for (const old of await tree.aliases("apt/dists")) if (!wanted.has(old.link)) await tree.unalias(old.link);
}

/**
 * A run's bookkeeping, kept out of the stages: timings, garbage collection in large runs, progress,
 * and what was written so far: until an index goes live it is all taken back if the run fails.
 */
class RunBook {
  readonly timings: Record<string, number> = {};
  readonly placed: string[] = [];
  /** Files written before any index goes live, with what they replaced (null: new). */
  readonly undo: Array<{ rel: string; old: Buffer | null }> = [];
  /**
   * From the first write of a canonical index on, a live index may name the new pool files: from
   * then on nothing is taken back, and a failure is exit 5 (BookkeepingError).
   */
  live = false;
  /** What the run is doing once live, for the exit-5 message. */
  step = "publishing";
  /** Set after the scan: from LARGE_RUN builds read, garbage is collected between stages. */
  large = false;
  private readonly t0 = Date.now();
  constructor(readonly progress?: GenerateOptions["progress"]) {}

  async timed<T>(stage: string, fn: () => Promise<T> | T): Promise<T> {
    const t = Date.now();
    try {
      return await fn();
    } finally {
      this.timings[stage] = Date.now() - t;
    }
  }

  collect(): void {
    if (this.large) collectGarbage();
  }

  finish(): Record<string, number> {
    this.timings.total = Date.now() - this.t0;
    return this.timings;
  }
}

export async function generate(o: GenerateOptions): Promise<Summary> {
  const lock = await acquireLock(o.config.state);
  try {
    const book = new RunBook(o.progress);
    const state = await book.timed("state", async () => {
      const s = new State(o.config.state);
      await s.load();
      return s;
    });
    return (await runSettling(o, state, book)).summary;
  } finally {
    await lock.release();
  }
}

/** A run's summary, and what became of each build it scanned (by `job/uuid`). */
export interface RunResult {
  summary: Summary;
  outcomes: Map<string, BuildOutcome>;
  /** Builds announced by hooks (pending markers) that this run did not see. */
  pendingLeft: number;
}

/**
 * One run that also answers the hooks waiting for it: the pending markers listed before the scan
 * are settled with the run's outcomes (publish/pending.ts).
 */
export async function runSettling(o: GenerateOptions, state: State, book?: RunBook): Promise<RunResult> {
  const claimed = listPending(o.config.state);
  const r = await runStages(o, state, book);
  const pendingLeft = o.dryRun ? 0 : await settlePending(o.config.state, claimed, r.outcomes);
  return { ...r, pendingLeft };
}

/**
 * Runs until every pending build is settled, under the caller's lock: a hook that holds the lock
 * publishes the builds of the hooks that came while it ran, with at most a few follow-up runs.
 */
export async function runUntilSettled(o: GenerateOptions, state: State, maxRuns = 5): Promise<RunResult[]> {
  const runs: RunResult[] = [];
  do runs.push(await runSettling(o, state));
  while (runs.at(-1)!.pendingLeft > 0 && runs.length < maxRuns);
  return runs;
}

/**
 * One run over a loaded state, under the lock the caller holds: the stages in order. `generate` calls
 * it once; a resident process calls it again with the same state.
 */
export async function runStages(o: GenerateOptions, state: State, book = new RunBook(o.progress)): Promise<Omit<RunResult, "pendingLeft">> {
  const c = o.config;
  const tree = await openStorage(c, o.dryRun);
  const work = path.join(c.state, `work-${process.pid}`);
  let saving: Promise<void> | null = null;
  try {
    await book.timed("open", () => tree.open());
    // The tree as the last complete run left it (see retain); unknown from this run's first write on.
    const clean = readTreeClean(c.state);
    let forgot = false;
    if (!o.dryRun)
      tree.beforeFirstWrite = () => {
        forgetTreeClean(c.state);
        forgot = true;
      };
    const salt = runSalt(c, c.keys, repogenVersion());
    if (o.quick !== false && !o.dryRun) {
      const same = await book.timed("quick", () => unchangedSinceLastRun(c, state, tree, o.now, clean, salt));
      if (same) {
        // A bucket records the lease it wrote under: the next run trusts its inventory by it.
        await tree.commit();
        return { summary: { ...same, added: [], updated: [], removed: [], unchanged: 0, timings: book.finish(), dryRun: false, ...(tree.requests() ? { requests: tree.requests() } : {}) }, outcomes: new Map() };
      }
    }
    const found = await book.timed("scan", () => scan(c, state));
    hookAfterScan();
    // Collections pay off where a run reads thousands of builds (a cold run), not where it finds
    // thousands on record and reads a few: there each full collection of a large heap is wasted.
    book.large = found.builds.length >= LARGE_RUN && (found.read ?? found.builds.length) >= LARGE_RUN / 5;
    book.collect();
    const publicKeys = await book.timed("keys", () => o.loadKeys(new Set(found.builds.map((b) => b.platform.family))));
    await openWork(c.state, work);
    o.signal?.throwIfAborted();
    const packaged = await book.timed("package", () => packageBuilds(o, state, found.builds, work, book));
    o.signal?.throwIfAborted();
    book.collect();
    const sel = select(packaged.candidates, c.keepVersions);
    await book.timed("repack", () => ensurePool(o, state, tree, sel.chosen, work));
    const site = { config: c, now: o.now, readPublished: (rel: string) => tree.read(rel) };
    const memo: IndexMemo = {
      recall: (family, key) => decodeRepoRecord(state.text(repoRecordName(family, key), "1")),
      version: (rel) => tree.version(rel),
      salt: indexSalt(c, publicKeys),
    };
    const indexed = await book.timed("index", () =>
      index(tree, sel.chosen, site, memo, book, () => {
        // The caches are final once the pool is placed: written while xz works on the indexes (only
        // what this run learnt is written).
        if (o.dryRun) return;
        saving = state.saveCaches();
        saving.catch(() => undefined);
      }),
    );
    book.collect();
    o.signal?.throwIfAborted();
    const trust = sign(o, publicKeys, indexed.siteRepos);
    const pages = await book.timed("publish", () => publish(tree, o, state, indexed, trust, book));
    book.step = "retention";
    const liveDigest = await book.timed("retention", () => {
      failAfter("retention");
      return o.skipRetention ? null : retain(tree, o, state, indexed, [...trust.files, ...pages], clean, book);
    });
    book.step = "saving the state";
    await book.timed("save", async () => {
      if (o.dryRun) return;
      book.collect();
      await tree.commit();
      await Promise.all([saving ?? state.saveCaches(), state.saveRetention()]);
      // What publishing learnt after the early save (the web pages' fingerprint).
      if (state.dirty) await state.saveCaches();
      if (liveDigest !== null && (liveDigest !== clean || forgot)) writeTreeClean(c.state, liveDigest);
    });
    failAfter("state");
    const rejected = [...found.rejections, ...packaged.rejected, ...sel.rejected, ...indexed.rejected];
    const summary = summarize(o, tree, found, rejected, indexed, book.finish());
    if (!o.dryRun) await book.timed("record", () => recordLastRun(c, state, salt, found.stamp ?? null, liveDigest, summary, indexed));
    return { summary, outcomes: outcomesOf(c, found, rejected, indexed.chosen) };
  } catch (e) {
    if (book.live) {
      // A published index may name the new pool files: they stay, whatever failed after.
      throw new BookkeepingError(`published, but the run could not finish its bookkeeping (${book.step}: ${errorLine(e)}); the tree is consistent and the next run completes it`, c.output);
    }
    // Another writer holds the bucket now and may name what we placed: nothing is taken back.
    if (e instanceof LeaseLostError) throw e;
    await takeBack(tree, c.output, book, e);
    throw e;
  } finally {
    await (saving as Promise<void> | null)?.catch(() => undefined); // a failed run still leaves a whole state file, or the old one
    await rm(work, { recursive: true, force: true }).catch(() => undefined);
    await tree.close().catch(() => undefined);
  }
}

/**
 * A run that failed before any index went live leaves the tree exactly as it was: the files it wrote
 * go, newest first, the ones it replaced get their old bytes back, and the folders it made go too.
 */
async function takeBack(tree: Storage, root: string, book: RunBook, cause: unknown): Promise<void> {
  const left: string[] = [];
  for (const { rel, old } of [...book.undo].reverse()) {
    try {
      if (old === null) await tree.discard(rel);
      else await tree.put(rel, old, { uncounted: true });
    } catch {
      left.push(rel);
    }
  }
  for (const p of book.placed) await tree.discard(p).catch(() => left.push(p));
  if (left.length)
    throw new BookkeepingError(`failed before publishing (${errorLine(cause)}), and could not take back ${left.length} new file(s) such as ${left[0]}; no index names them, the next run reuses or removes them`, root);
  if (!tree.dryRun && !isS3Url(root)) pruneEmptyFolders(root, [...book.undo.map((u) => u.rel), ...book.placed]);
}

/** Removes the folders that a taken-back run left empty (pool/main/x/NAME), up to the root. */
function pruneEmptyFolders(root: string, rels: string[]): void {
  const dirs = new Set(rels.map((r) => path.posix.dirname(r)));
  for (let d of [...dirs].sort((a, b) => b.length - a.length)) {
    for (; d !== "." && d !== "/" && d !== ""; d = path.posix.dirname(d)) {
      try {
        rmdirSync(path.join(root, d));
      } catch {
        break; // not empty (or gone): its parents are not ours to remove
      }
    }
  }
}

/** Stage scan: the finished builds, what was rejected, what failed. Only this stage reads the builds folder. */
async function scan(c: Config, state: State): Promise<ScanResult> {
  return scanBuilds(c.builds, state);
}

/** Work folders of runs that were killed go (the caller holds the lock, so no live run owns one). */
async function openWork(stateDir: string, work: string): Promise<void> {
  for (const d of readdirSync(stateDir)) if (/^work-\d+$/.test(d)) await rm(path.join(stateDir, d), { recursive: true, force: true });
  await mkdir(work, { recursive: true });
}

/**
 * Stage package: the package of each build that can be published (see preselect), from the cache or
 * prepared. A build's result is cached by its folder and a key of what it was made from, whether or not
 * its pool file is still there (`ensurePool` checks that for what gets published).
 */
async function packageBuilds(o: GenerateOptions, state: State, builds: Build[], work: string, book: RunBook): Promise<{ candidates: Candidate[]; rejected: Rejection[] }> {
  const c = o.config;
  const pre = preselect(builds, c.keepVersions, c.versioning);
  const ctx = { config: c, work, hash: (f: string) => hashWithCache(f, undefined) };
  let done = 0;
  let total = pre.first.length;
  // Where a build's result is cached, and the cached result if it is there.
  const look = async (b: Build): Promise<Lookup | Rejection> => {
    try {
      const family = o.families[b.platform.family];
      // Opened as a regular file of at most LIMITS.spec bytes: a FIFO here would hang the run.
      const specSha = b.spec ? createHash("sha256").update(await readRegularFile(b.spec, SPEC_FILE)).digest("hex") : "";
      // A build's own versioning is part of the key only when it has one: older keys stay valid.
      const key = `${buildKey(b)}:${b.mainSha256 ?? specSha}:${family.cacheSalt(c)}:${b.platform.platform}:${b.arch}${b.versioning ? `:v=${b.versioning}` : ""}`;
      const id = path.resolve(b.dir);
      return { family, key, id, cached: state.getPackage(id, key) };
    } catch (e) {
      return { dir: b.dir, reason: errorLine(e) };
    }
  };
  let pool: PreparePool | null = null;
  const readOne = async (b: Build, lk: Lookup | Rejection): Promise<Candidate | Rejection> => {
    try {
      if ("reason" in lk) return lk;
      const { family, key, id, cached } = lk;
      // A cached package was made from checked bytes; a new one checks its build's artifacts now.
      if (!cached) await checkArtifacts(b, state);
      const prep = cached ? await family.prepare(b, ctx, cached) : pool ? await pool.prepare(b) : await family.prepare(b, ctx, undefined);
      if (!cached) state.setPackage(id, key, prep.pkg);
      return { build: b, family, repo: family.repositoryOf(b, prep.pkg), ...prep, redo: cached ? { id, key } : undefined };
    } catch (e) {
      if (e instanceof PoolError) throw e; // a worker stopped: no build is to blame
      // Errors about the checked copy name the build's own file, which is what the operator knows.
      return { dir: b.dir, reason: b.kind === "tree" ? errorLine(e) : errorLine(e).split(deliveredPath(work, b)).join(b.main) };
    } finally {
      done++; // not inside progress?.(): optional chaining would skip the increment too
      book.progress?.(done, total, "packaging");
    }
  };
  const outcome = new Map<Build, Candidate | Rejection>();
  let wave = pre.first;
  try {
    while (wave.length) {
      const looked = await mapLimit(wave, PARALLEL, look);
      // Packages to make: enough of them are made by worker threads, on the other core too.
      const misses = looked.filter((l) => !("reason" in l) && !l.cached).length;
      pool ??= PreparePool.open(c, work, misses);
      const got = await mapLimit(wave, pool ? POOL_PARALLEL : PARALLEL, (b, i) => readOne(b, looked[i]!));
      for (const [i, b] of wave.entries()) outcome.set(b, got[i]!);
      // A group whose newest builds were rejected falls back on older ones, as far as needed.
      wave = pre.more(outcome);
      total += wave.length;
    }
  } finally {
    await (pool as PreparePool | null)?.close();
  }
  const candidates: Candidate[] = [];
  const rejected: Rejection[] = [];
  for (const b of builds) {
    const p = outcome.get(b);
    if (!p) continue;
    if ("reason" in p) rejected.push(p);
    else candidates.push(p);
  }
  return { candidates, rejected };
}

/**
 * A cached package that is published needs its pool file: if that is gone (a wiped tree), the package
 * is made again from its build.
 */
async function ensurePool(o: GenerateOptions, state: State, tree: Storage, chosen: Candidate[], work: string): Promise<void> {
  const ctx = { config: o.config, work, hash: (f: string) => hashWithCache(f, undefined) };
  await mapLimit(chosen, PARALLEL, async (cand) => {
    if (!cand.redo) return;
    const size = await tree.size(cand.pkg.pool);
    const changelogThere = !cand.pkg.changelog || (await tree.size(cand.pkg.changelog)) !== null;
    if (size === cand.pkg.size && changelogThere) return;
    const prep = await cand.family.prepare(cand.build, ctx, undefined);
    state.setPackage(cand.redo.id, cand.redo.key, prep.pkg);
    Object.assign(cand, prep);
  });
}

interface Indexed extends Awaited<ReturnType<typeof buildIndexes>> {
  /** The chosen packages whose pool file is in place. */
  chosen: Candidate[];
  /** Pool files the indexes name. */
  live: Set<string>;
  rejected: Rejection[];
}

/**
 * Stage index: pool files, before any index names them, and the indexes and their signatures (each
 * family signs its own). The indexes are computed while the pool files are placed (xz runs in its own
 * process meanwhile); if a pool file cannot be placed the indexes are made again without its package.
 */
async function index(tree: Storage, chosen: Candidate[], site: SiteContext, memo: IndexMemo, book: RunBook, poolPlaced: () => void): Promise<Indexed> {
  let indexing = buildIndexes(chosen, site, memo);
  indexing.catch(() => undefined); // awaited below; this only keeps an early failure from being "unhandled"
  const pool = await book.timed("pool", () => placePool(tree, chosen, book.placed));
  failAfter("pool");
  poolPlaced();
  if (pool.failed.size) {
    await indexing.catch(() => undefined);
    chosen = chosen.filter((c) => !pool.failed.has(c));
    indexing = buildIndexes(chosen, site, memo);
  }
  return { ...(await indexing), chosen, live: pool.live, rejected: pool.rejected };
}

/** Only chosen packages go into the pool; the others of this run stay in the work folder and go. */
async function placePool(tree: Storage, chosen: Candidate[], placed: string[]) {
  const live = new Set<string>();
  const failed = new Set<Candidate>();
  const rejected: Rejection[] = [];
  await tree.checkpoint();
  for (const cand of chosen) live.add(cand.pkg.pool);
  await mapLimit(chosen, tree.poolConcurrency, async (cand, i) => {
    // Links and renames are synchronous: let the event loop feed xz and gzip now and then.
    if (i % 32 === 31) await new Promise((r) => setImmediate(r));
    if (!cand.produced) return;
    try {
      if (await tree.placePool(cand.pkg.pool, cand.produced, cand.pkg.sha256, { move: cand.move })) placed.push(cand.pkg.pool);
    } catch (e) {
      if (e instanceof LockedError) throw e; // the lease is lost: the run stops, no build is to blame
      rejected.push({ dir: cand.build.dir, reason: errorLine(e) });
      failed.add(cand);
      live.delete(cand.pkg.pool);
    }
  });
  await placeExtras(tree, chosen.filter((c) => !failed.has(c)), live, placed);
  return { live, failed, rejected };
}

/**
 * Files published beside the packages (changelogs), with the pool files, before any index names the
 * packages. A path that is there already keeps its file: binaries of one source and version share
 * their changelog.
 */
async function placeExtras(tree: Storage, chosen: Candidate[], live: Set<string>, placed: string[]): Promise<void> {
  for (const cand of chosen) if (cand.pkg.changelog) live.add(cand.pkg.changelog);
  // Of binaries sharing a file, the one in a folder of its own name goes first (jq's changelog for jq
  // and libjq1: the source's own binary); the others find the path taken.
  const own = (c: Candidate, p: string) => (path.posix.basename(path.posix.dirname(p)) === c.pkg.name ? 0 : 1);
  const extras = chosen.flatMap((c) => (c.extras ?? []).map((x) => ({ x, rank: own(c, x.path) }))).sort((a, b) => a.rank - b.rank);
  // Taken back with the pool files if the run fails before the indexes are live.
  for (const { x } of extras) if ((await tree.size(x.path)) === null && (await tree.put(x.path, await readFile(x.file)))) placed.push(x.path);
}

/** What clients need to check the signatures: public keys and source snippets (published in stage 1). */
interface Trust {
  files: RepoFile[];
  sourcesBySuite: Record<string, string>;
  keyringName: string;
}

/** Stage sign: the public halves of the signing keys and the snippets that point clients at them. */
function sign(o: GenerateOptions, publicKeys: Awaited<ReturnType<GenerateOptions["loadKeys"]>>, siteRepos: SiteRepo[]): Trust {
  const c = o.config;
  const kr = keyringName(c.origin);
  const files: RepoFile[] = [];
  const aptSuites = siteRepos.filter((r) => r.kind === "apt").map((r) => r.key);
  const sourcesBySuite: Record<string, string> = {};
  if (aptSuites.length && publicKeys.aptBinary) {
    files.push({ path: "apt/archive-keyring.gpg", data: Buffer.from(publicKeys.aptBinary), stage: 1 });
    files.push({ path: "apt/archive-keyring.asc", data: Buffer.from(publicKeys.aptArmored ?? ""), stage: 1 });
    for (const s of aptSuites) {
      sourcesBySuite[s] = aptSources(c.baseUrl, s, kr);
      files.push({ path: `apt/${s}.sources`, data: Buffer.from(sourcesBySuite[s]!), stage: 1 });
    }
  }
  if (o.extraFiles) files.push(...o.extraFiles(siteRepos));
  return { files, sourcesBySuite, keyringName: kr };
}

/**
 * Stage publish: the files in the order that keeps the tree consistent at every instant. Stage 1
 * (by-hash copies, keys, snippets) changes nothing a client reads yet. Before the canonical names
 * change, each repository gets a marker naming the new bytes of every file that stages 2-4 will
 * replace, so that `verify` can tell an interrupted run from a damaged tree.
 */
async function publish(tree: Storage, o: GenerateOptions, state: State, indexed: Indexed, trust: Trust, book: RunBook): Promise<Array<{ path: string }>> {
  const c = o.config;
  const { files, repoBases } = indexed;
  // Until an index goes live, every write is remembered so that a failure can take it back.
  const put = async (rel: string, data: Buffer | string, opts: { mtime?: Date; uncounted?: boolean } = {}) => {
    const old = o.dryRun ? null : await tree.read(rel);
    if (await tree.put(rel, data, opts)) book.undo.push({ rel, old });
  };
  for (const f of trust.files.filter((x) => x.stage === 1)) await put(f.path, f.data);
  for (const f of files.filter((x) => x.stage === 1)) await put(f.path, f.data, { mtime: f.mtime });
  const markers: string[] = [];
  for (const r of repoBases) {
    const expected: Record<string, string> = {};
    let differs = false;
    for (const f of files) {
      if (f.stage === 1 || !f.path.startsWith(r + "/")) continue;
      expected[f.path.slice(r.length + 1)] = createHash("sha256").update(f.data).digest("hex");
      const old = await tree.read(f.path);
      if (!old || !old.equals(f.data)) differs = true;
    }
    if (o.dryRun) continue;
    // A marker left by a killed run is replaced: it names all the files of the new state.
    if (differs) {
      await put(`${r}/${MARKER}`, JSON.stringify({ files: expected }) + "\n", { uncounted: true });
      markers.push(`${r}/${MARKER}`);
    } else await tree.discard(`${r}/${MARKER}`);
  }
  failAfter("by-hash");
  book.live = !o.dryRun;
  for (const stage of [2, 3, 4] as const) {
    await tree.checkpoint();
    for (const f of trust.files.filter((x) => x.stage === stage)) await tree.put(f.path, f.data);
    for (const f of files.filter((x) => x.stage === stage)) await tree.put(f.path, f.data, { mtime: f.mtime });
  }
  await tree.checkpoint();
  await publishAliases(tree, indexed.aliases);
  for (const m of markers) await tree.discard(m);
  if (!o.dryRun) await recordRepositories(tree, state, indexed);
  const newest = indexed.chosen.reduce((m, x) => Math.max(m, x.build.start.getTime()), 0);
  // The web pages come after every file they link to; the index page last of all.
  book.step = "writing the web pages";
  const pages = await publishPages(tree, state, o.dryRun, {
    label: c.label,
    description: c.description,
    baseUrl: c.baseUrl,
    origin: c.origin,
    keyringName: trust.keyringName,
    generated: new Date(newest || 0),
    repos: indexed.siteRepos.map((r) => ({
      kind: r.kind,
      key: r.key,
      packages: r.rows.map((x) => x.source),
      ...(indexed.dates.get(`${r.kind === "apt" ? "debian" : "freebsd"}\0${r.key}`) ?? {}),
    })),
    aptSources: trust.sourcesBySuite,
    pkgConf: o.pkgConf ?? null,
  });
  failAfter("index-page");
  return pages;
}

/**
 * The web pages are rendered only when what they are made from changed (their fingerprint, kept in
 * the state, covers every package's entry and the templates) or the index page is missing: with
 * thousands of packages, rendering and comparing every page was most of a run with nothing new.
 * When they are rendered, a package page whose digest is the one recorded for it last time is left
 * as it is (a new build re-renders its own page and its neighbours', not all of them).
 */
async function publishPages(tree: Storage, state: State, dryRun: boolean, input: SiteInput): Promise<Array<{ path: string }>> {
  const fingerprint = siteFingerprint(input);
  const indexThere = (await tree.size("index.html")) !== null;
  if (state.text("site-pages", fingerprint) !== undefined && indexThere) return sitePaths(input).map((p) => ({ path: p }));
  const recorded = indexThere ? decodeDigests(state.text("site-page-digests", "1")) : new Map<string, string>();
  // A recorded page that is no longer there is rendered again.
  const there = await mapLimit([...recorded.keys()], PARALLEL, async (p) => (await tree.size(p)) !== null);
  for (const [i, p] of [...recorded.keys()].entries()) if (!there[i]) recorded.delete(p);
  // Written in batches as they are rendered (every page but the index page, then the index page: it
  // links to all of them), so that only a batch of pages is held at a time.
  const digests = new Map<string, string>();
  let batch: SiteFile[] = [];
  let index: SiteFile | undefined;
  for (const f of eachSitePage(input, digests, (p, d) => recorded.get(p) === d)) {
    if (f.path === "index.html") index = f;
    else batch.push(f);
    if (batch.length === PAGE_BATCH) {
      await tree.putMany(batch);
      batch = [];
    }
  }
  await tree.putMany(batch);
  if (index) await tree.put(index.path, index.data);
  if (!dryRun) {
    state.setText("site-pages", fingerprint, "");
    state.setText("site-page-digests", "1", [...digests].map(([p, d]) => `${d} ${p}`).join("\n"));
  }
  return sitePaths(input).map((p) => ({ path: p }));
}

/** The recorded package pages' digests: one "DIGEST PATH" line each. */
function decodeDigests(text: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of (text ?? "").split("\n")) {
    const sp = line.indexOf(" ");
    if (sp > 0) out.set(line.slice(sp + 1), line.slice(0, sp));
  }
  return out;
}

/** The part of a summary that a run which stops at its checks reports again. */
type LastSummary = Omit<Summary, "added" | "updated" | "removed" | "unchanged" | "timings" | "dryRun" | "requests">;

const LAST_RUN = "last-run";

/**
 * The last complete run's summary when nothing this run would read changed since (see
 * publish/last-run.ts), else null. No builds are read: a stat per job folder, pool file and index file.
 */
async function unchangedSinceLastRun(c: Config, state: State, tree: Storage, now: Date, clean: string | null, salt: string): Promise<LastSummary | null> {
  const last = decodeLastRun<LastSummary>(state.text(LAST_RUN, "1"));
  if (!last || listPending(c.state).size > 0) return null;
  const same = await stillTheSame(last, {
    salt,
    stamp: last.salt === salt ? buildsStamp(c.builds, state) : null,
    clean,
    now,
    continuous: tree.continuous,
    size: (rel) => tree.size(rel),
    aliases: () => tree.aliases("apt/dists"),
    repoIntact: async (name) => {
      const r = decodeRepoRecord(state.text(name, "1"));
      return r !== null && (await stillPublished(r, r.fp, now, (rel) => tree.version(rel)));
    },
  });
  return same ? last.summary : null;
}

/**
 * After a complete run that rejected nothing and ran retention: what it published, for the next run's
 * check. Any other run drops the record, so that a later check never compares with an older run.
 */
async function recordLastRun(c: Config, state: State, salt: string, stamp: string | null, live: string | null, summary: Summary, indexed: Indexed): Promise<void> {
  const had = !!state.text(LAST_RUN, "1");
  // The stamp is the scan's: folders that changed since the scan make the next run look.
  if (live === null || summary.rejected.length > 0 || stamp === null || summary.builds === 0) {
    if (had) state.setText(LAST_RUN, "1", "");
  } else {
    const repos = indexed.siteRepos.map((r) => repoRecordName(r.kind === "apt" ? "debian" : "freebsd", r.key));
    const records = repos.map((n) => decodeRepoRecord(state.text(n, "1")));
    // A repository without a record (a storage without version tokens) leaves nothing to check against.
    if (records.some((r) => r === null)) {
      if (had) state.setText(LAST_RUN, "1", "");
    } else {
      const renew = records.map((r) => r!.renewAfter).filter((t): t is number => t !== null);
      const dropped = Object.values(state.dropped);
      const pool: Array<[string, number]> = [];
      for (const x of indexed.chosen) {
        pool.push([x.pkg.pool, x.pkg.size]);
        if (x.pkg.changelog) pool.push([x.pkg.changelog, -1]);
      }
      const { added: _a, updated: _u, removed: _r, unchanged: _n, timings: _t, dryRun: _d, requests: _q, ...rest } = summary;
      const text = encodeLastRun<LastSummary>({
        salt,
        stamp,
        live,
        renewAfter: renew.length ? Math.min(...renew) : null,
        // The first removal due, or the daily walk of the tree, whichever comes first.
        dueAt: Math.min((Number(state.text(LAST_WALK, "1") ?? "0") + WALK_EVERY_S) * 1000, ...(dropped.length ? [Math.min(...dropped) * 1000 + c.graceHours * 3600_000] : [])),
        repos,
        pool,
        aliases: indexed.aliases,
        summary: { ...rest, repositories: rest.repositories.map((r) => ({ ...r, changed: false })) },
      });
      if (state.text(LAST_RUN, "1") !== text) state.setText(LAST_RUN, "1", text);
    }
  }
  if (state.dirty) await state.saveCaches();
}

/**
 * Stage retain: what no current index names goes after grace_hours. That needs a walk of the whole
 * tree (the survey), which is skipped when it cannot find anything: the files this run keeps live
 * are the ones the last complete run kept (their digest is in the state folder's tree-clean file,
 * which every run removes before its first write, so a killed run leaves none), no other writer
 * has been at the target since, and no file waiting out its grace is due. Returns the digest.
 */
async function retain(tree: Storage, o: GenerateOptions, state: State, indexed: Indexed, site: Array<{ path: string }>, clean: string | null, book: RunBook): Promise<string> {
  const live = new Set(indexed.live);
  for (const f of indexed.files) live.add(f.path);
  for (const f of indexed.kept) live.add(f);
  for (const f of site) live.add(f.path);
  const h = createHash("sha256");
  for (const f of live) h.update(f + "\0");
  const digest = h.digest("hex");
  const nowS = Math.floor(o.now.getTime() / 1000);
  const due = Object.values(state.dropped).some((t) => nowS - t >= o.config.graceHours * 3600);
  const remember = () => {
    if (o.dryRun || state.text(LIVE_DIGEST, "1") === digest) return;
    state.setText(LIVE_SET, digest, [...live].join("\n"));
    state.setText(LIVE_DIGEST, "1", digest);
  };
  const lastWalk = Number(state.text(LAST_WALK, "1") ?? "0");
  const walkDue = !(nowS - lastWalk < WALK_EVERY_S && nowS >= lastWalk);
  if (digest === clean && tree.continuous && !due && !walkDue) return digest;
  // The tree as the last complete run left it, with its live paths on record: what this run stops
  // naming is those paths less this run's, so no walk is needed; a full one still runs once a day,
  // for files that were put into the tree from outside.
  const before = clean !== null && tree.continuous && state.text(LIVE_DIGEST, "1") === clean ? state.text(LIVE_SET, clean) : undefined;
  if (before !== undefined && !walkDue) {
    const gone = before.split("\n").filter((p) => p && !live.has(p) && isManaged(p));
    const candidates = [...new Set([...gone, ...Object.keys(state.dropped)])];
    const there = await mapLimit(candidates, PARALLEL, async (p) => (await tree.size(p)) !== null);
    await applyRetention(tree, candidates.filter((_, i) => there[i]), live, state.dropped, nowS, o.config.graceHours);
    remember();
    return digest;
  }
  const existing = await book.timed("survey", () => tree.survey());
  await applyRetention(tree, existing, live, state.dropped, nowS, o.config.graceHours);
  if (!o.dryRun) state.setText(LAST_WALK, "1", String(nowS));
  remember();
  return digest;
}

/** The live paths of the last complete run, under their digest, and that digest alone (see retain). */
const LIVE_SET = "live-set";
const LIVE_DIGEST = "live-digest";
/** When retention last walked the whole tree (seconds), and how often it does at least. */
const LAST_WALK = "last-walk";
const WALK_EVERY_S = 24 * 3600;

/** The state folder's record that the tree is as the last complete run left it (see retain). */
const TREE_CLEAN = "tree-clean";

function readTreeClean(stateDir: string): string | null {
  try {
    return readFileSync(path.join(stateDir, TREE_CLEAN), "utf8").trim() || null;
  } catch {
    return null;
  }
}

function forgetTreeClean(stateDir: string): void {
  rmSync(path.join(stateDir, TREE_CLEAN), { force: true });
}

function writeTreeClean(stateDir: string, digest: string): void {
  const tmp = path.join(stateDir, `.${TREE_CLEAN}.tmp-${process.pid}`);
  writeFileSync(tmp, digest + "\n");
  renameSync(tmp, path.join(stateDir, TREE_CLEAN));
}

/** Each scanned build's fate, by `job/uuid`: published, rejected, or left out by select. */
function outcomesOf(c: Config, found: ScanResult, rejected: Rejection[], chosen: Candidate[]): Map<string, BuildOutcome> {
  const out = new Map<string, BuildOutcome>();
  for (const b of found.builds)
    out.set(buildKey(b), { status: "not-chosen", reason: `not in the indexes: the same binary is published by an earlier build, or keep_versions = ${c.keepVersions} newer versions are` });
  for (const r of rejected) out.set(buildKeyOfDir(r.dir), { status: "rejected", reason: r.reason });
  for (const f of found.failed) out.set(buildKeyOfDir(f), { status: "rejected", reason: `build.json says "result": "failure"` });
  for (const x of chosen)
    out.set(buildKey(x.build), {
      status: "published",
      repository: `${x.family.name === "debian" ? "apt" : "pkg"} ${x.repo}`,
      name: x.pkg.name,
      version: x.pkg.version,
      arch: x.pkg.arch,
      file: x.pkg.pool,
    });
  return out;
}

function summarize(o: GenerateOptions, tree: Storage, found: ScanResult, rejected: Rejection[], indexed: Indexed, timings: Record<string, number>): Summary {
  const published: Summary["published"] = {};
  for (const r of indexed.siteRepos) published[`${r.kind} ${r.key}`] = r.rows.map(({ name, version, arch, file }) => ({ name, version, arch, file }));
  return {
    builds: found.builds.length,
    failed: found.failed.length,
    published,
    repositories: indexed.repoSummaries,
    added: tree.changes.added,
    updated: tree.changes.updated,
    removed: tree.changes.removed,
    unchanged: tree.changes.unchanged,
    rejected: rejected.sort((a, b) => (a.dir < b.dir ? -1 : 1)).map((r) => ({ build: buildKeyOfDir(r.dir), ...r })),
    warnings: indexed.warnings,
    timings,
    dryRun: o.dryRun,
    ...(tree.requests() ? { requests: tree.requests() } : {}),
  };
}
