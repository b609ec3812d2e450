#!/usr/bin/env node
// Floors: what parts of a generate run cost on this machine however repogen is written, to read the
// benchmark's ratios against (README "Performance"). Run after `npm run bench`, whose corpus it reads.
// Usage: npm run bench:floors
// Needs: gcc and liblzma-dev for the C figure (skipped, and said so, without them), apt-ftparchive.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const WORK = path.join(ROOT, "bench", ".work");
const DEBS = path.join(WORK, "debs");
const N = 2000;
const RUNS = 5;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const files = () => readdirSync(DEBS).sort().slice(0, N).map((f) => path.join(DEBS, f));

// ------------------------------------------------------------------ child modes (one process each)
const [mode, ...rest] = process.argv.slice(2);
if (mode === "--read") {
  // Reading packages as generate does (fields, file list, versions as-is), in this process alone.
  const { readReadyDeb } = await import(path.join(ROOT, "dist/debian/ready-deb.js"));
  const [from, to] = rest.map(Number);
  const tasks = files()
    .slice(from, to)
    .map((source) => ({ source, arch: "amd64", files: true, versioning: "as-is", buildtime: "20261120000000", mainSha: "0".repeat(64), out: "/nonexistent" }));
  const t = performance.now();
  for (const task of tasks) await readReadyDeb(task);
  console.log((performance.now() - t).toFixed(1));
  process.exit(0);
}
if (mode === "--decode") {
  // Only the xz members, through repogen's decoder.
  const { decodeXzSync } = await import(path.join(ROOT, "dist/archive/xz.js"));
  const { listArAt, readAtBuffer } = await import(path.join(ROOT, "dist/archive/ar.js"));
  const members = [];
  for (const f of files()) {
    const b = readFileSync(f);
    for (const m of await listArAt(readAtBuffer(b), b.length, f)) if (m.name.endsWith(".xz")) members.push(b.subarray(m.offset, m.offset + m.size));
  }
  const t = performance.now();
  for (const m of members) decodeXzSync(m, 16 << 20, { scratch: true });
  console.log((performance.now() - t).toFixed(1));
  process.exit(0);
}
if (mode === "--import") {
  const t = performance.now();
  await import(path.join(ROOT, "dist/commands/generate.js"));
  console.log((performance.now() - t).toFixed(1));
  process.exit(0);
}

// ------------------------------------------------------------------ main
if (!existsSync(DEBS)) {
  console.error("no corpus: run `npm run bench` first");
  process.exit(2);
}
function wall(cmd, args) {
  const t = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { encoding: "utf8", maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.slice(0, 3).join(" ")} exited ${r.status}: ${r.stderr}`);
  return { ms: Number(process.hrtime.bigint() - t) / 1e6, out: r.stdout.trim() };
}
const self = fileURLToPath(import.meta.url);
const child = (...a) => Number(wall(process.execPath, [self, ...a]).out);
const row = (what, ms, note = "") => console.log(`${what.padEnd(58)} ${ms.toFixed(0).padStart(6)} ms  ${note}`);
const runs = (fn) => median(Array.from({ length: RUNS }, fn));

console.log(`floors on this machine: ${os.cpus().length} cores, node ${process.version}; medians of ${RUNS}; ${N} packages of bench/.work/debs`);
row("node -e 0 (Node's own start)", runs(() => wall(process.execPath, ["-e", "0"]).ms));
row("repogen --version (start and the CLI module)", runs(() => wall(process.execPath, [path.join(ROOT, "dist/cli.js"), "--version"]).ms));
row("loading generate's modules (in a started process)", runs(() => child("--import")));
const one = runs(() => child("--read", "0", String(N)));
row(`reading ${N} packages, one process`, one);
row(`  of which decoding their xz members (repogen's decoder)`, runs(() => child("--decode")));

// The same members through liblzma from C: what a native reader would pay for the decoding alone.
const exe = path.join(WORK, "native-xz");
mkdirSync(WORK, { recursive: true });
const cc = spawnSync("gcc", ["-O2", "-o", exe, path.join(ROOT, "bench/native-xz.c"), "-llzma"], { encoding: "utf8" });
if (cc.status === 0) {
  const list = files();
  row(`  the same members through liblzma in C`, runs(() => Number(wall(exe, list).out.split(" ")[2])));
} else row("  the same members through liblzma in C", NaN, "(skipped: gcc or liblzma-dev missing)");

// Two processes side by side, half each: how much the second core adds to this kind of work. Each
// process times its own reading, so the two starts are not counted.
const half = String(N / 2);
const readIn = (a, b) =>
  new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [self, "--read", a, b], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    p.stdout.on("data", (d) => (out += d));
    p.on("exit", (code) => (code === 0 ? resolve(Number(out)) : reject(new Error(`--read exited ${code}`))));
  });
const pair = [];
for (let r = 0; r < RUNS; r++) pair.push(Math.max(...(await Promise.all([readIn("0", half), readIn(half, String(N))]))));
const alone = runs(() => child("--read", "0", half));
row(`  one process reading ${half} alone`, alone);
const both = median(pair);
row(`  two processes reading ${half} each, side by side (slower one)`, both, `(${(one / both).toFixed(2)}× as fast as one process for all ${N})`);

// The reference's reading: apt-ftparchive reads each control member (packages) and each data
// member (contents) in C.
const pool = path.join(WORK, "floors-pool");
if (!existsSync(pool)) {
  mkdirSync(pool);
  spawnSync("bash", ["-c", `xargs -0 cp -l -t ${pool}`], { input: files().join("\0") });
}
row("apt-ftparchive packages (control members)", runs(() => wall("apt-ftparchive", ["-o", "APT::FTPArchive::MD5=false", "-o", "APT::FTPArchive::SHA1=false", "-o", "APT::FTPArchive::SHA512=false", "packages", pool]).ms));
row("apt-ftparchive contents (data members)", runs(() => wall("apt-ftparchive", ["contents", pool]).ms));
