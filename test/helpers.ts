import { createHash } from "node:crypto";
import { spawnSync, type SpawnSyncOptions } from "node:child_process";
import { mkdtempSync, mkdirSync, writeFileSync, chmodSync, symlinkSync, utimesSync, lstatSync, readdirSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const CLI = path.join(ROOT, "dist", "cli.js");

export interface RunResult {
  status: number;
  stdout: string;
  stderr: string;
}

export function sh(cmd: string, args: string[], opts: SpawnSyncOptions = {}): RunResult {
  const r = spawnSync(cmd, args, { encoding: "utf8", maxBuffer: 256 << 20, ...opts });
  if (r.error) throw r.error;
  return { status: r.status ?? -1, stdout: String(r.stdout ?? ""), stderr: String(r.stderr ?? "") };
}

/** Runs a command and fails with its stderr when it exits non-zero. */
export function must(cmd: string, args: string[], opts: SpawnSyncOptions = {}): string {
  const r = sh(cmd, args, opts);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} exited ${r.status}:\n${r.stderr}\n${r.stdout}`);
  return r.stdout;
}

export function repogen(args: string[], opts: SpawnSyncOptions = {}): RunResult {
  return sh(process.execPath, [CLI, ...args], opts);
}

export function tmp(prefix = "repogen-test-"): string {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function write(file: string, content: string | Buffer, mode?: number): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, content);
  if (mode !== undefined) chmodSync(file, mode);
}

/** Sets every entry's mtime (symlinks themselves included) to T. */
export function touchAll(dir: string, t: number): void {
  must("find", [dir, "-exec", "touch", "-h", "-d", `@${t}`, "{}", "+"]);
}

export const HELLO_SPEC = `name = "hello"
version = "1.2.0"
summary = "Prints a greeting"
description = """
Hello prints a friendly greeting.

It is an example package."""
maintainer = "Example Team <team@example.org>"
homepage = "https://example.org/hello"
license = "ISC"
section = "utils"
depends = ["libc6 (>= 2.36)"]

[[files]]
src = "bin/hello"
dst = "/usr/bin/hello"
mode = "0755"

[[files]]
src = "share"
dst = "/usr/share/hello"

[[files]]
src = "empty"
dst = "/var/lib/hello"

[[files]]
src = "etc/hello.conf"
dst = "/etc/hello.conf"
config = true

[scripts]
postinstall = "scripts/postinst"
`;

/**
 * A staged tree with the awkward cases: a path over 100 bytes, non-ASCII names, a symlink, an
 * empty folder, a file of several MB, a conffile and a postinst.
 */
export function makeStagedTree(dir: string, opts: { bigBytes?: number; greeting?: string } = {}): string {
  const long = "d".repeat(60);
  write(path.join(dir, "bin/hello"), `#!/bin/sh\necho "${opts.greeting ?? "Hello from repogen"}"\n`, 0o755);
  write(path.join(dir, "etc/hello.conf"), "greeting=hi\n");
  write(path.join(dir, `share/${long}/${long}/file.txt`), "long\n");
  write(path.join(dir, "share/grüße-ünïcödé.txt"), "ü\n");
  // Deterministic pseudo-random content so the size is real and compression is not trivial.
  const big = pseudoRandom(opts.bigBytes ?? 3_000_000, "big");
  write(path.join(dir, "share/big.bin"), big);
  symlinkSync("big.bin", path.join(dir, "share/link-to-big"));
  mkdirSync(path.join(dir, "empty"), { recursive: true });
  write(
    path.join(dir, "scripts/postinst"),
    `#!/bin/sh\nset -e\nif [ "$1" = configure ]; then mkdir -p "\${DPKG_ROOT:-}/var/lib/hello"; echo configured > "\${DPKG_ROOT:-}/var/lib/hello/postinst-ran"; fi\n`,
    0o755,
  );
  write(path.join(dir, "package.toml"), HELLO_SPEC);
  return dir;
}

/** A small deterministic random generator (LCG) for generated test cases. */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0), s / 2 ** 32);
}

/** Incompressible but deterministic bytes (SHA-256 in counter mode). */
export function pseudoRandom(n: number, seed: string): Buffer {
  const out = Buffer.alloc(n);
  for (let i = 0, c = 0; i < n; i += 32, c++) createHash("sha256").update(`${seed}:${c}`).digest().copy(out, i);
  return out;
}

/** Makes an empty dpkg database in a throw-away root (FORMATS §6). */
export function dpkgRoot(root: string): string {
  for (const d of ["var/lib/dpkg/info", "var/lib/dpkg/updates", "var/lib/dpkg/triggers"]) mkdirSync(path.join(root, d), { recursive: true });
  writeFileSync(path.join(root, "var/lib/dpkg/status"), "");
  writeFileSync(path.join(root, "var/lib/dpkg/available"), "");
  return root;
}

export function listTree(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const n of readdirSync(d).sort()) {
      const p = path.join(d, n);
      out.push(path.relative(dir, p));
      if (lstatSync(p).isDirectory()) walk(p);
    }
  };
  walk(dir);
  return out;
}

export { utimesSync };
