#!/usr/bin/env node
// Benchmarks of the resident modes, beside the apt-ftparchive --db pipeline measured in the same run
// and in turns with it: `repogen watch` from a new build's build.json to the new InRelease, and 20
// `repogen hook` calls started at once. Usage: node bench/resident.mjs [--quick] (after npm run build;
// `npm run bench` runs it after bench/run.mjs). Shares bench/.work/debs with bench/run.mjs.
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, linkSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync, copyFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { makeDebs } from "./debs.mjs";
import { gpgHome as gpgHomeIn, referencePipeline as pipelineInto } from "./reference.mjs";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const CLI = path.join(ROOT, "dist", "cli.js");
const QUICK = process.argv.includes("--quick");
const N = QUICK ? 400 : 2000;
const RUNS = 3;
const DROPS = 5;
const HOOKS = 20;
const WORK = path.join(ROOT, "bench", ".work");
const NOW = new Date(Math.floor(Date.now() / 1000) * 1000).toISOString();

function sh(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: "utf8", maxBuffer: 1 << 30, ...opts });
  if (r.status !== 0) throw new Error(`${cmd} ${args.slice(0, 6).join(" ")} exited ${r.status}: ${r.stderr}`);
  return r.stdout;
}
const seconds = (t) => Number(process.hrtime.bigint() - t) / 1e9;
function timed(fn) {
  const t = process.hrtime.bigint();
  fn();
  return seconds(t);
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const sha256 = (f) => createHash("sha256").update(readFileSync(f)).digest("hex");
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
/** Polls fn every 2 ms until it holds, at most `ms`; the watch log goes into the error. */
async function waitFor(what, fn, log, ms) {
  const end = Date.now() + ms;
  while (!fn()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}:\n${log()}`);
    await sleep(2);
  }
}
function report(name, ours, ref, refName, target) {
  const ratio = ref ? ours / ref : 0;
  console.log(`${name.padEnd(46)} ${ours.toFixed(3).padStart(8)} s   ${refName.padEnd(34)} ${ref.toFixed(3).padStart(8)} s   ratio ${ratio.toFixed(2)}${target ? `  (target ≤ ${target}: ${ratio <= target ? "met" : "not met"})` : ""}`);
}

// The same corpus as bench/run.mjs (its files are shared through bench/.work/debs).

function buildJson(f, start) {
  const name = path.basename(f).split("_")[0];
  const base = path.basename(f);
  return JSON.stringify({ job: name, uuid: `u-${name}`, platform: "debian-12", arch: "amd64", start, finish: start, result: "success", main_binary: base, artifacts: [{ path: base, sha256: sha256(f) }] });
}

function makeBuilds(buildsDir, debs, startBase) {
  for (const [k, f] of debs.entries()) {
    const name = path.basename(f).split("_")[0];
    const d = path.join(buildsDir, name, `u-${name}`);
    if (existsSync(path.join(d, "build.json"))) continue;
    mkdirSync(d, { recursive: true });
    linkSync(f, path.join(d, path.basename(f)));
    writeFileSync(path.join(d, "build.json"), buildJson(f, new Date(Date.parse(startBase) + k * 1000).toISOString().replace(/\.000Z$/, "Z")));
  }
}

/** A build assembled beside its place and renamed in, as the hook and careful producers do. */
function dropBuild(buildsDir, f) {
  const name = path.basename(f).split("_")[0];
  const tmp = path.join(buildsDir, `.drop-${name}`);
  mkdirSync(tmp, { recursive: true });
  linkSync(f, path.join(tmp, path.basename(f)));
  writeFileSync(path.join(tmp, "build.json"), buildJson(f, "2026-11-22T00:00:00Z"));
  mkdirSync(path.join(buildsDir, name), { recursive: true });
  renameSync(tmp, path.join(buildsDir, name, `u-${name}`));
}

// The reference: the apt-ftparchive pipeline with its --db cache (bench/reference.mjs).
const gpgHome = (keys) => gpgHomeIn(path.join(WORK, "gnupg-resident"), keys);
const referencePipeline = (debs, out, keys, db) => pipelineInto(debs, out, gpgHome(keys), db);

const repogen = (args) => sh(process.execPath, [CLI, ...args]);

// ------------------------------------------------------------------ main
mkdirSync(WORK, { recursive: true });
console.log(`repogen resident benchmark: ${N} builds published, ${DROPS} drops for watch, ${HOOKS} hooks at once; ${os.cpus().length} cores, node ${process.version}`);
const keys = path.join(WORK, "keys");
if (!existsSync(keys)) repogen(["keygen", "--keys", keys]);
const debs = makeDebs(path.join(WORK, "debs"), 0, N + 10 + DROPS * RUNS + HOOKS * RUNS, path.join(WORK, "stage-tmp-resident"));
const base = debs.slice(0, N);
const ten = debs.slice(N, N + 10);
let next = N + 10;
const take = (k) => debs.slice(next, (next += k));

const R = path.join(WORK, "resident");
rmSync(R, { recursive: true, force: true });
mkdirSync(R, { recursive: true });
const config = (dir) => {
  mkdirSync(path.join(dir, "builds"), { recursive: true });
  const f = path.join(dir, "repogen.toml");
  writeFileSync(f, `builds = "builds"\noutput = "out"\nkeys = ${JSON.stringify(keys)}\nstate = "state"\n[apt]\ncontents = true\n`);
  return f;
};

// Reference and repogen's own incremental run (10 new on N), in turns.
const refT = [];
const incrT = [];
for (let r = 0; r < RUNS; r++) {
  const ref = path.join(R, `ref-${r}`);
  const db = path.join(R, `ftparchive-${r}.db`);
  referencePipeline(base, ref, keys, db);
  refT.push(timed(() => referencePipeline([...base, ...ten], ref, keys, db)));
  const d = path.join(R, `incr-${r}`);
  const cfg = config(d);
  makeBuilds(path.join(d, "builds"), base, "2026-11-20T00:00:00Z");
  repogen(["generate", "--config", cfg, "--now", NOW, "--quiet"]);
  makeBuilds(path.join(d, "builds"), ten, "2026-11-21T00:00:00Z");
  incrT.push(timed(() => repogen(["generate", "--config", cfg, "--now", NOW, "--quiet"])));
}
const ref = median(refT);
const incr = median(incrT);
report(`incremental generate, 10 new on ${N}`, incr, ref, "apt-ftparchive --db pipeline");

// watch: from the rename of a build folder into place to the new InRelease under its name.
{
  const d = path.join(R, "watch");
  const cfg = config(d);
  makeBuilds(path.join(d, "builds"), base, "2026-11-20T00:00:00Z");
  repogen(["generate", "--config", cfg, "--now", NOW, "--quiet"]);
  const child = spawn(process.execPath, [CLI, "watch", "--config", cfg], { stdio: ["ignore", "ignore", "pipe"] });
  let log = "";
  child.stderr.on("data", (b) => (log += String(b)));
  const until = (what, fn) => waitFor(what, fn, () => log, 120_000);
  await until("watch's first run", () => /builds published/.test(log));
  const inRelease = path.join(d, "out/apt/dists/debian-12/InRelease");
  const lat = [];
  for (const f of take(DROPS * RUNS).slice(0, DROPS)) {
    const before = readFileSync(inRelease, "utf8");
    const t = process.hrtime.bigint();
    dropBuild(path.join(d, "builds"), f);
    await until("the new InRelease", () => readFileSync(inRelease, "utf8") !== before);
    lat.push(seconds(t));
    await sleep(300);
  }
  child.kill("SIGTERM");
  await new Promise((r) => child.on("exit", r));
  const polling = /polling every/.test(log);
  report(`watch: build.json → InRelease, ${N} published${polling ? " (POLLING: inotify limits reached)" : ""}`, median(lat), ref, "apt-ftparchive --db pipeline", 0.3);
}

// 20 hooks at once, each with a new build, on N published: wall time until all have exited.
{
  const hookT = [];
  const runs = [];
  for (let r = 0; r < RUNS; r++) {
    const d = path.join(R, `hooks-${r}`);
    const cfg = config(d);
    makeBuilds(path.join(d, "builds"), base, "2026-11-20T00:00:00Z");
    repogen(["generate", "--config", cfg, "--now", NOW, "--quiet"]);
    const data = path.join(d, "data");
    const calls = take(HOOKS).map((f) => {
      const sha = sha256(f);
      const artifact = path.join(data, "_artifacts", sha.slice(0, 2), sha);
      mkdirSync(path.dirname(artifact), { recursive: true });
      copyFileSync(f, artifact);
      const name = path.basename(f).split("_")[0];
      return [CLI, "hook", "--config", cfg, "--json", "--build-time=20261122000000", `--sha256=${sha}`, `--job=${name}`, `--uuid=u-${name}`, "--platform=debian-12", `--data-dir=${data}`, `--cache-dir=${d}`, `--main-binary-filepath=bin/${name}.deb`, artifact];
    });
    const t = process.hrtime.bigint();
    const results = await Promise.all(
      calls.map(
        (args) =>
          new Promise((resolve) => {
            const c = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
            let out = "";
            let err = "";
            c.stdout.on("data", (b) => (out += String(b)));
            c.stderr.on("data", (b) => (err += String(b)));
            c.on("close", (code) => resolve({ code, out, err }));
          }),
      ),
    );
    hookT.push(seconds(t));
    const bad = results.filter((x) => x.code !== 0);
    if (bad.length) throw new Error(`${bad.length} hooks failed: ${bad[0].out}`);
    const pk = readFileSync(path.join(d, "out/apt/dists/debian-12/main/binary-amd64/Packages"), "utf8");
    for (const args of calls) if (!pk.includes(`Package: ${args[7].slice(6)}\n`)) throw new Error(`${args[7]} not published`);
    const runsOf = (x) => {
      try {
        return JSON.parse(x.out.trim().split("\n").at(-1)).runs;
      } catch {
        throw new Error(`a hook printed no summary: ${JSON.stringify(x.out)} ${x.err}`);
      }
    };
    runs.push(results.reduce((n, x) => n + runsOf(x), 0));
  }
  report(`${HOOKS} hooks at once, all published (runs: ${runs.join(", ")})`, median(hookT), incr, "one incremental generate", 3);
}
// watch with 100 000 builds published: the history-heavy corpus of bench/run.mjs (5000 packages × 20
// builds, made by `node bench/run.mjs --only=scale`, reused from bench/.work), published once by
// generate, then builds renamed into place one at a time (and taken out again afterwards).
{
  const BIG = QUICK ? 2000 : 100000;
  const corpusDir = path.join(WORK, `corpus-history-${BIG}`);
  if (!existsSync(path.join(corpusDir, "complete"))) console.log(`watch with ${BIG} builds: skipped, run node bench/run.mjs --only=scale${QUICK ? " --quick" : ""} first to make the corpus`);
  else {
    const { shape, writeBuilds } = await import("./corpus.mjs");
    const builds = path.join(corpusDir, "builds");
    const d = path.join(R, "watch-big");
    mkdirSync(d, { recursive: true });
    const cfg = path.join(d, "repogen.toml");
    writeFileSync(cfg, `builds = ${JSON.stringify(builds)}\noutput = "out"\nkeys = ${JSON.stringify(keys)}\nstate = "state"\nkeep_versions = 1\n[apt]\ncontents = true\n`);
    const t0 = process.hrtime.bigint();
    repogen(["generate", "--config", cfg, "--now", NOW, "--quiet"]);
    console.log(`watch with ${BIG} builds: first published in ${seconds(t0).toFixed(1)} s`);
    const sh = shape("history", QUICK ? 100 : 5000, 20);
    const extra = sh.extra(DROPS, 9);
    const staging = path.join(d, "staging");
    await writeBuilds(WORK, staging, extra);
    const child = spawn(process.execPath, [CLI, "watch", "--config", cfg], { stdio: ["ignore", "ignore", "pipe"] });
    let log = "";
    child.stderr.on("data", (b) => (log += String(b)));
    const until = (what, fn) => waitFor(what, fn, () => log, 300_000);
    const lat = [];
    try {
      await until("watch's first run", () => /builds published/.test(log));
      const inRelease = path.join(d, "out/apt/dists/debian-12/InRelease");
      for (const b of extra) {
        const before = readFileSync(inRelease, "utf8");
        const t = process.hrtime.bigint();
        renameSync(path.join(staging, b.job, b.uuid), path.join(builds, b.job, b.uuid));
        await until("the new InRelease", () => readFileSync(inRelease, "utf8") !== before);
        lat.push(seconds(t));
        await sleep(QUICK ? 500 : 3000);
      }
    } finally {
      child.kill("SIGTERM");
      await new Promise((r) => child.on("exit", r));
      for (const b of extra) rmSync(path.join(builds, b.job, b.uuid), { recursive: true, force: true });
    }
    const polling = /polling every/.test(log);
    report(`watch: build.json → InRelease, ${BIG} published${polling ? " (POLLING)" : ""}`, median(lat), 1, "target", 1);
  }
}
spawnSync("gpgconf", ["--homedir", path.join(WORK, "gnupg-resident"), "--kill", "gpg-agent"]);
rmSync(R, { recursive: true, force: true });
