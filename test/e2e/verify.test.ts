// repogen verify: accepts an untouched tree (folder and http), catches damage, expiry and wrong keys.
import { describe, expect, it, beforeAll, afterAll } from "vitest";
import { cpSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { repogen, ROOT, tmp } from "../helpers.js";
import { serve, type Server } from "../apt-helpers.js";
import { readyBuild, treeBuild } from "../builds.js";

const NOW = new Date(Math.floor(Date.now() / 1000) * 1000).toISOString();
const FIX = path.resolve(ROOT, "test", "fixtures", "freebsd");

describe("repogen verify", () => {
  let work: string, out: string, keys: string, builds: string;
  let server: Server;
  let keyArgs: string[];

  beforeAll(async () => {
    work = tmp("repogen-verify-");
    builds = path.join(work, "builds");
    out = path.join(work, "out");
    keys = path.join(work, "keys");
    expect(repogen(["keygen", "--keys", keys]).status).toBe(0);
    treeBuild(builds, { job: "greeter", uuid: "g1", start: "2026-11-20T10:00:00Z" }, { bigBytes: 50_000 });
    readyBuild(builds, { job: "libfoo", uuid: "l1", platform: "freebsd-14", start: "2026-11-20T10:00:00Z" }, path.join(FIX, "repo/All/libfoo-2.0.pkg"));
    const r = repogen(["generate", "--builds", builds, "--out", out, "--keys", keys, "--state", path.join(work, "state"), "--now", NOW]);
    expect(r.status, r.stderr).toBe(0);
    server = await serve(out);
    keyArgs = ["--apt-keyring", path.join(keys, "apt-signing-key.pub.asc"), "--pkg-pubkey", path.join(keys, "pkg-signing-key.pub.pem")];
  });
  afterAll(() => server?.stop());

  /** A copy of the tree with one thing changed. */
  function damaged(change: (dir: string) => void): string {
    const d = path.join(tmp(), "tree");
    cpSync(out, d, { recursive: true });
    change(d);
    return d;
  }
  const flip = (file: string, at = 200) => {
    const b = readFileSync(file);
    b[Math.min(at, b.length - 1)] ^= 0x01;
    writeFileSync(file, b);
  };
  const dist = (d: string) => path.join(d, "apt/dists/debian-12");

  it("accepts the untouched tree, as a folder and over http, deep too", () => {
    for (const target of [out, server.url]) {
      const r = repogen(["verify", target, "--deep", ...keyArgs]);
      expect(r.stderr).toBe("");
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/^consistent: 1 APT suite\(s\), 1 FreeBSD repository, 2 package files checked \(deep\); 0 problem\(s\)/);
    }
    const w = repogen(["verify", out]);
    expect(w.status).toBe(0);
    expect(w.stderr).toMatch(/proves consistency, not authenticity/);
  });

  const cases: Array<[string, (d: string) => void, RegExp, string[]?]> = [
    ["a changed byte in an index", (d) => flip(path.join(dist(d), "main/binary-amd64/Packages"), 30), /main\/binary-amd64\/Packages: does not match InRelease/],
    [
      "a changed byte in a by-hash copy",
      (d) => {
        const bh = path.join(dist(d), "main/binary-amd64/by-hash/SHA256");
        for (const f of readdirSync(bh)) flip(path.join(bh, f), 10);
      },
      /by-hash copy does not match/,
    ],
    [
      "a missing by-hash copy",
      (d) => {
        const bh = path.join(dist(d), "main/binary-amd64/by-hash/SHA256");
        rmSync(path.join(bh, readdirSync(bh)[0]!));
      },
      /by-hash copy [0-9a-f]{64} missing/,
    ],
    [
      "a changed byte in a pool file (--deep)",
      (d) => {
        const pool = path.join(d, "apt/pool/main/g/greeter");
        flip(path.join(pool, readdirSync(pool)[0]!), 5000);
      },
      /apt\/pool\/main\/g\/greeter\/.*: SHA256 differs from Packages/,
      ["--deep"],
    ],
    [
      "a changed byte in a FreeBSD package (--deep)",
      (d) => {
        const all = path.join(d, "pkg/FreeBSD:14:amd64/All");
        flip(path.join(all, readdirSync(all)[0]!), 100);
      },
      /All\/libfoo-.*: SHA-256 differs from the catalogue/,
      ["--deep"],
    ],
    ["an edited InRelease", (d) => writeFileSync(path.join(dist(d), "InRelease"), readFileSync(path.join(dist(d), "InRelease"), "utf8").replace("Label: repogen", "Label: evil")), /InRelease: signature does not verify/],
    ["an edited Release", (d) => writeFileSync(path.join(dist(d), "Release"), readFileSync(path.join(dist(d), "Release"), "utf8").replace("Label: repogen", "Label: evil")), /Release: differs from the text InRelease signs/],
    ["a missing pool file", (d) => rmSync(path.join(d, "apt/pool"), { recursive: true }), /apt\/pool\/main\/g\/greeter\/.*: missing/],
    ["a tampered FreeBSD catalogue", (d) => flip(path.join(d, "pkg/FreeBSD:14:amd64/data.pkg"), 600), /data\.pkg: (signature does not verify|cannot be read)/],
  ];
  for (const [what, change, re, extra] of cases) {
    it(`catches ${what}`, () => {
      const d = damaged(change);
      const r = repogen(["verify", d, ...keyArgs, ...(extra ?? [])]);
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(re);
      expect(r.stdout).toMatch(/^NOT consistent/);
    });
  }

  it("catches a wrong key", () => {
    const other = path.join(work, "other");
    expect(repogen(["keygen", "--keys", other]).status).toBe(0);
    const a = repogen(["verify", out, "--apt-keyring", path.join(other, "apt-signing-key.pub.asc"), "--pkg-pubkey", path.join(keys, "pkg-signing-key.pub.pem")]);
    expect(a.status).toBe(1);
    expect(a.stderr).toMatch(/InRelease: signature does not verify/);
    const b = repogen(["verify", out, "--apt-keyring", path.join(keys, "apt-signing-key.pub.asc"), "--pkg-pubkey", path.join(other, "pkg-signing-key.pub.pem")]);
    expect(b.status).toBe(1);
    expect(b.stderr).toMatch(/data\.pkg: signature does not verify/);
  });

  it("catches an expired Valid-Until", () => {
    const cfg = path.join(work, "short.toml");
    writeFileSync(cfg, "valid_days = 1\n");
    const o2 = path.join(work, "expired");
    const past = new Date(Date.now() - 3 * 86400_000).toISOString();
    const g = repogen(["generate", "--config", cfg, "--builds", builds, "--out", o2, "--keys", keys, "--state", path.join(work, "state-exp"), "--now", past]);
    expect(g.status, g.stderr).toBe(0);
    const r = repogen(["verify", o2, ...keyArgs]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/InRelease: expired \(Valid-Until /);
    // and a later run re-signs it: fresh again
    const g2 = repogen(["generate", "--config", cfg, "--builds", builds, "--out", o2, "--keys", keys, "--state", path.join(work, "state-exp"), "--now", NOW]);
    expect(g2.status, g2.stderr).toBe(0);
    expect(repogen(["verify", o2, ...keyArgs]).status).toBe(0);
  });
});
