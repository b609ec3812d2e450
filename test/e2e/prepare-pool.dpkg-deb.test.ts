// Packages made on worker threads (src/prepare-pool.ts) are the very bytes the main thread makes:
// the same builds, clock and keys give a byte-identical tree and the same rejections with and
// without the pool; dpkg-deb reads the rewritten packages.
import { describe, expect, it } from "vitest";
import { lstatSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { listTree, must, repogen, tmp } from "../helpers.js";
import { craftDeb, readyBuild, treeBuild } from "../builds.js";

describe("packaging on worker threads", () => {
  it("gives the same tree and the same rejections as packaging on the main thread", () => {
    const work = tmp("repogen-pool-");
    const builds = path.join(work, "builds");
    const keys = path.join(work, "keys");
    expect(repogen(["keygen", "--keys", keys]).status).toBe(0);
    for (let i = 0; i < 12; i++) {
      const deb = path.join(work, "debs", `p${i}_1.${i}-1_amd64.deb`);
      must("mkdir", ["-p", path.dirname(deb)]);
      craftDeb(deb, `Package: p${i}\nVersion: 1.${i}-1\nArchitecture: amd64\nMaintainer: A <a@b.c>\nDescription: package ${i}\n`, { [`f${i}`]: `content ${i}\n` });
      readyBuild(builds, { job: `p${i}`, uuid: "u1", start: `2026-11-20T10:00:${String(i).padStart(2, "0")}Z` }, deb);
    }
    // a second build of p0: only the newest is read
    const again = path.join(work, "debs2", "p0_1.0-1_amd64.deb");
    must("mkdir", ["-p", path.dirname(again)]);
    craftDeb(again, "Package: p0\nVersion: 1.0-1\nArchitecture: amd64\nMaintainer: A <a@b.c>\nDescription: package 0, again\n");
    readyBuild(builds, { job: "p0", uuid: "u2", start: "2026-11-21T10:00:00Z" }, again);
    // a staged tree, and two builds rejected where they are read
    treeBuild(builds, { job: "greeter", uuid: "t1", start: "2026-11-20T11:00:00Z" });
    const bad = path.join(work, "debs", "bad_1.0-1_amd64.deb");
    craftDeb(bad, "Package: bad\nVersion: 1.0-1\nArchitecture: i386\nMaintainer: A <a@b.c>\nDescription: wrong arch\n");
    readyBuild(builds, { job: "bad", uuid: "u1", start: "2026-11-20T12:00:00Z" }, bad);
    const p5 = path.join(work, "debs2", "p5_1.5-2_amd64.deb");
    craftDeb(p5, "Package: p5\nVersion: 1.5-2\nArchitecture: amd64\nMaintainer: A <a@b.c>\nDescription: package 5, newer\n");
    const swapped = readyBuild(builds, { job: "p5", uuid: "u2", start: "2026-11-22T10:00:00Z" }, p5);
    writeFileSync(path.join(swapped, "p5_1.5-2_amd64.deb"), "not the bytes build.json names\n");

    const run = (workers: string) => {
      const out = path.join(work, `out-${workers}`);
      const r = repogen(
        ["generate", "--builds", builds, "--out", out, "--state", path.join(work, `state-${workers}`), "--keys", keys, "--now", "2026-11-30T00:00:00Z"],
        { env: { ...process.env, REPOGEN_WORKERS: workers, REPOGEN_TEST_POOL_MIN: "1" } },
      );
      expect(r.status, r.stderr).toBe(3);
      return { out, rejected: r.stderr.split("\n").filter((l) => l.startsWith("rejected ")) };
    };
    const main = run("0");
    const pooled = run("2");
    expect(pooled.rejected).toEqual(main.rejected);
    expect(main.rejected).toEqual([
      expect.stringMatching(/^rejected .*\/bad\/u1: .*Architecture is i386, build\.json says amd64/),
      expect.stringMatching(/^rejected .*\/p5\/u2: artifact "p5_1\.5-2_amd64\.deb" has SHA-256 [0-9a-f]{64}, build\.json says [0-9a-f]{64}/),
    ]);
    const files = listTree(main.out);
    expect(listTree(pooled.out)).toEqual(files);
    for (const f of files) {
      const a = path.join(main.out, f);
      if (!lstatSync(a).isFile()) continue;
      expect(readFileSync(path.join(pooled.out, f)).equals(readFileSync(a)), f).toBe(true);
    }
    const debs = files.filter((f) => f.endsWith(".deb"));
    // p0 to p11 (p0 from its newest build, p5 from its older one) and greeter
    expect(debs.length).toBe(13);
    expect(debs.filter((f) => f.includes("/p5_1.5-1+b"))).toHaveLength(1);
    expect(debs.filter((f) => f.includes("/p0_1.0-1+b20261121"))).toHaveLength(1);
    for (const f of debs) expect(must("dpkg-deb", ["--field", path.join(pooled.out, f), "Version"]).trim()).toMatch(/\+b\d{14}\.[0-9a-f]{64}$|-\d{14}-[0-9a-f]{64}$/);
  }, 120_000);
});
