// The FreeBSD side, checked with independent readers (tar, xz, zstd, gzip, openssl) and against the
// files the real FreeBSD pkg wrote (test/fixtures/freebsd).
import { describe, expect, it, beforeAll } from "vitest";
import { createHash } from "node:crypto";
import { readFileSync, readdirSync, writeFileSync, mkdirSync, existsSync, statSync } from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { readPkg } from "../../src/freebsd/pkg.js";
import { parseSum } from "../../src/freebsd/manifest.js";
import { verifyCatalogue } from "../../src/signing/rsa.js";
import { tarBuffer } from "../../src/archive/tar.js";
import { must, repogen, ROOT, sh, tmp, write, makeStagedTree } from "../helpers.js";
import { readyBuild, treeBuild } from "../builds.js";

const FIX = path.resolve(ROOT, "test", "fixtures", "freebsd");
const NOW = new Date(Math.floor(Date.now() / 1000) * 1000).toISOString();
const sha = (b: Buffer | string) => createHash("sha256").update(b).digest("hex");

/** Members of a (compressed) tar as GNU tar lists them: "mode owner/group size name". */
function tarList(file: string): string[] {
  return must("tar", ["--numeric-owner", "-tvf", file])
    .trim()
    .split("\n")
    .map((l) => l.replace(/\s+\d{4}-\d\d-\d\d \d\d:\d\d/, ""));
}

function extract(file: string): string {
  const d = tmp();
  must("tar", ["-xf", file, "-C", d, "-P", "--transform", "s,^/,ROOT/,"]);
  return d;
}

/** Verifies a catalogue signature the way FORMATS §6 says: openssl over the hex digest. */
function opensslVerify(member: Buffer, sig: Buffer, pub: string): boolean {
  const d = tmp();
  writeFileSync(path.join(d, "hex"), sha(member));
  writeFileSync(path.join(d, "sig"), sig);
  return sh("openssl", ["dgst", "-sha256", "-verify", pub, "-signature", path.join(d, "sig"), path.join(d, "hex")]).stdout.includes("Verified OK");
}

describe("reading what the real pkg wrote", () => {
  it("reads every field, file, checksum and script of the fixture packages", async () => {
    const hello = await readPkg(path.join(FIX, "repo/All/hello-1.0_1.pkg"));
    expect(hello.compression).toBe("zst");
    const m = hello.manifest;
    expect([m.name, m.version, m.origin, m.comment, m.maintainer, m.www, m.abi, m.arch, m.prefix]).toEqual([
      "hello", "1.0_1", "misc/hello", "Hello world test package", "me@example.org", "https://example.org/hello", "FreeBSD:14:amd64", "freebsd:14:x86:64", "/usr/local",
    ]);
    expect(m.flatsize).toBe(34);
    expect(m.desc).toBe("A test package.\nWith a second line and a percent % sign.");
    expect(m.deps).toEqual({ libfoo: { origin: "devel/libfoo", version: "2.0" } });
    expect(m.scripts).toEqual({ "post-install": "echo post-install ran for %n", "pre-deinstall": "echo bye" });
    expect(m.options).toEqual({ DOCS: "on", X11: "off" });
    expect(Object.keys(m.files!)).toEqual(["/usr/local/bin/hello", "/usr/local/bin/hi", "/usr/local/share/hello/README"]);
    expect(m.files!["/usr/local/bin/hi"]!.symlink_target).toBe("hello");
    for (const f of Object.values(m.files!)) expect(parseSum(f.sum).type).toBe("blake2");
    expect(Object.keys(m.directories!)).toEqual(["/usr/local/share/hello/empty"]);
    // the member list agrees with GNU tar's reading of the same file
    const names = tarList(path.join(FIX, "repo/All/hello-1.0_1.pkg")).map((l) => l.split(" ").filter(Boolean).slice(3).join(" ").replace(/ -> .*$/, "").replace(/\/$/, ""));
    expect(names).toEqual(["+COMPACT_MANIFEST", "+MANIFEST", ...hello.entries.map((e) => e.name)]);
    const libfoo = await readPkg(path.join(FIX, "repo/All/libfoo-2.0.pkg"));
    expect(libfoo.manifest.abi).toBe("FreeBSD:14:*");
    expect(libfoo.manifest.flatsize).toBe(7);
  });

  it("verifies the fixture repository's signatures with repo.pub", () => {
    for (const [archive, member] of [
      ["data.pkg", "data"],
      ["packagesite.pkg", "packagesite.yaml"],
    ]) {
      const d = extract(path.join(FIX, "repo", archive!));
      const content = readFileSync(path.join(d, member!));
      const sig = readFileSync(path.join(d, "signature"));
      expect(sig[sig.length - 1]).toBe(0);
      const raw = sig.subarray(0, -1);
      expect(verifyCatalogue(content, raw, readFileSync(path.join(FIX, "repo.pub"), "utf8"))).toBe(true);
      expect(opensslVerify(content, raw, path.join(FIX, "repo.pub"))).toBe(true);
      // a changed byte fails
      const bad = Buffer.from(content);
      bad[10] ^= 1;
      expect(verifyCatalogue(bad, raw, readFileSync(path.join(FIX, "repo.pub"), "utf8"))).toBe(false);
    }
    const d = extract(path.join(FIX, "repo/data.pkg"));
    const data = readFileSync(path.join(d, "data"), "utf8");
    expect(data.includes("\n")).toBe(false);
    const cat = JSON.parse(data) as { packages: Array<{ name: string; pkgsize: number; path: string }> };
    for (const p of cat.packages) expect(statSync(path.join(FIX, "repo", p.path)).size).toBe(p.pkgsize);
  });
});

const FB_SPEC = `name = "fbhello"
version = "1.0_1"
summary = "Prints a greeting"
description = """
A test package with ünïcode and a 100% literal percent."""
maintainer = "team@example.org"
homepage = "https://example.org/fbhello"
license = "BSD2CLAUSE"
section = "misc"
depends = ["devel/libfoo>=2.0", "gmp"]

[[files]]
src = "bin/hello"
dst = "/usr/local/bin/fbhello"
mode = "0755"

[[files]]
src = "share"
dst = "/usr/local/share/fbhello"

[[files]]
src = "empty"
dst = "/usr/local/share/fbhello-empty"

[[files]]
src = "etc/hello.conf"
dst = "/usr/local/etc/fbhello.conf"
config = true

[scripts]
postinstall = "scripts/postinst"
`;

describe("repogen package --platform freebsd-14", () => {
  let stage: string;
  beforeAll(() => {
    stage = makeStagedTree(tmp(), { bigBytes: 200_000 });
    write(path.join(stage, "package.toml"), FB_SPEC);
  });

  for (const [comp, tool] of [
    ["tzst", ["zstd", "-t"]],
    ["txz", ["xz", "-t"]],
    ["tgz", ["gzip", "-t"]],
    ["tar", null],
  ] as const) {
    it(`writes a ${comp} package that ${tool ? tool[0] : "tar"} and tar read: order, absolute names, owners`, async () => {
      const out = tmp();
      const r = repogen(["package", path.join(stage, "package.toml"), "--root", stage, "--platform", "freebsd-14", "--arch", "amd64", "--out", out, "--mtime", "1700000000", "--compression", comp]);
      expect(r.status, r.stderr).toBe(0);
      const file = r.stdout.trim();
      expect(path.basename(file)).toBe("fbhello-1.0_1.pkg");
      if (tool) expect(sh(tool[0], [tool[1], file]).status).toBe(0);
      const list = tarList(file);
      const names = list.map((l) => l.split(" ").filter(Boolean).slice(3).join(" "));
      expect(names.slice(0, 2)).toEqual(["+COMPACT_MANIFEST", "+MANIFEST"]);
      for (const l of list) expect(l).toMatch(/^\S+ 0\/0 /);
      const ownerNames = must("tar", ["-tvf", file]).trim().split("\n");
      for (const l of ownerNames) expect(l).toMatch(/ root\/wheel /);
      const body = names.slice(2);
      const firstDir = body.findIndex((n) => n.endsWith("/"));
      expect(firstDir).toBeGreaterThan(0);
      expect(body.slice(firstDir).every((n) => n.endsWith("/"))).toBe(true);
      for (const n of body) expect(n.startsWith("/usr/local/")).toBe(true);
      expect(body.some((n) => n.includes(" -> big.bin"))).toBe(true);
      expect(body.some((n) => Buffer.byteLength(n) > 100)).toBe(true);
    });
  }

  it("writes manifests with pkg's JSON types, encodings and sums that match the files", () => {
    const out = tmp();
    const r = repogen(["package", path.join(stage, "package.toml"), "--root", stage, "--platform", "freebsd-14", "--arch", "amd64", "--out", out, "--mtime", "1700000000", "--compression", "txz"]);
    const file = r.stdout.trim();
    const d = extract(file);
    const full = readFileSync(path.join(d, "+MANIFEST"), "utf8");
    const compact = readFileSync(path.join(d, "+COMPACT_MANIFEST"), "utf8");
    expect(full.trim().split("\n")).toHaveLength(1);
    const m = JSON.parse(full);
    const c = JSON.parse(compact);
    expect(typeof m.flatsize).toBe("number");
    for (const k of ["name", "origin", "version", "comment", "maintainer", "www", "prefix", "desc", "abi", "arch"]) expect(typeof m[k], k).toBe("string");
    expect(m.abi).toBe("FreeBSD:14:amd64");
    expect(m.arch).toBe("freebsd:14:x86:64");
    expect(m.origin).toBe("local/fbhello");
    expect(m.desc).toBe("A test package with %c3%bcn%c3%afcode and a 100%25 literal percent.");
    expect(m.deps).toEqual({ libfoo: { origin: "devel/libfoo", version: "2.0" }, gmp: { origin: "local/gmp", version: "0" } });
    expect(m.config).toEqual(["/usr/local/etc/fbhello.conf"]);
    expect(Object.keys(m.scripts)).toEqual(["post-install"]);
    for (const k of ["files", "config", "directories", "scripts"]) expect(c[k]).toBeUndefined();
    expect({ ...m, files: undefined, config: undefined, directories: undefined, scripts: undefined }).toEqual({ ...c, files: undefined, config: undefined, directories: undefined, scripts: undefined });
    let flat = 0;
    for (const [enc, f] of Object.entries(m.files as Record<string, { sum: string; perm: string; symlink_target?: string; uname: string; gname: string }>)) {
      const p = decodeURIComponent(enc);
      const onDisk = path.join(d, "ROOT", p.slice(1));
      expect(f.uname).toBe("root");
      expect(f.gname).toBe("wheel");
      if (f.symlink_target !== undefined) {
        expect(f.sum).toBe(`1$${sha(f.symlink_target)}`);
        flat += Buffer.byteLength(f.symlink_target);
      } else {
        const b = readFileSync(onDisk);
        expect(f.sum).toBe(`1$${sha(b)}`);
        expect(f.perm).toBe((statSync(onDisk).mode & 0o777).toString(8).padStart(4, "0"));
        flat += b.length;
      }
    }
    expect(m.flatsize).toBe(flat);
  });
});

describe("generate for freebsd-14", () => {
  let work: string, out: string, builds: string, keys: string;
  beforeAll(() => {
    work = tmp("repogen-fb-");
    builds = path.join(work, "builds");
    out = path.join(work, "out");
    keys = path.join(work, "keys");
    expect(repogen(["keygen", "--keys", keys]).status).toBe(0);
    treeBuild(builds, { job: "fbhello", uuid: "fb-1", platform: "freebsd-14", start: "2026-11-20T10:00:00Z" }, { spec: FB_SPEC, bigBytes: 5000 });
    readyBuild(builds, { job: "libfoo", uuid: "fb-libfoo", platform: "freebsd-14", start: "2026-11-19T10:00:00Z" }, path.join(FIX, "repo/All/libfoo-2.0.pkg"));
    readyBuild(builds, { job: "hello", uuid: "fb-hello", platform: "freebsd-14", start: "2026-11-19T11:00:00Z" }, path.join(FIX, "repo/All/hello-1.0_1.pkg"));
    const r = repogen(["generate", "--builds", builds, "--out", out, "--keys", keys, "--state", path.join(work, "state"), "--now", NOW]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
  });

  it("writes meta.conf, meta and signed catalogues that openssl verifies", () => {
    const abi = path.join(out, "pkg/FreeBSD:14:amd64");
    const meta = readFileSync(path.join(abi, "meta.conf"), "utf8");
    expect(meta).toBe(
      'version = 2;\npacking_format = "tzst";\nmanifests = "packagesite.yaml";\ndata = "data";\nfilesite = "files";\nmanifests_archive = "packagesite";\nfilesite_archive = "files";\n',
    );
    expect(readFileSync(path.join(abi, "meta"), "utf8")).toBe(meta);
    for (const [archive, member] of [
      ["data.pkg", "data"],
      ["packagesite.pkg", "packagesite.yaml"],
    ]) {
      const names = tarList(path.join(abi, archive!)).map((l) => l.split(" ").pop());
      expect(names).toEqual(["signature", member]);
      const d = extract(path.join(abi, archive!));
      const sig = readFileSync(path.join(d, "signature"));
      expect(sig[sig.length - 1]).toBe(0);
      expect(opensslVerify(readFileSync(path.join(d, member!)), sig.subarray(0, -1), path.join(out, "pkg/repo.pub"))).toBe(true);
    }
    const d = extract(path.join(abi, "data.pkg"));
    const data = readFileSync(path.join(d, "data"), "utf8");
    expect(data.includes("\n")).toBe(false);
    const cat = JSON.parse(data) as { groups: unknown[]; expired_packages: unknown[]; packages: Array<Record<string, unknown>> };
    expect(cat.groups).toEqual([]);
    expect(cat.packages.map((p) => p.name).sort()).toEqual(["fbhello", "hello", "libfoo"]);
    const yaml = readFileSync(path.join(abi, "packagesite.yaml"), "utf8").trim().split("\n");
    expect(yaml.map((l) => JSON.parse(l))).toEqual(cat.packages);
    for (const p of cat.packages) {
      for (const k of ["name", "origin", "version", "comment", "maintainer", "prefix", "desc", "sum", "path", "repopath", "arch", "abi"]) expect(typeof p[k], k).toBe("string");
      expect(typeof p.pkgsize).toBe("number");
      expect(typeof p.flatsize).toBe("number");
      expect(p.path).toBe(p.repopath);
      const f = readFileSync(path.join(abi, p.path as string));
      expect(f.length).toBe(p.pkgsize);
      expect(sha(f)).toBe(p.sum);
      expect(p.version as string).not.toContain("-");
    }
    const fb = cat.packages.find((p) => p.name === "fbhello")!;
    expect(fb.version).toMatch(/^1\.0\+20261120100000\.[0-9a-f]{64}_1$/);
    const hello = cat.packages.find((p) => p.name === "hello")!;
    expect(hello.deps).toEqual({ libfoo: { origin: "devel/libfoo", version: "2.0" } });
    expect(readFileSync(path.join(out, "pkg/repogen.conf"), "utf8")).toContain('url: "http://localhost:8000/pkg/${ABI}"');
    expect(readFileSync(path.join(out, "index.html"), "utf8")).toContain("FreeBSD:14:amd64");
  });

  it("a package read back from the repository equals the spec it was built from", async () => {
    const abi = path.join(out, "pkg/FreeBSD:14:amd64/All");
    const file = path.join(abi, readdirSync(abi).find((f) => f.startsWith("fbhello-"))!);
    const info = await readPkg(file);
    const m = info.manifest;
    expect(m.comment).toBe("Prints a greeting");
    expect(m.desc).toBe("A test package with ünïcode and a 100% literal percent.");
    expect(m.config).toEqual(["/usr/local/etc/fbhello.conf"]);
    expect(m.scripts!["post-install"]).toBe(readFileSync(path.join(builds, "fbhello/fb-1/stage/scripts/postinst"), "utf8"));
    expect(m.deps).toEqual({ libfoo: { origin: "devel/libfoo", version: "2.0" }, gmp: { origin: "local/gmp", version: "0" } });
    const stage = path.join(builds, "fbhello/fb-1/stage");
    const expectFile = (dst: string, src: string, perm: string) => {
      const e = info.entries.find((x) => x.name === dst)!;
      expect(e.size).toBe(statSync(path.join(stage, src)).size);
      expect(m.files![dst]!.sum).toBe(`1$${sha(readFileSync(path.join(stage, src)))}`);
      expect(m.files![dst]!.perm).toBe(perm);
    };
    expectFile("/usr/local/bin/fbhello", "bin/hello", "0755");
    expectFile("/usr/local/etc/fbhello.conf", "etc/hello.conf", "0644");
    expectFile("/usr/local/share/fbhello/big.bin", "share/big.bin", "0644");
    expect(m.files!["/usr/local/share/fbhello/link-to-big"]!.symlink_target).toBe("big.bin");
    expect(Object.keys(m.directories!)).toContain("/usr/local/share/fbhello-empty");
    // the real pkg's own package, rewritten: same files, only the version changed
    const hello = await readPkg(path.join(abi, readdirSync(abi).find((f) => f.startsWith("hello-"))!));
    const orig = await readPkg(path.join(FIX, "repo/All/hello-1.0_1.pkg"));
    expect(hello.entries).toEqual(orig.entries);
    expect({ ...hello.manifest, version: "" }).toEqual({ ...orig.manifest, version: "" });
    expect(hello.manifest.version).toMatch(/^1\.0\+20261119110000\.[0-9a-f]{64}_1$/);
  });

  it("fingerprints mode writes .sig/.pub members and the trusted fingerprint file", () => {
    const cfg = path.join(work, "fp.toml");
    writeFileSync(cfg, `[pkg]\nsignature = "fingerprints"\ncompression = "txz"\n`);
    const o2 = path.join(work, "out-fp");
    const r = repogen(["generate", "--config", cfg, "--builds", builds, "--out", o2, "--keys", keys, "--state", path.join(work, "state-fp"), "--now", NOW]);
    expect(r.status, r.stderr).toBe(0);
    const abi = path.join(o2, "pkg/FreeBSD:14:amd64");
    expect(tarList(path.join(abi, "data.pkg")).map((l) => l.split(" ").pop())).toEqual(["data.sig", "data.pub", "data"]);
    const d = extract(path.join(abi, "data.pkg"));
    const pub = readFileSync(path.join(d, "data.pub"));
    expect(opensslVerify(readFileSync(path.join(d, "data")), readFileSync(path.join(d, "data.sig")), path.join(d, "data.pub"))).toBe(true);
    const fpFile = readFileSync(path.join(o2, "pkg/fingerprints/trusted/repogen"), "utf8");
    expect(fpFile).toBe(`function: "sha256"\nfingerprint: "${sha(pub)}"\n`);
    expect(readFileSync(path.join(abi, "meta.conf"), "utf8")).toContain('packing_format = "txz"');
  });
});

/** A .pkg built by hand, so it can hold what pkg create would never write. */
function craftPkg(file: string, manifest: Record<string, unknown>, entries: Array<{ name: string; data?: string }>) {
  const text = JSON.stringify(manifest);
  const tar = tarBuffer([
    { name: "+COMPACT_MANIFEST", type: "file", mode: 0o644, size: 0, mtime: 1700000000, data: Buffer.from(text) },
    { name: "+MANIFEST", type: "file", mode: 0o644, size: 0, mtime: 1700000000, data: Buffer.from(text) },
    ...entries.map((e) => ({ name: e.name, type: "file" as const, mode: 0o644, size: 0, mtime: 1700000000, data: Buffer.from(e.data ?? "x") })),
  ]);
  writeFileSync(file, zlib.gzipSync(tar));
}

describe("generate rejects hostile FreeBSD builds", () => {
  it("wrong manifest type, '-' in a version, relative and '..' names, contradicting abi", () => {
    const work = tmp();
    const builds = path.join(work, "builds");
    const keys = path.join(work, "keys");
    expect(repogen(["keygen", "--keys", keys]).status).toBe(0);
    const base = {
      name: "x", origin: "misc/x", version: "1.0", comment: "c", maintainer: "m@e.org", www: "https://e.org", abi: "FreeBSD:14:amd64",
      arch: "freebsd:14:x86:64", prefix: "/usr/local", flatsize: 1, desc: "d", licenselogic: "single", licenses: [], deps: {}, categories: ["misc"],
      files: { "/usr/local/bin/x": { sum: `1$${sha("x")}`, uname: "root", gname: "wheel", perm: "0644" } },
    };
    const cases: Array<[string, Record<string, unknown>, Array<{ name: string }>, RegExp]> = [
      ["flatsize-string", { ...base, flatsize: "1" }, [{ name: "/usr/local/bin/x" }], /"flatsize" must be a whole number/],
      ["dash-version", { ...base, version: "1.0-2" }, [{ name: "/usr/local/bin/x" }], /bad FreeBSD version "1\.0-2"/],
      ["relative-name", { ...base, files: { "usr/local/bin/x": base.files["/usr/local/bin/x"] } }, [{ name: "usr/local/bin/x" }], /is not an absolute path/],
      ["dotdot-name", { ...base, files: { "/usr/local/../../etc/x": base.files["/usr/local/bin/x"] } }, [{ name: "/usr/local/../../etc/x" }], /contains "\.\."/],
      ["wrong-abi", { ...base, abi: "FreeBSD:13:aarch64" }, [{ name: "/usr/local/bin/x" }], /abi is FreeBSD:13:aarch64, build\.json says FreeBSD:14:amd64/],
      ["unlisted-member", base, [{ name: "/usr/local/bin/x" }, { name: "/usr/local/bin/hidden" }], /not listed in the manifest/],
    ];
    const dirs: Record<string, RegExp> = {};
    for (const [uuid, m, e, re] of cases) {
      const f = path.join(work, `${uuid}.pkg`);
      craftPkg(f, m, e);
      dirs[readyBuild(builds, { job: "badpkg", uuid, platform: "freebsd-14", start: "2026-11-20T10:00:00Z" }, f)] = re;
    }
    treeBuild(builds, { job: "fbhello", uuid: "good", platform: "freebsd-14", start: "2026-11-20T10:00:00Z" }, { spec: FB_SPEC });
    const out = path.join(work, "out");
    const r = repogen(["generate", "--builds", builds, "--out", out, "--keys", keys, "--state", path.join(work, "st"), "--now", NOW]);
    expect(r.status, r.stderr).toBe(3);
    const lines = r.stderr.trim().split("\n");
    expect(lines).toHaveLength(cases.length);
    for (const [dir, re] of Object.entries(dirs)) {
      const l = lines.find((x) => x.startsWith(`rejected ${dir}: `));
      expect(l, dir).toMatch(re);
    }
    const names = readdirSync(path.join(out, "pkg/FreeBSD:14:amd64/All"));
    expect(names).toHaveLength(1);
    expect(names[0]).toMatch(/^fbhello-/);
    expect(existsSync(path.join(out, "pkg/FreeBSD:13:aarch64"))).toBe(false);
  });
});
