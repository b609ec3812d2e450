// Packages built to break the readers (decompression bombs, malformed tar headers, FIFOs, damaged
// checksums, duplicate manifest keys, versions no URL can carry) sit beside good builds: generate
// ends on its own within its time-out, rejects each bad one with one line naming its job/uuid folder
// and the reason, publishes the good ones, and apt-get then installs a good package.
import { describe, expect, it, beforeAll } from "vitest";
import { spawnSync } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { CLI, repogen, tmp } from "../helpers.js";
import { GREETER_SPEC, buildJson, craftDeb, readyBuild, treeBuild } from "../builds.js";
import { AptRoot, problems, serve } from "../apt-helpers.js";
import { tarHeader } from "../../src/archive/tar.js";
import {
  compress,
  compressedZeros,
  control,
  controlTar,
  dataTar,
  deb,
  debFromMembers,
  fixChecksum,
  manifest,
  paxRecord,
  paxTar,
  pkgTar,
  T,
  writeTo,
} from "../hostile-packages.js";

const NOW = new Date(Math.floor(Date.now() / 1000) * 1000).toISOString();
const START = "2026-11-20T10:00:00Z";

describe("generate with hostile archives", () => {
  let work: string, builds: string, out: string, keys: string;
  const expected: Record<string, RegExp> = {};

  beforeAll(async () => {
    work = tmp("repogen-archives-");
    builds = path.join(work, "builds");
    out = path.join(work, "out");
    keys = path.join(work, "keys");
    expect(repogen(["keygen", "--keys", keys]).status).toBe(0);
    const file = (n: string, b: Buffer) => writeTo(path.join(work, n), b);
    const debBuild = (job: string, uuid: string, f: string) => readyBuild(builds, { job, uuid, start: START }, f);
    const pkgBuild = (job: string, uuid: string, f: string) => readyBuild(builds, { job, uuid, start: START, platform: "freebsd-14" }, f);
    const bad = (job: string, uuid: string, re: RegExp) => (expected[path.join(builds, job, uuid)] = re);

    // --- the good ones
    treeBuild(builds, { job: "greeter", uuid: "good-tree", start: START });
    const okDeb = path.join(work, "okdeb_1.0-1_amd64.deb");
    craftDeb(okDeb, control("okdeb"), { README: "fine\n" });
    debBuild("okdeb", "good-deb", okDeb);
    // A data member that decodes to 256 MiB (one file of zeros) is a legitimate package: streamed, listed, published.
    const zeros = compressedZeros("xz", Buffer.concat([dataTar("zeros").subarray(0, 4 * 512), tarHeader({ name: "./usr/share/zeros/big", type: "file", mode: 0o644, size: 256 << 20, mtime: T })]), (256 << 20) + 10240);
    debBuild("zeros", "good-zeros", file("zeros_1.0-1_amd64.deb", debFromMembers([{ name: "control.tar.gz", data: await compress("gz", controlTar(control("zeros"))) }, { name: "data.tar.xz", data: zeros }])));
    pkgBuild("fbpkg", "good-pkg", file("fbpkg-1.0.pkg", await compress("zst", pkgTar(JSON.stringify(manifest())))));

    // --- bombs (128 MiB of zeros stand for gigabytes: the limit stops the decoder at 16 MiB either way)
    for (const c of ["xz", "gz", "zst"] as const) {
      const bomb = compressedZeros(c, controlTar(control("cbomb")).subarray(0, 3 * 512), 128 << 20);
      debBuild("cbomb", `control-bomb-${c}`, file(`cbomb-${c}_1.0_amd64.deb`, debFromMembers([{ name: `control.tar.${c}`, data: bomb }, { name: "data.tar", data: dataTar("cbomb") }])));
      bad("cbomb", `control-bomb-${c}`, /control member decodes to more than 16 MiB \(limit: controlMember\)/);
    }
    // entries with 1 MiB long names (300 of them made a 314 MB state file before the limit)
    const names: Buffer[] = [];
    for (let i = 0; i < 20; i++) names.push(tarHeader({ name: "./" + String(i).padStart(6, "0") + "n".repeat((1 << 20) - 10), type: "file", mode: 0o644, size: 0, mtime: T }));
    debBuild("nbomb", "long-name-records", file("nbomb_1.0_amd64.deb", await deb(controlTar(control("nbomb")), Buffer.concat([...names, Buffer.alloc(10240)]), "gz", "xz")));
    bad("nbomb", "long-name-records", /long-name record is larger than 64 KiB \(limit: tarExtended\)/);
    debBuild("nbomb", "long-name", file("nbomb2_1.0_amd64.deb", await deb(controlTar(control("nbomb")), dataTar("nbomb", { ["x".repeat(5000)]: "" }), "gz", "xz")));
    bad("nbomb", "long-name", /longer than 4096 bytes \(limit: tarName\)/);

    // --- malformed headers
    const data = dataTar("hdr");
    const edited = (at: number, bytes: string, flag?: string) => {
      const t = Buffer.from(data);
      const off = t.lastIndexOf(Buffer.from("./usr/share/hdr/README"));
      Buffer.from(bytes, "latin1").copy(t, off + at);
      if (flag) t[off + 156] = flag.charCodeAt(0);
      fixChecksum(t, off);
      return t;
    };
    debBuild("hdr", "mode-not-octal", file("hdr1_1.0_amd64.deb", await deb(controlTar(control("hdr")), edited(100, "0000694\0"), "gz", "xz")));
    bad("hdr", "mode-not-octal", /bad tar header: mode field is not octal/);
    debBuild("hdr", "mode-high-byte", file("hdr2_1.0_amd64.deb", await deb(controlTar(control("hdr")), edited(100, "\xb0000644\0"), "none", "none")));
    bad("hdr", "mode-high-byte", /bad tar header: mode field is neither octal nor positive base-256/);
    debBuild("hdr", "size-blank", file("hdr3_1.0_amd64.deb", await deb(controlTar(control("hdr")), edited(124, " ".repeat(12)), "none", "gz")));
    bad("hdr", "size-blank", /bad tar header: size field is blank/);
    debBuild("hdr", "unknown-type", file("hdr4_1.0_amd64.deb", await deb(controlTar(control("hdr")), edited(0, "", "V"), "gz", "xz")));
    bad("hdr", "unknown-type", /tar type "V", which dpkg does not read/);
    const ctl = controlTar(control("hdr"));
    const ctlOff = ctl.indexOf(Buffer.from("./control"));
    Buffer.from("00006 44", "latin1").copy(ctl, ctlOff + 100);
    fixChecksum(ctl, ctlOff);
    debBuild("hdr", "control-mode", file("hdr5_1.0_amd64.deb", await deb(ctl, data, "none", "xz")));
    bad("hdr", "control-mode", /control\.tar: bad tar header: mode field is not octal/);

    // --- FreeBSD packages
    const text = JSON.stringify(manifest());
    const typed = pkgTar(text);
    const mOff = 512 + Math.ceil(text.length / 512) * 512;
    typed[mOff + 156] = "3".charCodeAt(0);
    fixChecksum(typed, mOff);
    pkgBuild("fbpkg", "manifest-type", file("fbpkg-t.pkg", typed));
    bad("fbpkg", "manifest-type", /\+MANIFEST is not a regular file \(tar type "3"\)/);
    const damaged = await compress("zst", pkgTar(text));
    damaged[damaged.length - 2]! ^= 0x10;
    pkgBuild("fbpkg", "zstd-checksum", file("fbpkg-z.pkg", damaged));
    bad("fbpkg", "zstd-checksum", /zstd exited 1/);
    const pax = paxTar(paxRecord("size", "6e0"), "/usr/local/share/fbpkg/README", Buffer.from("hello\n"), [
      { name: "+COMPACT_MANIFEST", type: "file", mode: 0o644, size: 0, mtime: T, data: Buffer.from(text) },
      { name: "+MANIFEST", type: "file", mode: 0o644, size: 0, mtime: T, data: Buffer.from(text) },
    ]);
    pkgBuild("fbpkg", "pax-size", file("fbpkg-p.pkg", await compress("xz", pax)));
    bad("fbpkg", "pax-size", /bad PAX header: size "6e0" is not a decimal number/);
    const hashV = JSON.stringify(manifest({ version: "1.0#x" }));
    pkgBuild("fbpkg", "version-hash", file("fbpkg-v.pkg", await compress("zst", pkgTar(hashV))));
    bad("fbpkg", "version-hash", /bad FreeBSD version "1\.0#x"/);
    const dup = text.replace('"version":"1.0"', '"version":"1.0","version":"7.0"');
    pkgBuild("fbpkg", "duplicate-key", file("fbpkg-d.pkg", await compress("zst", pkgTar(dup))));
    bad("fbpkg", "duplicate-key", /key "version" appears twice/);

    // --- files that are not regular files
    const fifoDir = treeBuild(builds, { job: "greeter", uuid: "spec-fifo", start: START });
    rmSync(path.join(fifoDir, "package.toml"));
    expect(spawnSync("mkfifo", [path.join(fifoDir, "package.toml")]).status).toBe(0);
    writeFileSync(
      path.join(fifoDir, "build.json"),
      JSON.stringify(buildJson({ job: "greeter", uuid: "spec-fifo", start: START }, "stage", ["stage/bin/hello"], { package: "package.toml" }, fifoDir)),
    );
    bad("greeter", "spec-fifo", /package spec is a FIFO, not a regular file/);
    const hugeDir = treeBuild(builds, { job: "greeter", uuid: "spec-huge", start: START }, { spec: GREETER_SPEC("1.0.1") + `# ${"x".repeat(2 << 20)}\n` });
    expect(hugeDir).toBeTruthy();
    bad("greeter", "spec-huge", /package spec is larger than 1 MiB \(limit: spec\)/);
    treeBuild(builds, { job: "greeter", uuid: "fb-version", start: START, platform: "freebsd-14" }, { spec: GREETER_SPEC("1.0%41") });
    bad("greeter", "fb-version", /bad FreeBSD version "1\.0%41"/);
  }, 300_000);

  it("rejects each with one line naming job/uuid and the reason, publishes the good ones, and apt installs", async () => {
    // A hang would hold the run past the time-out: spawnSync kills it and the status is null.
    const r = spawnSync(process.execPath, [CLI, "generate", "--builds", builds, "--out", out, "--keys", keys, "--state", path.join(work, "state"), "--now", NOW, "--json"], {
      encoding: "utf8",
      timeout: 240_000,
      maxBuffer: 64 << 20,
    });
    expect(r.status, r.stderr).toBe(3);
    expect(r.stderr).not.toMatch(/^\s+at /m); // no stack trace
    const lines = r.stderr.trim().split("\n");
    expect(lines).toHaveLength(Object.keys(expected).length);
    for (const [dir, re] of Object.entries(expected)) {
      const line = lines.find((l) => l.startsWith(`rejected ${dir}: `));
      expect(line, dir).toBeDefined();
      expect(line).toMatch(re);
    }
    const summary = JSON.parse(r.stdout) as { published: Record<string, Array<{ name: string }>> };
    expect(summary.published["apt debian-12"]!.map((p) => p.name).sort()).toEqual(["greeter", "okdeb", "zeros"]);
    expect(summary.published["pkg FreeBSD:14:amd64"]!.map((p) => p.name)).toEqual(["fbpkg"]);
    expect(readFileSync(path.join(out, "apt/dists/debian-12/main/binary-amd64/Packages"), "utf8")).not.toMatch(/cbomb|nbomb|hdr/);

    const server = await serve(path.join(out, "apt"));
    const apt = new AptRoot(path.join(work, "root"));
    apt.addSource(server.url, "debian-12", path.join(out, "apt/archive-keyring.gpg"));
    try {
      const u = apt.apt(["update"]);
      expect(u.status, u.stderr).toBe(0);
      expect(problems(u)).toEqual([]);
      const i = apt.install("okdeb");
      expect(i.status, i.stdout + i.stderr).toBe(0);
      expect(readFileSync(path.join(work, "root/usr/share/okdeb/README"), "utf8")).toBe("fine\n");
    } finally {
      server.stop();
    }
  }, 300_000);
});
