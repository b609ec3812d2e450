/**
 * The generate flow: scan → prepare (package) → select → index and sign → publish → retention.
 * Only scan reads the builds folder and only the Tree writes into the output.
 */
import { readdirSync, statSync } from "node:fs";
import { mkdir, rm } from "node:fs/promises";
import path from "node:path";
import { scanBuilds, hashWithCache, type Build, type Rejection } from "./builds/scan.js";
import type { Config } from "./config.js";
import { errorLine } from "./errors.js";
import type { Family, RepoFile, SiteContext } from "./family.js";
import { acquireLock } from "./publish/lock.js";
import { State, type CachedPackage } from "./publish/state.js";
import { Tree } from "./publish/tree.js";
import { mapLimit, PARALLEL } from "./util/concurrency.js";
import { collectGarbage } from "./util/memory.js";
import { applyRetention, MARKER, surveyTree } from "./publish/retention.js";
import { aptSources, type SiteRepo } from "./site/render.js";
import { sitePackage } from "./site/model.js";
import { releaseDates, sitePages } from "./site/pages.js";
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";

/**
 * From this many builds, garbage is collected between phases to keep the peak down (util/memory);
 * below it the peak is far from any limit and the collections would only cost time.
 */
const LARGE_RUN = 5000;

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
  rejected: Rejection[];
  timings: Record<string, number>;
  dryRun: boolean;
}

interface Candidate {
  build: Build;
  family: Family;
  repo: string;
  pkg: CachedPackage;
  produced: string | null;
  move: boolean;
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
        rejected.push({ dir: c.build.dir, reason: `version ${c.pkg.version} of ${c.pkg.name} is already taken by a different binary (build ${same.build.uuid})` });
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

function keyringName(origin: string): string {
  return origin.toLowerCase().replace(/[^a-z0-9._-]+/g, "-");
}

/** The index files of every repository the chosen packages go to, computed side by side. */
async function buildIndexes(chosen: Candidate[], site: SiteContext) {
  const repos = new Map<string, { family: Family; key: string; pkgs: Candidate[] }>();
  for (const cand of chosen) {
    const k = `${cand.family.name}\0${cand.repo}`;
    if (!repos.has(k)) repos.set(k, { family: cand.family, key: cand.repo, pkgs: [] });
    repos.get(k)!.pkgs.push(cand);
  }
  const sortedRepos = [...repos.values()].sort((a, b) => (a.family.name + a.key < b.family.name + b.key ? -1 : 1));
  const results = await Promise.all(sortedRepos.map((r) => r.family.repository(r.key, r.pkgs.map((p) => p.pkg), site)));
  const files: RepoFile[] = [];
  const repoSummaries: Summary["repositories"] = [];
  const siteRepos: SiteRepo[] = [];
  const repoBases: string[] = [];
  for (const [i, r] of sortedRepos.entries()) {
    const res = results[i]!;
    files.push(...res.files);
    repoBases.push(res.base);
    repoSummaries.push({ name: res.name, changed: res.changed, packages: r.pkgs.length });
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
          site: sitePackage(r.family.name === "debian" ? "apt" : "pkg", r.key, {
            ...p.pkg,
            job: p.build.job,
            uuid: p.build.uuid,
            platform: p.build.platform.platform,
            buildtime: p.build.buildtime,
            start: p.build.start,
          }),
        }))
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.arch < b.arch ? -1 : 1)),
    });
  }
  return { files, repoBases, repoSummaries, siteRepos };
}

export async function generate(o: GenerateOptions): Promise<Summary> {
  const c = o.config;
  const t0 = Date.now();
  const timings: Record<string, number> = {};
  const mark = (k: string, since: number) => (timings[k] = Date.now() - since);
  const lock = await acquireLock(c.state);
  const tree = new Tree(c.output, o.dryRun);
  const placed: string[] = [];
  const work = path.join(c.state, `work-${process.pid}`);
  let saving: Promise<void> | null = null;
  try {
    let t = Date.now();
    const state = new State(c.state);
    await state.load();
    mark("state", t);
    t = Date.now();
    const scan = await scanBuilds(c.builds, state);
    mark("scan", t);
    const large = scan.builds.length >= LARGE_RUN;
    if (large) collectGarbage();
    const rejected: Rejection[] = [...scan.rejections];
    t = Date.now();
    const publicKeys = await o.loadKeys(new Set(scan.builds.map((b) => b.platform.family)));
    mark("keys", t);
    t = Date.now();
    const existing = await surveyTree(tree);
    mark("survey", t);
    // Work folders of runs that were killed: we hold the lock, so no live run owns one.
    for (const d of readdirSync(c.state)) if (/^work-\d+$/.test(d)) await rm(path.join(c.state, d), { recursive: true, force: true });
    await mkdir(work, { recursive: true });

    t = Date.now();
    const cands: Candidate[] = [];
    // First the cache: which builds are already packaged (their pool file still there).
    const keyed = await mapLimit(scan.builds, PARALLEL, async (b) => {
      const family = o.families[b.platform.family];
      try {
        const specSha = b.spec ? createHash("sha256").update(await readFile(b.spec)).digest("hex") : "";
        // A build's own versioning is part of the key only when it has one: older keys stay valid.
        const key = `${b.uuid}:${b.mainSha256 ?? specSha}:${family.cacheSalt(c)}:${b.platform.platform}:${b.arch}${b.versioning ? `:v=${b.versioning}` : ""}`;
        let cached = state.getPackage(key);
        if (cached) {
          // The cache only counts while its pool file is still there (the tree may have been wiped).
          const st = statSync(path.join(c.output, cached.pool), { throwIfNoEntry: false });
          if (!st || st.size !== cached.size) cached = undefined;
        }
        return { b, family, key, cached };
      } catch (e) {
        return { b, family, error: e };
      }
    });
    const ctx = { config: c, work, hash: (f: string) => hashWithCache(f, undefined) };
    let done = 0;
    const prepared = await mapLimit(keyed, PARALLEL, async (k): Promise<Candidate | Rejection> => {
      const { b, family } = k;
      try {
        if ("error" in k) throw k.error;
        const prep = await family.prepare(b, ctx, k.cached);
        state.setPackage(k.key, prep.pkg);
        return { build: b, family, repo: family.repositoryOf(b, prep.pkg), ...prep };
      } catch (e) {
        return { dir: b.dir, reason: errorLine(e) };
      } finally {
        done++; // not inside progress?.(): optional chaining would skip the increment too
        o.progress?.(done, scan.builds.length, "packaging");
        // Packaging thousands of builds leaves garbage faster than V8 collects it by default.
        if (large && done % 2500 === 0) collectGarbage();
      }
    });
    for (const p of prepared) {
      if ("reason" in p) rejected.push(p);
      else cands.push(p);
    }
    mark("package", t);
    if (large) collectGarbage();

    const sel = select(cands, c.keepVersions);
    rejected.push(...sel.rejected);

    // 1. pool files, before any index names them, and 2. the indexes and signatures. The indexes are
    // computed while the pool files are placed (xz runs in its own process meanwhile); nothing is
    // published before both are done, and if a pool file cannot be placed the indexes are made again
    // without its package.
    const site = { config: c, now: o.now, readPublished: (rel: string) => tree.read(rel) };
    t = Date.now();
    let indexing = buildIndexes(sel.chosen, site);
    indexing.catch(() => undefined); // awaited below; this only keeps an early failure from being "unhandled"
    const tPool = Date.now();
    const live = new Set<string>();
    const failedPool = new Set<Candidate>();
    // Only chosen packages go into the pool; the others of this run stay in the work folder and go.
    for (const [i, cand] of sel.chosen.entries()) {
      live.add(cand.pkg.pool);
      // Links and renames are synchronous: let the event loop feed xz and gzip now and then.
      if (i % 32 === 31) await new Promise((r) => setImmediate(r));
      if (!cand.produced) continue;
      try {
        if (await tree.placePool(cand.pkg.pool, cand.produced, cand.pkg.sha256, { move: cand.move })) placed.push(cand.pkg.pool);
      } catch (e) {
        rejected.push({ dir: cand.build.dir, reason: errorLine(e) });
        failedPool.add(cand);
        live.delete(cand.pkg.pool);
      }
    }
    mark("pool", tPool);
    // The caches are final now: written while xz works on the indexes (awaited at the end). Not in a
    // large run, where serialising them beside the indexes would make the run's peak memory.
    if (!o.dryRun && !large) {
      saving = state.saveCaches();
      saving.catch(() => undefined);
    }
    if (failedPool.size) {
      await indexing.catch(() => undefined);
      sel.chosen = sel.chosen.filter((c) => !failedPool.has(c));
      indexing = buildIndexes(sel.chosen, site);
    }
    const { files, repoBases, repoSummaries, siteRepos } = await indexing;
    mark("index", t);
    if (large) collectGarbage();

    // Public keys and client snippets (stage 0: before any Release that they verify).
    const kr = keyringName(c.origin);
    const site0: RepoFile[] = [];
    const aptSuites = siteRepos.filter((r) => r.kind === "apt").map((r) => r.key);
    const sourcesBySuite: Record<string, string> = {};
    if (aptSuites.length && publicKeys.aptBinary) {
      site0.push({ path: "apt/archive-keyring.gpg", data: Buffer.from(publicKeys.aptBinary), stage: 1 });
      site0.push({ path: "apt/archive-keyring.asc", data: Buffer.from(publicKeys.aptArmored ?? ""), stage: 1 });
      for (const s of aptSuites) {
        sourcesBySuite[s] = aptSources(c.baseUrl, s, kr);
        site0.push({ path: `apt/${s}.sources`, data: Buffer.from(sourcesBySuite[s]!), stage: 1 });
      }
    }
    if (o.extraFiles) site0.push(...o.extraFiles(siteRepos));

    t = Date.now();
    // Stage 1 (by-hash copies, keys, snippets) changes nothing a client reads yet. Before the
    // canonical names change, each repository gets a marker naming the new bytes of every file that
    // stages 2-4 will replace, so that `verify` can tell an interrupted run from a damaged tree.
    for (const f of site0.filter((x) => x.stage === 1)) await tree.put(f.path, f.data);
    for (const f of files.filter((x) => x.stage === 1)) await tree.put(f.path, f.data, { mtime: f.mtime });
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
        await tree.put(`${r}/${MARKER}`, JSON.stringify({ files: expected }) + "\n", { uncounted: true });
        markers.push(`${r}/${MARKER}`);
      } else await tree.discard(`${r}/${MARKER}`);
    }
    for (const stage of [2, 3, 4] as const) {
      for (const f of site0.filter((x) => x.stage === stage)) await tree.put(f.path, f.data);
      for (const f of files.filter((x) => x.stage === stage)) await tree.put(f.path, f.data, { mtime: f.mtime });
    }
    for (const m of markers) await tree.discard(m);
    const newest = sel.chosen.reduce((m, x) => Math.max(m, x.build.start.getTime()), 0);
    // The web pages come after every file they link to; the index page last of all.
    const pages = sitePages({
      label: c.label,
      description: c.description,
      baseUrl: c.baseUrl,
      origin: c.origin,
      keyringName: kr,
      generated: new Date(newest || 0),
      repos: siteRepos.map((r) => ({
        kind: r.kind,
        key: r.key,
        packages: r.rows.map((x) => x.site),
        ...releaseDates(files.find((f) => f.path === `apt/dists/${r.key}/Release`)?.data),
      })),
      aptSources: sourcesBySuite,
      pkgConf: o.pkgConf ?? null,
    });
    for (const f of pages) await tree.put(f.path, f.data);
    mark("publish", t);

    // 3. retention: what no current index names goes after grace_hours
    t = Date.now();
    for (const f of files) live.add(f.path);
    for (const f of site0) live.add(f.path);
    for (const f of pages) live.add(f.path);
    await applyRetention(tree, existing, live, state.dropped, Math.floor(o.now.getTime() / 1000), c.graceHours);
    mark("retention", t);

    t = Date.now();
    if (!o.dryRun) {
      if (large) collectGarbage();
      await Promise.all([saving ?? state.saveCaches(), state.saveRetention()]);
    }
    mark("save", t);
    timings.total = Date.now() - t0;
    const published: Summary["published"] = {};
    for (const r of siteRepos) published[`${r.kind} ${r.key}`] = r.rows.map(({ name, version, arch, file }) => ({ name, version, arch, file }));
    return {
      builds: scan.builds.length,
      failed: scan.failed.length,
      published,
      repositories: repoSummaries,
      added: tree.changes.added,
      updated: tree.changes.updated,
      removed: tree.changes.removed,
      unchanged: tree.changes.unchanged,
      rejected: rejected.sort((a, b) => (a.dir < b.dir ? -1 : 1)),
      timings,
      dryRun: o.dryRun,
    };
  } catch (e) {
    // A failed run leaves the published tree as it was: take back the pool files it added.
    for (const p of placed) await rm(path.join(c.output, p), { force: true }).catch(() => undefined);
    throw e;
  } finally {
    await saving?.catch(() => undefined); // a failed run still leaves a whole state file, or the old one
    await rm(work, { recursive: true, force: true }).catch(() => undefined);
    await lock.release();
  }
}
