#!/usr/bin/env node
// Benchmarks: repogen beside the tools a sysadmin would otherwise script, measured in the same run
// on the same corpus. Prints medians and ratios. Usage: npm run bench [-- --quick] [-- --only=base,scale,peers]
//   --quick   smaller corpora (400 builds, 10 MB tree, RSS at 400/2000; 2000-build large corpora) for a fast look
//   --only    some of the sections: base (2000 builds against apt-ftparchive), scale (the two
//             100 000-build corpora), peers (aptly and reprepro at 10 000 builds)
// Needs: dpkg-deb, apt-ftparchive (apt-utils), gpg, xz, gzip, GNU time (/usr/bin/time), aptly, reprepro.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, linkSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { corpus, linkedSubset, writeBuilds } from "./corpus.mjs";
import { aptly, reprepro } from "./peers.mjs";
import { makeDebs } from "./debs.mjs";
import { gpgHome as gpgHomeIn, referencePipeline as pipelineInto } from "./reference.mjs";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const CLI = path.join(ROOT, "dist", "cli.js");
const QUICK = process.argv.includes("--quick");
const N = QUICK ? 400 : 2000;
const BIG_N = QUICK ? 2000 : 10000;
const TREE_MB = QUICK ? 10 : 50;
const RUNS = 3;
// The package comparison is one long process each: more runs, since one noisy run moves a median of
// three by several percent on a shared machine.
const PACKAGE_RUNS = 5;
const WORK = path.join(ROOT, "bench", ".work");
const ONLY = new Set((process.argv.find((a) => a.startsWith("--only="))?.slice(7) ?? "base,scale,peers").split(","));
const NOW = new Date(Math.floor(Date.now() / 1000) * 1000).toISOString();

function sh(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: "utf8", maxBuffer: 1 << 30, ...opts });
  if (r.status !== 0) throw new Error(`${cmd} ${args.slice(0, 6).join(" ")} exited ${r.status}: ${r.stderr}`);
  return r.stdout;
}
function timed(fn) {
  const t = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t) / 1e9;
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const sha256 = (f) => createHash("sha256").update(readFileSync(f)).digest("hex");
const rows = [];
function report(name, ours, ref, refName) {
  rows.push({ name, ours, ref, refName });
  const ratio = ref ? (ours / ref).toFixed(2) : "";
  console.log(`${name.padEnd(44)} ${ours.toFixed(2).padStart(8)} s   ${refName ? `${refName.padEnd(34)} ${ref.toFixed(2).padStart(8)} s   ratio ${ratio}` : ""}`);
}

// ------------------------------------------------------------------ corpus

function makeBuilds(buildsDir, debs, startBase) {
  for (const [k, f] of debs.entries()) {
    const name = path.basename(f).split("_")[0];
    const uuid = `u-${name}`;
    const d = path.join(buildsDir, name, uuid);
    if (existsSync(path.join(d, "build.json"))) continue;
    mkdirSync(d, { recursive: true });
    const base = path.basename(f);
    linkSync(f, path.join(d, base));
    const start = new Date(Date.parse(startBase) + k * 1000).toISOString().replace(/\.000Z$/, "Z");
    writeFileSync(
      path.join(d, "build.json"),
      JSON.stringify({ job: name, uuid, platform: "debian-12", arch: "amd64", start, finish: start, result: "success", main_binary: base, artifacts: [{ path: base, sha256: sha256(f) }] }),
    );
  }
}

// ------------------------------------------------------------------ the reference pipeline
const gpgHome = (keys) => gpgHomeIn(path.join(WORK, "gnupg"), keys);
const referencePipeline = (debs, out, keys, db) => pipelineInto(debs, out, gpgHome(keys), db);

// ------------------------------------------------------------------ repogen
function repogen(args, env = {}) {
  return sh(process.execPath, [CLI, ...args], { env: { ...process.env, ...env } });
}
function generate(cfg, builds, out, state, keys) {
  return repogen(["generate", "--config", cfg, "--builds", builds, "--out", out, "--state", state, "--keys", keys, "--now", NOW, "--json", "--quiet"]);
}
function peakRss(args) {
  const r = spawnSync("/usr/bin/time", ["-f", "%M", process.execPath, CLI, ...args], { encoding: "utf8" });
  if (r.status !== 0 && r.status !== 3) throw new Error(r.stderr);
  return Number(r.stderr.trim().split("\n").pop()) / 1024;
}

// ------------------------------------------------------------------ main
mkdirSync(WORK, { recursive: true });
console.log(`repogen benchmark: ${N} builds, ${TREE_MB} MB tree, RSS at ${N} and ${BIG_N}; medians of ${RUNS} runs; ${os.cpus().length} cores, node ${process.version}`);
const keys = path.join(WORK, "keys");
if (!existsSync(keys)) repogen(["keygen", "--keys", keys]);
let t = Date.now();
const debs = makeDebs(path.join(WORK, "debs"), 0, N + 10, path.join(WORK, "stage-tmp"));
const base = debs.slice(0, N);
const extra = debs.slice(N, N + 10);
console.log(`corpus: ${debs.length} .deb files built with dpkg-deb (${((Date.now() - t) / 1000).toFixed(0)} s, cached in bench/.work)`);
const buildsBase = path.join(WORK, `builds-base-${N}`); // per corpus size: --quick must not see the full corpus
makeBuilds(buildsBase, base, "2026-11-20T00:00:00Z");
const asIs = path.join(WORK, "as-is.toml");
writeFileSync(asIs, 'versioning = "as-is"\n[apt]\ncontents = true\n');
const byBuild = path.join(WORK, "build.toml");
writeFileSync(byBuild, '[apt]\ncontents = true\n');
// Output of earlier runs is moved aside, not deleted, before a timed run: deleting thousands of
// files makes the file system's next few hundred milliseconds of metadata work slow (journal,
// discard), which would be charged to whichever run comes next. The trash goes at the end.
const TRASH = path.join(WORK, "trash");
rmSync(TRASH, { recursive: true, force: true });
mkdirSync(TRASH, { recursive: true });
let trashed = 0;
const fresh = (n) => {
  const d = path.join(WORK, n);
  if (existsSync(d)) renameSync(d, path.join(TRASH, String(trashed++)));
  return d;
};

function baseSection() {
  // 1. and 2. cold, as-is and with the default versioning (every .deb rewritten), in turns with the
  // reference pipeline so that a slower stretch of a shared machine falls on all three.
  const refOut = path.join(WORK, "ref");
  const coldRun = (cfg, tag) => {
    const out = fresh(`out-${tag}`);
    const st = fresh(`state-${tag}`);
    return timed(() => generate(cfg, buildsBase, out, st, keys));
  };
  const refT = [];
  const asIsT = [];
  const buildT = [];
  for (let r = 0; r < RUNS; r++) {
    fresh("ref");
    refT.push(timed(() => referencePipeline(base, refOut, keys)));
    asIsT.push(coldRun(asIs, "asis"));
    buildT.push(coldRun(byBuild, "build"));
  }
  const refCold = median(refT);
  const coldAsIs = median(asIsT);
  const coldBuild = median(buildT);
  report(`1. cold, ${N} builds, versioning as-is`, coldAsIs, refCold, "apt-ftparchive pipeline");
  report(`2. cold, ${N} builds, versioning build`, coldBuild, refCold, "apt-ftparchive pipeline");

  // 3. incremental: 10 new on top of N (repogen's warm state; the pipeline with its --db cache)
  const incr = [];
  const incrRef = [];
  for (let r = 0; r < RUNS; r++) {
    const b = fresh("builds-incr");
    makeBuilds(b, base, "2026-11-20T00:00:00Z");
    const out = fresh("out-incr");
    const st = fresh("state-incr");
    generate(byBuild, b, out, st, keys);
    makeBuilds(b, extra, "2026-11-21T00:00:00Z");
    incr.push(timed(() => generate(byBuild, b, out, st, keys)));
    const db = path.join(WORK, "ftparchive.db");
    rmSync(db, { force: true });
    fresh("ref");
    referencePipeline(base, refOut, keys, db);
    fresh("ref");
    incrRef.push(timed(() => referencePipeline([...base, ...extra], refOut, keys, db)));
  }
  report(`3. incremental, 10 new on ${N}`, median(incr), coldBuild, "repogen cold (2.)");
  report(`   incremental, 10 new on ${N}`, median(incr), median(incrRef), "apt-ftparchive --db pipeline");

  // 4. nothing new
  const nothing = [];
  let rewritten = 0;
  {
    const out = path.join(WORK, "out-incr");
    const st = path.join(WORK, "state-incr");
    for (let r = 0; r < RUNS; r++) {
      let s;
      nothing.push(timed(() => (s = JSON.parse(generate(byBuild, path.join(WORK, "builds-incr"), out, st, keys)))));
      rewritten += s.added.length + s.updated.length + s.removed.length;
    }
  }
  report(`4. nothing new (${rewritten} files rewritten)`, median(nothing), coldBuild, "repogen cold (2.)");

  // 5. package a tree of shared libraries against dpkg-deb
  const tree = path.join(WORK, `tree-${TREE_MB}mb`);
  if (!existsSync(tree)) {
    const lib = "/usr/lib/x86_64-linux-gnu";
    mkdirSync(path.join(tree, "root/usr/lib/bench"), { recursive: true });
    let total = 0;
    for (const f of readdirSync(lib).sort()) {
      const p = path.join(lib, f);
      const st = statSync(p, { throwIfNoEntry: false });
      if (!st || !st.isFile() || !/\.so/.test(f)) continue;
      if (total + st.size > TREE_MB * 1e6) continue;
      copyFileSync(p, path.join(tree, "root/usr/lib/bench", f));
      total += st.size;
      if (total > TREE_MB * 1e6 * 0.98) break;
    }
    writeFileSync(
      path.join(tree, "package.toml"),
      `name = "benchlibs"\nversion = "1.0"\nsummary = "Shared libraries for the benchmark"\nmaintainer = "Bench <bench@example.org>"\nlicense = "MIT"\nsection = "libs"\n[[files]]\nsrc = "root/usr"\ndst = "/usr"\n`,
    );
    sh("find", [tree, "-exec", "touch", "-h", "-d", "@1700000000", "{}", "+"]);
  }
  const pkgOut = fresh("pkg-out");
  mkdirSync(pkgOut);
  const ourPackage = () => repogen(["package", path.join(tree, "package.toml"), "--root", tree, "--platform", "debian-12", "--arch", "amd64", "--out", pkgOut, "--mtime", "1700000000"]);
  ourPackage(); // its output is what dpkg-deb gets to build (via dpkg-deb -R)
  const debOut = path.join(pkgOut, "benchlibs_1.0_amd64.deb");
  const raw = fresh("pkg-raw");
  sh("dpkg-deb", ["-R", debOut, raw]);
  sh("find", [raw, "-exec", "touch", "-h", "-d", "@1700000000", "{}", "+"]);
  const refDeb = path.join(WORK, "ref.deb");
  const theirPackage = () => sh("dpkg-deb", ["--root-owner-group", "-Zxz", "--build", raw, refDeb], { env: { ...process.env, SOURCE_DATE_EPOCH: "1700000000" } });
  // Taken in turns, so that a slower stretch of a shared machine falls on both.
  const oursT = [];
  const theirsT = [];
  for (let r = 0; r < PACKAGE_RUNS; r++) {
    oursT.push(timed(ourPackage));
    theirsT.push(timed(theirPackage));
  }
  const ours = median(oursT);
  const theirs = median(theirsT);
  const identical = readFileSync(refDeb).equals(readFileSync(debOut));
  report(`5. package ${TREE_MB} MB of .so (${identical ? "byte-identical" : "DIFFERENT BYTES"})`, ours, theirs, "dpkg-deb -Zxz --build");

  // 6. peak RSS of the cold run
  const rss = [];
  for (const n of [N, BIG_N]) {
    const b = path.join(WORK, `builds-${n}`);
    if (n === N) makeBuilds(b, base, "2026-11-20T00:00:00Z");
    else {
      const more = makeDebs(path.join(WORK, "debs"), 0, n, path.join(WORK, "stage-tmp"));
      makeBuilds(b, more, "2026-11-20T00:00:00Z");
    }
    const mb = peakRss(["generate", "--config", byBuild, "--builds", b, "--out", fresh(`out-rss-${n}`), "--state", fresh(`state-rss-${n}`), "--keys", keys, "--now", NOW, "--quiet"]);
    rss.push(mb);
    console.log(`6. peak RSS, cold run, ${String(n).padEnd(5)} builds        ${mb.toFixed(0).padStart(8)} MB`);
  }
  console.log(`\ntargets: cold ≤ 1.0× pipeline: ${(coldAsIs / refCold).toFixed(2)}; incremental ≤ 0.1× cold: ${(median(incr) / coldBuild).toFixed(3)}; .deb build ≤ 1.1× dpkg-deb: ${(ours / theirs).toFixed(2)}; RSS ≤ 200 MB at ${BIG_N}: ${rss[1].toFixed(0)} MB`);
}

// ------------------------------------------------------------------ the large corpora
/** A timed generate with its peak RSS (GNU time) and its --json summary. */
function measured(cfg, builds, out, state) {
  const t = process.hrtime.bigint();
  const r = spawnSync("/usr/bin/time", ["-f", "%M", process.execPath, CLI, "generate", "--config", cfg, "--builds", builds, "--out", out, "--state", state, "--keys", path.join(WORK, "keys"), "--now", NOW, "--json", "--quiet"], { encoding: "utf8", maxBuffer: 1 << 30 });
  const s = Number(process.hrtime.bigint() - t) / 1e9;
  if (r.status !== 0 && r.status !== 3) throw new Error(r.stderr.slice(-2000));
  const summary = JSON.parse(r.stdout);
  return { s, mb: Number(r.stderr.trim().split("\n").pop()) / 1024, summary };
}
const fmtT = (x) => JSON.stringify(x.summary.timings);

/**
 * One large corpus: cold (fresh output and state), nothing new, and 10 new builds, each new run's
 * builds taken away again afterwards (with an untimed run) so that every round starts alike.
 */
async function largeCorpus(kind, packages, builds, cfg) {
  const c = await corpus(WORK, kind, packages, builds, console.log);
  const out = fresh(`out-${kind}`);
  const st = fresh(`state-${kind}`);
  const cold = measured(cfg, c.builds, out, st);
  console.log(`   cold timings ${fmtT(cold)}`);
  const quiet = [];
  for (let r = 0; r < RUNS; r++) quiet.push(measured(cfg, c.builds, out, st));
  console.log(`   nothing new timings ${fmtT(quiet[quiet.length - 1])}`);
  const incr = [];
  for (let r = 0; r < RUNS; r++) {
    const extra = c.shape.extra(10, r);
    await writeBuilds(WORK, c.builds, extra);
    incr.push(measured(cfg, c.builds, out, st));
    for (const b of extra) {
      rmSync(path.join(c.builds, b.job, b.uuid), { recursive: true });
      // A job folder that only this round made goes too.
      if (readdirSync(path.join(c.builds, b.job)).length === 0) rmSync(path.join(c.builds, b.job), { recursive: true });
    }
    measured(cfg, c.builds, out, st);
  }
  console.log(`   10 new timings ${fmtT(incr[incr.length - 1])}`);
  return { c, out, cold, quiet, incr };
}

async function scaleSection() {
  const keys = path.join(WORK, "keys");
  const cfg = path.join(WORK, "scale.toml");
  writeFileSync(cfg, "keep_versions = 1\n[apt]\ncontents = true\n");
  const H = QUICK ? [100, 5] : [5000, 20];
  const I = QUICK ? 2000 : 100000;
  console.log(`\nlarge corpora: history-heavy ${H[0]} packages × ${H[1]} builds; index-heavy ${I} packages; keep_versions = 1, versioning = "build", Contents`);

  // History-heavy, and the same shape at 2000 builds (100 × 20) for the nothing-new comparison.
  const small = await largeCorpus("history", QUICK ? 20 : 100, 20, cfg);
  const hist = await largeCorpus("history", H[0], H[1], cfg);
  const lastOf = (c, n) => {
    // The newest build of each package: the last `packages` of the corpus's order.
    const list = [];
    for (let i = c.shape.count - n; i < c.shape.count; i++) {
      const b = c.shape.at(i);
      list.push(path.join(c.builds, b.job, b.uuid, `${b.job}_${b.version}_amd64.deb`));
    }
    return list;
  };
  const refT = [];
  for (let r = 0; r < RUNS; r++) {
    fresh("ref");
    refT.push(timed(() => referencePipeline(lastOf(hist.c, H[0]), path.join(WORK, "ref"), keys)));
  }
  const ref = median(refT);
  const q = median(hist.quiet.map((x) => x.s));
  report(`7. history ${H[0] * H[1]}: cold (peak ${hist.cold.mb.toFixed(0)} MB)`, hist.cold.s, ref, `apt-ftparchive pipeline, ${H[0]} debs`);
  report(`   history ${H[0] * H[1]}: nothing new (peak ${Math.max(...hist.quiet.map((x) => x.mb)).toFixed(0)} MB)`, q, median(small.quiet.map((x) => x.s)), `same run at ${small.c.shape.count} builds`);
  report(`   history ${H[0] * H[1]}: 10 new`, median(hist.incr.map((x) => x.s)), 1.5, "target 1.5 s");

  // Index-heavy.
  const idx = await largeCorpus("index", I, 1, cfg);
  const irefT = [];
  for (let r = 0; r < (QUICK ? RUNS : 1); r++) {
    fresh("ref");
    irefT.push(timed(() => referencePipeline(lastOf(idx.c, I), path.join(WORK, "ref"), keys)));
  }
  const packages = path.join(idx.out, "apt/dists/debian-12/main/binary-amd64/Packages");
  const xzT = timed(() => sh("bash", ["-c", `xz -6 -T2 -c ${packages} > /dev/null`]));
  report(`8. index ${I}: cold (peak ${idx.cold.mb.toFixed(0)} MB)`, idx.cold.s, median(irefT), `apt-ftparchive pipeline, ${I} debs`);
  report(`   index ${I}: cold`, idx.cold.s, 60, "target 60 s");
  report(`   index ${I}: nothing new (peak ${Math.max(...idx.quiet.map((x) => x.mb)).toFixed(0)} MB)`, median(idx.quiet.map((x) => x.s)), 1.5, "target 1.5 s");
  report(`   index ${I}: 10 new`, median(idx.incr.map((x) => x.s)), idx.cold.s, "repogen cold (8.)");
  report(`   index ${I}: xz -6 -T2 of its Packages (${(statSync(packages).size / 1e6).toFixed(0)} MB)`, xzT, 0, "");
}

// ------------------------------------------------------------------ aptly and reprepro
function peersSection() {
  const N10 = QUICK ? 1000 : 10000;
  const keys = path.join(WORK, "keys");
  const home = gpgHome(keys);
  console.log(`\npeers: ${N10} builds (the index-heavy corpus's first), one new, nothing new; every tool publishes as-is with Contents`);
  return (async () => {
    const idx = await corpus(WORK, "index", QUICK ? 2000 : 100000, 1, console.log);
    const jobs = Array.from({ length: N10 }, (_, i) => idx.shape.at(i).job);
    const builds = linkedSubset(idx.builds, path.join(WORK, `peers-builds-${N10}`), jobs);
    // The incoming folder a cron script would read: the same .deb files, hard-linked.
    const incoming = path.join(WORK, `peers-incoming-${N10}`);
    if (!existsSync(path.join(incoming, ".complete"))) {
      rmSync(incoming, { recursive: true, force: true });
      mkdirSync(incoming);
      for (let i = 0; i < N10; i++) {
        const b = idx.shape.at(i);
        const f = `${b.job}_${b.version}_amd64.deb`;
        linkSync(path.join(builds, b.job, b.uuid, f), path.join(incoming, f));
      }
      writeFileSync(path.join(incoming, ".complete"), "");
    }
    const debsIn = () => readdirSync(incoming).filter((f) => f.endsWith(".deb")).sort().map((f) => path.join(incoming, f));
    const one = idx.shape.extra(1, 7)[0];
    const cfg = path.join(WORK, "peers.toml");
    writeFileSync(cfg, 'versioning = "as-is"\n[apt]\ncontents = true\n');
    const ours = { cold: [], one: [], nothing: [] };
    const A = { cold: [], one: [], nothing: [] };
    const R = { cold: [], one: [], nothing: [] };
    // The one new build, made once in a folder of its own.
    const oneDir = path.join(WORK, "peers-one");
    if (!existsSync(oneDir)) await writeBuilds(WORK, oneDir, [one]);
    const oneDeb = path.join(oneDir, one.job, one.uuid, `${one.job}_${one.version}_amd64.deb`);
    const oneIn = path.join(incoming, path.basename(oneDeb));
    const rounds = QUICK ? RUNS : 1;
    for (let r = 0; r < rounds; r++) {
      rmSync(path.join(builds, one.job), { recursive: true, force: true });
      rmSync(oneIn, { force: true });
      // repogen
      const out = fresh("peers-out");
      const st = fresh("peers-state");
      ours.cold.push(measured(cfg, builds, out, st).s);
      sh("cp", ["-al", path.join(oneDir, one.job), path.join(builds, one.job)]);
      ours.one.push(measured(cfg, builds, out, st).s);
      ours.nothing.push(measured(cfg, builds, out, st).s);
      rmSync(path.join(builds, one.job), { recursive: true, force: true });
      // aptly
      const ap = aptly(fresh("aptly"), home);
      ap.reset();
      A.cold.push(ap.cron(incoming, true));
      linkSync(oneDeb, oneIn);
      A.one.push(ap.cron(incoming, false));
      A.nothing.push(ap.cron(incoming, false));
      rmSync(oneIn);
      // reprepro
      const rp = reprepro(fresh("reprepro"), home);
      rp.reset();
      R.cold.push(rp.cron(debsIn()));
      linkSync(oneDeb, oneIn);
      R.one.push(rp.cron(debsIn()));
      R.nothing.push(rp.cron(debsIn()));
      rmSync(oneIn);
    }
    const med = (xs) => median(xs.map((x) => (typeof x === "number" ? x : x.total)));
    const phases = (xs) => `add ${median(xs.map((x) => x.add)).toFixed(2)} s + publish ${median(xs.map((x) => x.publish)).toFixed(2)} s`;
    for (const [k, label] of [["cold", "cold publish"], ["one", "one new build"], ["nothing", "nothing new"]]) {
      report(`9. ${N10} builds: ${label}`, med(ours[k]), med(A[k]), `aptly (${phases(A[k])})`);
      report(`   ${N10} builds: ${label}`, med(ours[k]), med(R[k]), `reprepro (${phases(R[k])})`);
    }
  })();
}

if (ONLY.has("base")) baseSection();
if (ONLY.has("scale")) await scaleSection();
if (ONLY.has("peers")) await peersSection();
rmSync(TRASH, { recursive: true, force: true });
spawnSync("gpgconf", ["--homedir", path.join(WORK, "gnupg"), "--kill", "gpg-agent"]);
