// Seeded fuzzing of the package readers: about two thousand mutations (bit flips, truncations,
// splices, inserted bytes, edited tar and ar header fields) of real and hand-made .deb and .pkg
// files. Every case must end as "accepted" or as a typed rejection (RepogenError): no other
// exception, no hang, no unhandled rejection, and memory within a bound. Accepted .debs are
// cross-checked with dpkg-deb -I and -c (what we accept, dpkg-deb must read), and a few whole
// generate runs over mutated builds end with exit 0 or 3 and one line per rejection.
import { describe, expect, it, beforeAll } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { readDeb, rewriteDebVersion } from "../src/debian/deb.js";
import { readPkg, rewritePkgVersion } from "../src/freebsd/pkg.js";
import { RepogenError } from "../src/errors.js";
import { CLI, tmp } from "./helpers.js";
import { readyBuild } from "./builds.js";
import { compress, control, controlTar, dataTar, deb, fixChecksum, manifest, pkgTar, T } from "./hostile-packages.js";

// FUZZ_SEED=N runs another sequence (the suite runs the fixed one).
const SEED = Number(process.env.FUZZ_SEED ?? 20261201);
const DEB_CASES = 1000;
const PKG_CASES = 1000;
/** A case that takes longer than this is a hang. */
const CASE_TIMEOUT_MS = 15_000;
/** Growth of the resident set over the whole run that counts as a leak or a bomb that got through. */
const RSS_BOUND = 400 << 20;

function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Verdict = "accepted" | "rejected";

async function judged(fn: () => Promise<unknown>): Promise<{ verdict: Verdict; error?: unknown }> {
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error("HANG")), CASE_TIMEOUT_MS)));
  try {
    await Promise.race([fn(), hang]);
    return { verdict: "accepted" };
  } catch (e) {
    return { verdict: "rejected", error: e };
  } finally {
    clearTimeout(timer);
  }
}

/** Offsets of the tar headers of an uncompressed tar starting at `base` in `b`. */
function tarHeaders(b: Buffer, base: number, end: number): number[] {
  const out: number[] = [];
  let off = base;
  while (off + 512 <= end && out.length < 64) {
    const h = b.subarray(off, off + 512);
    if (h.every((x) => x === 0)) break;
    out.push(off);
    const size = parseInt(h.toString("latin1", 124, 136).replace(/[\0 ].*$/, "") || "0", 8) || 0;
    const flag = String.fromCharCode(h[156]!);
    off += 512 + (["0", "\0", "L", "K", "x", "g"].includes(flag) ? Math.ceil(size / 512) * 512 : 0);
  }
  return out;
}

/** Where the uncompressed tars of a file are: the whole file (.pkg, none) or its tar members (.deb). */
function tarRegions(b: Buffer, kind: "deb" | "pkg"): Array<[number, number]> {
  if (kind === "pkg") return b.length > 512 && b.toString("latin1", 257, 262) === "ustar" ? [[0, b.length]] : [];
  const regions: Array<[number, number]> = [];
  let at = 8;
  while (at + 60 <= b.length) {
    const name = b.toString("latin1", at, at + 16).trim();
    const size = Number(b.toString("latin1", at + 48, at + 58).trim());
    if (!Number.isSafeInteger(size)) break;
    if (/\.tar$/.test(name)) regions.push([at + 60, at + 60 + size]);
    at += 60 + size + (size % 2);
  }
  return regions;
}

const FIELDS: Array<[number, number]> = [
  [0, 100], // name
  [100, 8], // mode
  [108, 8], // uid
  [116, 8], // gid
  [124, 12], // size
  [136, 12], // mtime
  [156, 1], // typeflag
  [157, 100], // linkname
  [257, 8], // magic + version
  [345, 155], // prefix
];
const ALPHABET = "01234567 \0\x80\xff89aZ./-+e\n";

function mutate(b: Buffer, kind: "deb" | "pkg", other: Buffer, r: () => number): Buffer {
  const pick = (n: number) => Math.floor(r() * n);
  const op = pick(7);
  let out = Buffer.from(b);
  if (op === 0) {
    for (let k = 1 + pick(4); k > 0; k--) {
      const i = pick(out.length);
      out[i]! ^= 1 << pick(8);
    }
  } else if (op === 1) out = out.subarray(0, pick(out.length));
  else if (op === 2) {
    const at = pick(out.length);
    const from = pick(other.length);
    const len = 1 + pick(Math.min(4096, other.length - from));
    out = Buffer.concat([out.subarray(0, at), other.subarray(from, from + len), out.subarray(at + len)]);
  } else if (op === 3) {
    const at = pick(out.length);
    const ins = Buffer.alloc(1 + pick(600));
    for (let i = 0; i < ins.length; i++) ins[i] = r() < 0.5 ? 0 : pick(256);
    out = Buffer.concat([out.subarray(0, at), ins, out.subarray(at)]);
  } else if (op === 4 && kind === "deb") {
    // an ar header field
    const heads: number[] = [];
    for (let at = 8; at + 60 <= out.length && heads.length < 8; ) {
      heads.push(at);
      const size = Number(out.toString("latin1", at + 48, at + 58).trim());
      if (!Number.isSafeInteger(size)) break;
      at += 60 + size + (size % 2);
    }
    const h = heads[pick(heads.length)]!;
    const [off, len] = ([[0, 16], [16, 12], [28, 6], [34, 6], [40, 8], [48, 10], [58, 2]] as const)[pick(7)]!;
    for (let i = 0; i < len; i++) if (r() < 0.4) out[h + off + i] = ALPHABET.charCodeAt(pick(ALPHABET.length));
  } else {
    // a tar header field, with the checksum fixed most of the time (so the edit is what is judged)
    const regions = tarRegions(out, kind);
    if (!regions.length) {
      out[pick(out.length)]! ^= 0xff;
      return out;
    }
    const [start, end] = regions[pick(regions.length)]!;
    const heads = tarHeaders(out, start, end);
    if (!heads.length) return out.subarray(0, Math.max(0, out.length - 1 - pick(100)));
    const h = heads[pick(heads.length)]!;
    const [off, len] = FIELDS[pick(FIELDS.length)]!;
    const n = 1 + pick(Math.min(len, 12));
    const from = off + pick(len - n + 1);
    for (let i = 0; i < n; i++) out[h + from + i] = off === 156 ? "0123456LKxgV7S\0A"[pick(16)]!.charCodeAt(0) : ALPHABET.charCodeAt(pick(ALPHABET.length));
    if (r() < 0.8) fixChecksum(out, h);
  }
  return out;
}

describe("fuzzing the package readers", () => {
  let work: string;
  const debs: Buffer[] = [];
  const pkgs: Buffer[] = [];

  beforeAll(async () => {
    work = tmp("repogen-fuzz-");
    // Real dpkg-deb output (xz members), and hand-made ones in every member compression.
    const root = path.join(work, "root");
    mkdirSync(path.join(root, "DEBIAN"), { recursive: true });
    mkdirSync(path.join(root, "usr/share/fz"), { recursive: true });
    writeFileSync(path.join(root, "DEBIAN/control"), control("fz"));
    writeFileSync(path.join(root, "usr/share/fz/a"), "alpha\n");
    writeFileSync(path.join(root, "usr/share/fz/b"), Buffer.alloc(3000, 0x62));
    const built = path.join(work, "fz_1.0-1_amd64.deb");
    expect(spawnSync("dpkg-deb", ["--root-owner-group", "-Zxz", "--build", root, built]).status).toBe(0);
    debs.push(readFileSync(built));
    const files = { a: "alpha\n", ["long-" + "n".repeat(150)]: "beta\n", c: Buffer.alloc(700, 0x63) };
    for (const [cc, dc] of [["none", "none"], ["gz", "xz"], ["xz", "gz"], ["zst", "zst"], ["none", "bz2"]] as const)
      debs.push(await deb(controlTar(control("fz"), [{ name: "./postinst", type: "file", mode: 0o755, size: 0, mtime: T, data: Buffer.from("#!/bin/sh\n") }]), dataTar("fz", files), cc, dc));
    const text = JSON.stringify(
      manifest({
        files: {
          "/usr/local/share/fbpkg/README": { sum: "1$" + "0".repeat(64), uname: "root", gname: "wheel", perm: "0644" },
          "/usr/local/share/fbpkg/link": { sum: "1$" + "0".repeat(64), uname: "root", gname: "wheel", perm: "0777", symlink_target: "README" },
        },
      }),
    );
    const extra = [{ name: "/usr/local/share/fbpkg/link", type: "symlink" as const, mode: 0o777, size: 0, mtime: T, linkname: "README" }];
    const tar = pkgTar(text, text, extra);
    for (const c of ["none", "zst", "xz", "gz"] as const) pkgs.push(c === "none" ? tar : await compress(c, tar));
    // The corpus itself is accepted.
    for (const [i, b] of debs.entries()) {
      const f = path.join(work, `base${i}.deb`);
      writeFileSync(f, b);
      expect((await readDeb(f, { files: true })).name).toBe("fz");
    }
    for (const [i, b] of pkgs.entries()) {
      const f = path.join(work, `base${i}.pkg`);
      writeFileSync(f, b);
      expect((await readPkg(f)).manifest.name).toBe("fbpkg");
    }
  }, 120_000);

  it(`${DEB_CASES + PKG_CASES} mutations: each accepted or a typed rejection, none hangs, memory stays bounded; dpkg-deb reads what we accept`, async () => {
    const r = rng(SEED);
    const base = process.memoryUsage().rss;
    let peak = base;
    const counts = { deb: { accepted: 0, rejected: 0 }, pkg: { accepted: 0, rejected: 0 } };
    const untyped: string[] = [];
    const acceptedDebs: string[] = [];
    const dir = path.join(work, "cases");
    mkdirSync(dir);
    for (let n = 0; n < DEB_CASES + PKG_CASES; n++) {
      const kind = n < DEB_CASES ? "deb" : "pkg";
      const pool = kind === "deb" ? debs : pkgs;
      const src = pool[Math.floor(r() * pool.length)]!;
      let b = mutate(src, kind, pool[Math.floor(r() * pool.length)]!, r);
      if (r() < 0.15) b = mutate(b, kind, src, r); // sometimes two mutations
      const f = path.join(dir, `${n}.${kind}`);
      writeFileSync(f, b);
      const res = await judged(async () => {
        if (kind === "deb") {
          await readDeb(f, { files: true });
          // The rewrite path too (generate rewrites the version of most packages).
          if (n % 4 === 0) await rewriteDebVersion(f, "1.0-1+b1", `${f}.out`);
        } else {
          const info = await readPkg(f);
          if (n % 2 === 0) await rewritePkgVersion(f, "1.0_1", `${f}.out`, undefined, info);
        }
      });
      counts[kind][res.verdict]++;
      if (res.error !== undefined && !(res.error instanceof RepogenError)) untyped.push(`case ${n} (${kind}): ${String((res.error as Error).stack ?? res.error).split("\n").slice(0, 3).join(" | ")}`);
      if (kind === "deb" && res.verdict === "accepted") acceptedDebs.push(f);
      if (n % 50 === 0) peak = Math.max(peak, process.memoryUsage().rss);
    }
    peak = Math.max(peak, process.memoryUsage().rss);
    expect(untyped).toEqual([]);
    expect(peak - base).toBeLessThan(RSS_BOUND);
    // Both outcomes happen for both kinds (the mutations are neither all harmless nor all fatal).
    for (const k of ["deb", "pkg"] as const) {
      expect(counts[k].accepted, k).toBeGreaterThan(20);
      expect(counts[k].rejected, k).toBeGreaterThan(200);
    }
    // What we accept, dpkg-deb must read: its control (-I) and its data listing (-c).
    const refused: string[] = [];
    const step = Math.max(1, Math.floor(acceptedDebs.length / 80));
    for (let i = 0; i < acceptedDebs.length; i += step) {
      const f = acceptedDebs[i]!;
      for (const flag of ["-I", "-c"]) {
        const d = spawnSync("dpkg-deb", [flag, f], { encoding: "utf8", timeout: 30_000 });
        if (d.status !== 0) refused.push(`${path.basename(f)} ${flag}: ${d.stderr.trim().split("\n")[0]}`);
      }
    }
    expect(refused).toEqual([]);
  }, 300_000);

  it("whole generate runs over mutated builds end with exit 0 or 3, one line per rejection, no stack trace", async () => {
    const r = rng(SEED + 1);
    for (const kind of ["deb", "pkg"] as const) {
      const builds = path.join(work, `builds-${kind}`);
      const pool = kind === "deb" ? debs : pkgs;
      const n = 8;
      for (let i = 0; i < n; i++) {
        const b = i === 0 ? pool[0]! : mutate(pool[i % pool.length]!, kind, pool[0]!, r);
        const f = path.join(work, kind === "deb" ? `m${i}_1.0_amd64.deb` : `m${i}-1.0.pkg`);
        writeFileSync(f, b);
        readyBuild(builds, { job: `fz${kind}`, uuid: `case-${i}`, start: `2026-11-2${i}T10:00:00Z`, platform: kind === "deb" ? "debian-12" : "freebsd-14" }, f);
      }
      const keys = path.join(work, "keys");
      if (kind === "deb") expect(spawnSync(process.execPath, [CLI, "keygen", "--keys", keys]).status).toBe(0);
      const g = spawnSync(process.execPath, [CLI, "generate", "--builds", builds, "--out", path.join(work, `out-${kind}`), "--keys", keys, "--state", path.join(work, `state-${kind}`)], {
        encoding: "utf8",
        timeout: 180_000,
      });
      expect([0, 3], g.stderr).toContain(g.status);
      expect(g.stderr).not.toMatch(/^\s+at /m);
      const lines = g.stderr.trim() ? g.stderr.trim().split("\n") : [];
      for (const l of lines) expect(l).toMatch(new RegExp(`^rejected ${builds.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}/fz${kind}/case-\\d: .+`));
      // The unmutated package is always published.
      expect(lines.some((l) => l.includes("/case-0:"))).toBe(false);
    }
  }, 400_000);
});
