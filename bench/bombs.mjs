#!/usr/bin/env node
// Peak memory of `generate` on packages that decode to far more than they weigh: a .deb whose data
// member decodes to 1 GiB (accepted: it is streamed), one whose tar holds 300 MB of GNU long names,
// one whose tar holds 400 MB of names just under the name limit, a 2 GiB control member, and a .pkg
// of 1 GiB. Beside each, dpkg-deb -c (or zstd -t) on the same file, measured in the same run.
// Usage: npm run bench:bombs      Needs: xz, zstd, dpkg-deb, GNU time (/usr/bin/time).
// Target: peak RSS of generate under 300 MB for every case.
import { spawnSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync, readFileSync, existsSync } from "node:fs";
import { createHash } from "node:crypto";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const CLI = path.join(ROOT, "dist", "cli.js");
const WORK = path.join(ROOT, "bench", ".work", "bombs");
const TARGET_MB = 300;
const { arHeader, arPadding } = await import(path.join(ROOT, "dist/archive/ar.js"));
const { tarBuffer, tarHeader } = await import(path.join(ROOT, "dist/archive/tar.js"));

const T = 1700000000;
const MiB = 1 << 20;

function sh(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { maxBuffer: 1 << 30, ...opts });
  if (r.error) throw r.error;
  return r;
}

/** `head` then n zero bytes then `tail`, through a compressor, never holding the zeros here. */
function streamed(tool, head, n, tail = Buffer.alloc(0)) {
  const r = sh("sh", ["-c", `{ head -c ${head.length}; head -c ${n} /dev/zero; cat; } | ${tool}`], { input: Buffer.concat([head, tail]) });
  if (r.status !== 0) throw new Error(`${tool}: ${r.stderr}`);
  return r.stdout;
}

function ctlTar(name) {
  const control = `Package: ${name}\nVersion: 1.0-1\nArchitecture: amd64\nMaintainer: A <a@b.c>\nDescription: ${name}\n`;
  return tarBuffer([
    { name: "./", type: "dir", mode: 0o755, size: 0, mtime: T },
    { name: "./control", type: "file", mode: 0o644, size: 0, mtime: T, data: Buffer.from(control) },
  ]);
}

function debFile(file, members) {
  const parts = [Buffer.from("!<arch>\n"), arHeader("debian-binary", 4, T), Buffer.from("2.0\n")];
  for (const m of members) parts.push(arHeader(m.name, m.data.length, T), m.data, arPadding(m.data.length));
  writeFileSync(file, Buffer.concat(parts));
  return file;
}

const dirs = (name) => ["./", "./usr/", "./usr/share/", `./usr/share/${name}/`].map((n) => tarHeader({ name: n, type: "dir", mode: 0o755, size: 0, mtime: T }));

/** A data tar of `count` entries whose names are `len` bytes, made in slices and piped to xz. */
function namesXz(name, count, len) {
  const chunks = [...dirs(name)];
  for (let i = 0; i < count; i++) chunks.push(tarHeader({ name: `./usr/share/${name}/${String(i).padStart(8, "0")}${"n".repeat(len - 30 - name.length)}`, type: "file", mode: 0o644, size: 0, mtime: T }));
  chunks.push(Buffer.alloc(10240));
  const r = sh("xz", ["-0", "-T2", "-c"], { input: Buffer.concat(chunks) });
  return r.stdout;
}

function cases() {
  mkdirSync(WORK, { recursive: true });
  const out = [];
  const at = (n) => path.join(WORK, n);
  // 1. data member decoding to 1 GiB: one file of zeros
  let f = at("zeros_1.0-1_amd64.deb");
  if (!existsSync(f)) {
    const head = Buffer.concat([...dirs("zeros"), tarHeader({ name: "./usr/share/zeros/big", type: "file", mode: 0o644, size: 1024 * MiB, mtime: T })]);
    debFile(f, [{ name: "control.tar", data: ctlTar("zeros") }, { name: "data.tar.xz", data: streamed("xz -0 -T1 -c", head, 1024 * MiB + 10240) }]);
  }
  out.push({ name: "data member decoding to 1 GiB (.deb)", file: f, platform: "debian-12", ref: ["dpkg-deb", ["-c", f]] });
  // 2. 300 GNU long names of 1 MiB each
  f = at("longlinks_1.0-1_amd64.deb");
  if (!existsSync(f)) {
    const parts = [...dirs("longlinks")];
    for (let i = 0; i < 300; i++) parts.push(tarHeader({ name: `./usr/share/longlinks/${String(i).padStart(8, "0")}${"n".repeat(MiB - 40)}`, type: "file", mode: 0o644, size: 0, mtime: T }));
    parts.push(Buffer.alloc(10240));
    debFile(f, [{ name: "control.tar", data: ctlTar("longlinks") }, { name: "data.tar.xz", data: sh("xz", ["-0", "-T2", "-c"], { input: Buffer.concat(parts) }).stdout }]);
  }
  out.push({ name: "300 long names of 1 MiB (.deb)", file: f, platform: "debian-12", ref: ["dpkg-deb", ["-c", f]] });
  // 3. 100,000 names of 4000 bytes: 400 MB of names, each under the name limit
  f = at("names_1.0-1_amd64.deb");
  if (!existsSync(f)) debFile(f, [{ name: "control.tar", data: ctlTar("names") }, { name: "data.tar.xz", data: namesXz("names", 100_000, 4000) }]);
  out.push({ name: "100,000 names of 4000 bytes (.deb)", file: f, platform: "debian-12", ref: ["dpkg-deb", ["-c", f]] });
  // 4. control member decoding to 2 GiB
  f = at("cbomb_1.0-1_amd64.deb");
  if (!existsSync(f)) {
    const head = ctlTar("cbomb").subarray(0, 3 * 512);
    const data = tarBuffer([{ name: "./", type: "dir", mode: 0o755, size: 0, mtime: T }]);
    debFile(f, [{ name: "control.tar.xz", data: streamed("xz -0 -T1 -c", head, 2048 * MiB) }, { name: "data.tar", data }]);
  }
  out.push({ name: "control member decoding to 2 GiB (.deb)", file: f, platform: "debian-12", ref: ["dpkg-deb", ["-I", f]] });
  // 5. a .pkg (zstd) holding one 1 GiB file of zeros
  f = at("zeros-1.0.pkg");
  if (!existsSync(f)) {
    const man = JSON.stringify({
      name: "zeros", origin: "local/zeros", version: "1.0", comment: "c", maintainer: "m@example.org", www: "https://example.org", abi: "FreeBSD:14:amd64",
      arch: "freebsd:14:x86:64", prefix: "/usr/local", flatsize: 1024 * MiB, licenselogic: "single", licenses: [], desc: "d", deps: {}, categories: ["misc"],
      files: { "/usr/local/share/zeros/big": { sum: "1$" + "0".repeat(64), uname: "root", gname: "wheel", perm: "0644" } },
    });
    const data = Buffer.from(man);
    const pad = Buffer.alloc(Math.ceil(data.length / 512) * 512 - data.length);
    const member = (name) => [tarHeader({ name, type: "file", mode: 0o644, size: data.length, mtime: T }), data, pad];
    const head = Buffer.concat([...member("+COMPACT_MANIFEST"), ...member("+MANIFEST"), tarHeader({ name: "/usr/local/share/zeros/big", type: "file", mode: 0o644, size: 1024 * MiB, mtime: T })]);
    writeFileSync(f, streamed("zstd -1 -q -c", head, 1024 * MiB + 10240));
  }
  out.push({ name: "file decoding to 1 GiB (.pkg, zstd)", file: f, platform: "freebsd-14", ref: ["zstd", ["-t", "-q", f]] });
  return out;
}

/** Peak RSS in MB and seconds of a command, by GNU time. */
function measure(cmd, args) {
  const r = sh("/usr/bin/time", ["-f", "%M %e", cmd, ...args], { encoding: "utf8" });
  const last = r.stderr.trim().split("\n").pop();
  const [kb, s] = last.split(" ").map(Number);
  return { mb: kb / 1024, s, status: r.status, stderr: r.stderr };
}

function generateOn(c) {
  const w = path.join(WORK, "run");
  rmSync(w, { recursive: true, force: true });
  const dir = path.join(w, "builds", "bomb", "b1");
  mkdirSync(dir, { recursive: true });
  const base = path.basename(c.file);
  sh("ln", [c.file, path.join(dir, base)]);
  const sha = createHash("sha256");
  sha.update(readFileSync(c.file));
  writeFileSync(
    path.join(dir, "build.json"),
    JSON.stringify({
      job: "bomb", uuid: "b1", platform: c.platform, arch: "amd64", start: "2026-11-20T10:00:00Z", finish: "2026-11-20T10:00:00Z", result: "success",
      main_binary: base, artifacts: [{ path: base, sha256: sha.digest("hex") }],
    }),
  );
  const keys = path.join(WORK, "keys");
  if (!existsSync(keys)) sh(process.execPath, [CLI, "keygen", "--keys", keys]);
  return measure(process.execPath, [CLI, "generate", "--builds", path.join(w, "builds"), "--out", path.join(w, "out"), "--keys", keys, "--state", path.join(w, "state")]);
}

console.log("bombs: peak RSS of generate (target < %d MB), beside the reference tool on the same file\n", TARGET_MB);
let failed = 0;
for (const c of cases()) {
  const g = generateOn(c);
  const ref = measure(c.ref[0], c.ref[1]);
  const verdict = g.status === 0 ? "published" : g.status === 3 ? "rejected" : `exit ${g.status}`;
  const line = g.stderr.split("\n").find((l) => l.startsWith("rejected "));
  const why = line ? /\(limit: \w+\)|: ([^:]*)$/.exec(line)?.[0] ?? "" : "";
  const ok = g.mb < TARGET_MB && (g.status === 0 || g.status === 3);
  if (!ok) failed++;
  console.log(
    `${c.name.padEnd(42)} generate ${g.mb.toFixed(0).padStart(5)} MB ${g.s.toFixed(1).padStart(6)} s  ${verdict.padEnd(9)} ${why.padEnd(24)}` +
      `${c.ref[0]} ${c.ref[1][0]} ${ref.mb.toFixed(0).padStart(5)} MB ${ref.s.toFixed(1).padStart(6)} s (exit ${ref.status})  ${ok ? "ok" : "OVER TARGET"}`,
  );
}
rmSync(path.join(WORK, "run"), { recursive: true, force: true });
process.exitCode = failed ? 1 : 0;
