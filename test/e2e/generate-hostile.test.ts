// Hostile builds are rejected one by one (exit 3, one line each naming the folder) while the good ones
// are published; key and configuration problems fail before anything is written.
import { describe, expect, it, beforeAll } from "vitest";
import { existsSync, mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { must, repogen, sh, tmp, write } from "../helpers.js";
import { GREETER_SPEC, craftDeb, readyBuild, treeBuild, sha256File } from "../builds.js";

const NOW = new Date(Math.floor(Date.now() / 1000) * 1000).toISOString();

describe("generate with hostile builds", () => {
  let work: string, builds: string, out: string, keys: string;
  const expected: Record<string, RegExp> = {};

  beforeAll(() => {
    work = tmp("repogen-hostile-");
    builds = path.join(work, "builds");
    out = path.join(work, "out");
    keys = path.join(work, "keys");
    expect(repogen(["keygen", "--keys", keys]).status).toBe(0);
    // the good ones
    treeBuild(builds, { job: "greeter", uuid: "good-tree", start: "2026-11-20T10:00:00Z" });
    const okDeb = path.join(work, "okpkg_1.0-1_amd64.deb");
    craftDeb(okDeb, "Package: okpkg\nVersion: 1.0-1\nArchitecture: amd64\nMaintainer: A <a@b.c>\nDescription: fine\n");
    readyBuild(builds, { job: "okpkg", uuid: "good-deb", start: "2026-11-20T10:00:00Z" }, okDeb);

    const bad = (job: string, uuid: string, re: RegExp) => {
      expected[path.join(builds, job, uuid)] = re;
      return path.join(builds, job, uuid);
    };
    // broken JSON
    write(path.join(bad("okpkg", "broken-json", /not valid JSON/), "build.json"), "{ nope");
    // job and uuid not the folder's names
    readyBuild(builds, { job: "okpkg", uuid: "wrong-job", start: "2026-11-20T10:00:00Z" }, okDeb, (j) => (j.job = "other"));
    bad("okpkg", "wrong-job", /"job" "other" is not the folder's name/);
    readyBuild(builds, { job: "okpkg", uuid: "wrong-uuid", start: "2026-11-20T10:00:00Z" }, okDeb, (j) => (j.uuid = "something-else"));
    bad("okpkg", "wrong-uuid", /"uuid" "something-else" is not the folder's name/);
    // unknown platform
    readyBuild(builds, { job: "okpkg", uuid: "bad-platform", start: "2026-11-20T10:00:00Z", platform: "windows-11" }, okDeb);
    bad("okpkg", "bad-platform", /unknown platform "windows-11"/);
    // wrong artifact hash
    readyBuild(builds, { job: "okpkg", uuid: "bad-hash", start: "2026-11-20T10:00:00Z" }, okDeb, (j) => {
      (j.artifacts as Array<{ sha256: string }>)[0]!.sha256 = "f".repeat(64);
    });
    bad("okpkg", "bad-hash", /has SHA-256 [0-9a-f]{64}, build\.json says f{64}/);
    // an artifact other than the main binary with a wrong hash rejects the build too
    const other = bad("okpkg", "bad-other-hash", /artifact "notes\.txt" has SHA-256 [0-9a-f]{64}, build\.json says e{64}/);
    readyBuild(builds, { job: "okpkg", uuid: "bad-other-hash", start: "2026-11-20T10:00:00Z" }, okDeb, (j) => {
      (j.artifacts as Array<{ path: string; sha256: string }>).push({ path: "notes.txt", sha256: "e".repeat(64) });
    });
    write(path.join(other, "notes.txt"), "not what build.json says\n");
    // .. and absolute artifact paths
    readyBuild(builds, { job: "okpkg", uuid: "dotdot", start: "2026-11-20T10:00:00Z" }, okDeb, (j) => {
      (j.artifacts as Array<{ path: string }>)[0]!.path = "../good-deb/okpkg_1.0-1_amd64.deb";
    });
    bad("okpkg", "dotdot", /contains "\.\."/);
    readyBuild(builds, { job: "okpkg", uuid: "absolute", start: "2026-11-20T10:00:00Z" }, okDeb, (j) => {
      (j.artifacts as Array<{ path: string }>)[0]!.path = "/etc/passwd";
    });
    bad("okpkg", "absolute", /is an absolute path/);
    // a symlink out of the build folder
    const sl = bad("okpkg", "symlink-out", /leaves the build folder through a symlink/);
    mkdirSync(sl, { recursive: true });
    symlinkSync(okDeb, path.join(sl, "okpkg_1.0-1_amd64.deb"));
    writeFileSync(
      path.join(sl, "build.json"),
      JSON.stringify({
        job: "okpkg", uuid: "symlink-out", platform: "debian-12", arch: "amd64", start: "2026-11-20T10:00:00Z", finish: "2026-11-20T10:00:00Z",
        result: "success", main_binary: "okpkg_1.0-1_amd64.deb", artifacts: [{ path: "okpkg_1.0-1_amd64.deb", sha256: sha256File(okDeb) }],
      }),
    );
    // field injection through a spec's description, summary and depends
    treeBuild(builds, { job: "greeter", uuid: "inject-summary", start: "2026-11-21T10:00:00Z" }, {
      spec: GREETER_SPEC("1.0.1").replace('summary = "Prints a greeting"', 'summary = "x\\nEssential: yes"'),
    });
    bad("greeter", "inject-summary", /"summary" contains a line break/);
    treeBuild(builds, { job: "greeter", uuid: "inject-depends", start: "2026-11-21T10:00:00Z" }, {
      spec: GREETER_SPEC("1.0.2", 'depends = ["libc6\\n\\nPackage: evil"]'),
    });
    bad("greeter", "inject-depends", /"depends" contains a line break/);
    // a .deb whose control holds a second paragraph
    const evil = path.join(work, "evil_1.0_amd64.deb");
    craftDeb(evil, "Package: evilpkg\nVersion: 1.0\nArchitecture: amd64\nDescription: x\n\nPackage: injected\nVersion: 6.6.6\nArchitecture: amd64\n");
    readyBuild(builds, { job: "evilpkg", uuid: "two-paragraphs", start: "2026-11-20T10:00:00Z" }, evil);
    bad("evilpkg", "two-paragraphs", /expected one control paragraph, found 2/);
    // architecture contradicting build.json
    readyBuild(builds, { job: "okpkg", uuid: "wrong-arch", start: "2026-11-22T10:00:00Z", arch: "arm64" }, okDeb);
    bad("okpkg", "wrong-arch", /Architecture is amd64, build\.json says arm64/);
    // a corrupt .deb (hash in build.json is right)
    const corrupt = path.join(work, "corrupt_1.0_amd64.deb");
    writeFileSync(corrupt, Buffer.concat([Buffer.from("!<arch>\n"), Buffer.alloc(300, 0x41)]));
    readyBuild(builds, { job: "okpkg", uuid: "corrupt", start: "2026-11-23T10:00:00Z" }, corrupt);
    bad("okpkg", "corrupt", /bad ar member header|not a \.deb/);
    // a huge build.json is refused before it is read
    write(path.join(bad("okpkg", "huge-json", /build\.json is larger than 1 MiB/), "build.json"), `{"job":"okpkg","pad":"${"x".repeat(2 << 20)}"}`);
    // a huge description in a spec
    treeBuild(builds, { job: "greeter", uuid: "huge-description", start: "2026-11-21T10:00:00Z" }, {
      spec: GREETER_SPEC("1.0.3").replace('description = """', `description = """${"word ".repeat(20000)}`),
    });
    bad("greeter", "huge-description", /"description" is longer than 64 KiB/);
    // a build folder that is a symlink (to a good build elsewhere) is rejected; a job folder that is
    // a symlink is not read at all
    const elsewhere = path.join(work, "elsewhere");
    readyBuild(elsewhere, { job: "okpkg", uuid: "linked", start: "2026-11-25T10:00:00Z" }, okDeb);
    symlinkSync(path.join(elsewhere, "okpkg", "linked"), path.join(builds, "okpkg", "linked"));
    bad("okpkg", "linked", /the build folder is a symlink/);
    readyBuild(elsewhere, { job: "evil", uuid: "e1", start: "2026-11-25T10:00:00Z" }, okDeb, (j) => (j.job = "evil"));
    symlinkSync(path.join(elsewhere, "evil"), path.join(builds, "evil"));
    // a failed build is ignored, not rejected
    readyBuild(builds, { job: "okpkg", uuid: "failed", start: "2026-11-24T10:00:00Z", result: "failure" }, corrupt);
  });

  it("rejects each bad build with one line naming its folder, publishes the good ones, exits 3", () => {
    const r = repogen(["generate", "--builds", builds, "--out", out, "--keys", keys, "--state", path.join(work, "state"), "--now", NOW]);
    expect(r.status, r.stderr).toBe(3);
    const lines = r.stderr.trim().split("\n");
    expect(lines).toHaveLength(Object.keys(expected).length);
    for (const [dir, re] of Object.entries(expected)) {
      const line = lines.find((l) => l.startsWith(`rejected ${dir}: `));
      expect(line, dir).toBeDefined();
      expect(line).toMatch(re);
    }
    const packages = readFileSync(path.join(out, "apt/dists/debian-12/main/binary-amd64/Packages"), "utf8");
    expect(packages.match(/^Package: .*$/gm)).toEqual(["Package: greeter", "Package: okpkg"]);
    expect(packages).not.toMatch(/evil|injected|Essential/);
    // apt's own parser agrees: exactly two paragraphs
    expect(must("sh", ["-c", `grep -c '^Package:' ${path.join(out, "apt/dists/debian-12/main/binary-amd64/Packages")}`]).trim()).toBe("2");
    // A second run reads folder listings from its cache: the same verdicts.
    const again = repogen(["generate", "--builds", builds, "--out", out, "--keys", keys, "--state", path.join(work, "state"), "--now", NOW]);
    expect(again.status, again.stderr).toBe(3);
    expect(again.stderr.trim().split("\n").sort()).toEqual([...lines].sort());
    expect(readFileSync(path.join(out, "apt/dists/debian-12/main/binary-amd64/Packages"), "utf8")).toBe(packages);
  });
});

describe("generate fails before writing anything", () => {
  function setup() {
    const work = tmp();
    const builds = path.join(work, "builds");
    treeBuild(builds, { job: "greeter", uuid: "g1", start: "2026-11-20T10:00:00Z" });
    return { work, builds, out: path.join(work, "out"), state: path.join(work, "state") };
  }

  it("a pool file already there with other bytes is never replaced: that build is rejected and left out of the indexes", () => {
    const w = tmp("repogen-pool-clash-");
    const b = path.join(w, "builds");
    const o = path.join(w, "out");
    const st = path.join(w, "state");
    const keys = path.join(w, "keys");
    expect(repogen(["keygen", "--keys", keys]).status).toBe(0);
    treeBuild(b, { job: "greeter", uuid: "g1", start: "2026-11-20T10:00:00Z" });
    const deb = path.join(w, "clash_1.0-1_amd64.deb");
    craftDeb(deb, "Package: clash\nVersion: 1.0-1\nArchitecture: amd64\nMaintainer: A <a@b.c>\nDescription: clash\n");
    readyBuild(b, { job: "clash", uuid: "c1", start: "2026-11-20T10:00:00Z" }, deb);
    const args = ["generate", "--builds", b, "--out", o, "--keys", keys, "--state", st, "--now", NOW, "--json"];
    const first = repogen(args);
    expect(first.status, first.stderr).toBe(0);
    const pkgs = path.join(o, "apt/dists/debian-12/main/binary-amd64/Packages");
    const entry = /^Package: clash\n(?:.+\n)*?Filename: (\S+)$/m.exec(readFileSync(pkgs, "utf8"));
    expect(entry).not.toBeNull();
    // Something else now sits under that pool name, and the cache is gone: the run must not replace it.
    const poolFile = path.join(o, "apt", entry![1]!);
    writeFileSync(poolFile, "not the package\n");
    sh("rm", ["-rf", st]);
    const r = repogen(args);
    expect(r.status, r.stderr).toBe(3);
    expect(r.stderr.trim().split("\n")).toEqual([expect.stringMatching(new RegExp(`^rejected ${path.join(b, "clash", "c1")}: .*already published with different content`))]);
    expect(readFileSync(poolFile, "utf8")).toBe("not the package\n");
    const after = readFileSync(pkgs, "utf8");
    expect(after).not.toMatch(/^Package: clash$/m);
    expect(after).toMatch(/^Package: greeter$/m);
    // and the tree is consistent for a client
    const v = repogen(["verify", o, "--deep"]);
    expect(v.status, v.stdout + v.stderr).toBe(0);
  });

  it("missing keys: exit 1, nothing written", () => {
    const s = setup();
    const r = repogen(["generate", "--builds", s.builds, "--out", s.out, "--keys", path.join(s.work, "nokeys"), "--state", s.state, "--now", NOW]);
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/no APT signing key/);
    expect(existsSync(s.out)).toBe(false);
  });

  it("wrong passphrase: exit 1, nothing written; the right one works", () => {
    const s = setup();
    const keys = path.join(s.work, "keys");
    write(path.join(s.work, "pass"), "correct horse\n");
    write(path.join(s.work, "wrong"), "battery staple\n");
    expect(repogen(["keygen", "--keys", keys, "--passphrase-file", path.join(s.work, "pass")]).status).toBe(0);
    expect(readFileSync(path.join(keys, "apt-signing-key.asc"), "utf8")).toMatch(/PGP PRIVATE KEY/);
    const base = ["generate", "--builds", s.builds, "--out", s.out, "--keys", keys, "--state", s.state, "--now", NOW];
    const none = repogen(base);
    expect(none.status).toBe(1);
    expect(none.stderr).toMatch(/encrypted: give --passphrase-file/);
    const wrong = repogen([...base, "--passphrase-file", path.join(s.work, "wrong")]);
    expect(wrong.status).toBe(1);
    expect(wrong.stderr).toMatch(/wrong passphrase/);
    expect(existsSync(s.out)).toBe(false);
    const right = repogen([...base, "--passphrase-file", path.join(s.work, "pass")]);
    expect(right.status, right.stderr).toBe(0);
    expect(sh("gpgv", ["--keyring", path.join(s.out, "apt/archive-keyring.gpg"), path.join(s.out, "apt/dists/debian-12/InRelease")]).status).toBe(0);
  });

  it("bad configuration: exit 2 naming the key and the file, nothing written", () => {
    const s = setup();
    const cases: Array<[string, RegExp]> = [
      ['valid_days = "soon"\n', /valid_days: must be a whole number/],
      ["colour = 1\n", /colour: unknown key/],
      ['[apt]\ndeb_compression = "rar"\n', /apt\.deb_compression: must be one of/],
      ['versioning = "latest"\n', /versioning: must be "build" or "as-is"/],
      ['state = "out/.state"\n', /state: must not be inside output/],
    ];
    for (const [text, re] of cases) {
      const cfg = path.join(s.work, "repogen.toml");
      writeFileSync(cfg, `builds = "builds"\noutput = "out"\n${text}`);
      const r = repogen(["generate", "--config", cfg, "--now", NOW]);
      expect(r.status, text).toBe(2);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
      expect(r.stderr).toContain(cfg);
      expect(r.stderr).toMatch(re);
      expect(existsSync(s.out)).toBe(false);
      expect(readdirSync(s.work).sort()).toEqual(["builds", "repogen.toml"]);
    }
  });
});
