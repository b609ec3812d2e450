// The person who runs generate by hand, and the machine that reads --json: dry run, summary, progress bar.
import { describe, expect, it } from "vitest";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { CLI, must, repogen, sh, tmp } from "../helpers.js";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { craftDeb, readyBuild, treeBuild } from "../builds.js";

const NOW = new Date(Math.floor(Date.now() / 1000) * 1000).toISOString();

function setup() {
  const work = tmp();
  const s = { work, builds: path.join(work, "builds"), out: path.join(work, "out"), keys: path.join(work, "keys"), state: path.join(work, "state") };
  expect(repogen(["keygen", "--keys", s.keys]).status).toBe(0);
  treeBuild(s.builds, { job: "greeter", uuid: "g1", start: "2026-11-20T10:00:00Z" });
  return s;
}

describe("generate from a person's point of view", () => {
  it("--dry-run prints what would change and writes nothing", () => {
    const s = setup();
    const r = repogen(["generate", "--builds", s.builds, "--out", s.out, "--keys", s.keys, "--state", s.state, "--now", NOW, "--dry-run"]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/would write \d+ new/);
    expect(r.stdout).toMatch(/^ {2}would write apt\/dists\/debian-12\/InRelease$/m);
    expect(r.stdout).toMatch(/^ {2}would write apt\/pool\/main\/g\/greeter\/greeter_1\.0\.0-0-g0000000-20261120100000-[0-9a-f]{64}_amd64\.deb$/m);
    expect(existsSync(s.out)).toBe(false);
    expect(existsSync(s.state) ? readdirSync(s.state) : []).toEqual([]);
  });

  it("--json prints one JSON document on stdout with the summary", () => {
    const s = setup();
    const r = repogen(["generate", "--builds", s.builds, "--out", s.out, "--keys", s.keys, "--state", s.state, "--now", NOW, "--json"]);
    expect(r.status).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.repositories).toEqual([{ name: "apt debian-12", changed: true, packages: 1 }]);
    expect(j.rejected).toEqual([]);
    expect(j.added).toContain("apt/dists/debian-12/InRelease");
    expect(Object.keys(j.timings)).toEqual(expect.arrayContaining(["scan", "package", "index", "publish", "total"]));
    expect(j.published["apt debian-12"][0].name).toBe("greeter");
  });

  it("the state database is written when a run learns something, and left alone when it does not", () => {
    const s = setup();
    const gen = () => repogen(["generate", "--builds", s.builds, "--out", s.out, "--keys", s.keys, "--state", s.state, "--now", NOW, "--json"]);
    expect(gen().status).toBe(0);
    const file = path.join(s.state, "state.sqlite");
    // Read with the sqlite3 program, not with repogen's own library.
    const names = () => must("sqlite3", [file, "select json_extract(meta, '$.name') from packages order by 1"]).trim().split("\n").filter(Boolean);
    expect(names()).toEqual(["greeter"]);
    const before = readFileSync(file);
    const mtime = statSync(file).mtimeMs;
    expect(JSON.parse(gen().stdout).added).toEqual([]);
    expect(statSync(file).mtimeMs).toBe(mtime);
    expect(readFileSync(file).equals(before)).toBe(true);

    const f = path.join(s.work, "extra.deb");
    craftDeb(f, "Package: extra\nVersion: 1.0-1\nArchitecture: amd64\nMaintainer: A <a@example.org>\nDescription: extra\n");
    readyBuild(s.builds, { job: "extra", uuid: "e1", start: "2026-11-21T10:00:00Z" }, f);
    expect(gen().status).toBe(0);
    expect(names()).toEqual(["extra", "greeter"]);

    // A build that goes away is dropped from the state by the next run, with its job folder's record.
    rmSync(path.join(s.builds, "extra"), { recursive: true });
    expect(gen().status).toBe(0);
    expect(names()).toEqual(["greeter"]);
    expect(must("sqlite3", [file, "select count(*) from jobs"]).trim()).toBe("1");
    expect(must("sqlite3", [file, "pragma integrity_check"]).trim()).toBe("ok");
  });

  it("a compressed index that no longer matches its Release is written again, even when nothing else changed", () => {
    const s = setup();
    const gen = () => repogen(["generate", "--builds", s.builds, "--out", s.out, "--keys", s.keys, "--state", s.state, "--now", NOW, "--json"]);
    expect(gen().status).toBe(0);
    const rel = "apt/dists/debian-12/main/binary-amd64/Packages.xz";
    const xzFile = path.join(s.out, rel);
    const plain = readFileSync(path.join(s.out, "apt/dists/debian-12/main/binary-amd64/Packages"), "utf8");
    // Untouched, the published one is kept: its Release names it beside these very Packages.
    const quiet = JSON.parse(gen().stdout);
    expect(quiet.updated).toEqual([]);
    expect(quiet.added).toEqual([]);
    // A valid xz of other text (same Packages, another field), then bytes that are not xz at all.
    const otherText = path.join(s.work, "other");
    writeFileSync(otherText, plain + "Extra: injected\n");
    for (const bad of [execFileSync("xz", ["-c", otherText]), Buffer.from("not xz at all\n")]) {
      writeFileSync(xzFile, bad);
      const r = gen();
      expect(r.status, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout).updated).toContain(rel);
      expect(must("xz", ["-dc", xzFile])).toBe(plain);
      const sha = createHash("sha256").update(readFileSync(xzFile)).digest("hex");
      expect(readFileSync(path.join(s.out, "apt/dists/debian-12/Release"), "utf8")).toMatch(new RegExp(`^ ${sha} +\\d+ main/binary-amd64/Packages\\.xz$`, "m"));
    }
  });

  it("clears the work folders that killed runs left in the state folder", () => {
    const s = setup();
    mkdirSync(path.join(s.state, "work-999999"), { recursive: true });
    writeFileSync(path.join(s.state, "work-999999", "half.deb"), "half a package");
    const r = repogen(["generate", "--builds", s.builds, "--out", s.out, "--keys", s.keys, "--state", s.state, "--now", NOW]);
    expect(r.status, r.stderr).toBe(0);
    expect(readdirSync(s.state).filter((n) => n.startsWith("work-"))).toEqual([]);
    expect(existsSync(path.join(s.state, "state.sqlite"))).toBe(true);
  });

  it("--json output is whole even when it is larger than a pipe's buffer", () => {
    const s = setup();
    const debs = path.join(s.work, "debs");
    mkdirSync(debs);
    for (let i = 0; i < 300; i++) {
      const name = `bulk${String(i).padStart(4, "0")}`;
      const f = path.join(debs, `${name}.deb`);
      craftDeb(f, `Package: ${name}\nVersion: 1.0-1\nArchitecture: amd64\nMaintainer: A <a@example.org>\nDescription: bulk ${i}\n`);
      readyBuild(s.builds, { job: name, uuid: `u-${name}`, start: "2026-11-20T10:00:00Z" }, f);
    }
    const r = repogen(["generate", "--builds", s.builds, "--out", s.out, "--keys", s.keys, "--state", s.state, "--now", NOW, "--json"]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.length).toBeGreaterThan(65536);
    expect(JSON.parse(r.stdout).published["apt debian-12"]).toHaveLength(301);
  });

  it("shows a progress bar on a terminal, and none when stderr is not one", () => {
    const s = setup();
    const cmd = [process.execPath, CLI, "generate", "--builds", s.builds, "--out", s.out, "--keys", s.keys, "--state", s.state, "--now", NOW].join(" ");
    const tty = sh("script", ["-qec", cmd, "/dev/null"]);
    expect(tty.status).toBe(0);
    expect(tty.stdout).toMatch(/packaging \[#+\] 1\/1/);
    const plain = repogen(["generate", "--builds", s.builds, "--out", s.out, "--keys", s.keys, "--state", s.state, "--now", NOW]);
    expect(plain.stderr + plain.stdout).not.toMatch(/packaging \[/);
  });

  it("[apt] contents = false writes no Contents index, and the tree stays consistent", () => {
    const s = setup();
    const cfg = path.join(s.work, "repogen.toml");
    writeFileSync(cfg, '[apt]\ncontents = false\nindex_compression = ["xz"]\n');
    const r = repogen(["generate", "--config", cfg, "--builds", s.builds, "--out", s.out, "--keys", s.keys, "--state", s.state, "--now", NOW]);
    expect(r.status, r.stderr).toBe(0);
    const rel = readFileSync(path.join(s.out, "apt/dists/debian-12/Release"), "utf8");
    expect(rel).not.toMatch(/Contents/);
    expect(rel).not.toMatch(/Packages\.gz/);
    expect(rel).toMatch(/ main\/binary-amd64\/Packages\.xz$/m);
    expect(repogen(["verify", s.out, "--deep"]).status).toBe(0);
  });

  it("a builds folder that does not exist is a usage error (exit 2) and writes nothing", () => {
    const s = setup();
    const r = repogen(["generate", "--builds", path.join(s.work, "nope"), "--out", s.out, "--keys", s.keys, "--state", s.state]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/nope: the builds folder cannot be read \(ENOENT\)/);
    expect(existsSync(s.out)).toBe(false);
  });

  it("--help reads well for every command", () => {
    for (const c of ["generate", "keygen", "verify", "package", "inspect", "import"]) {
      const r = repogen([c, "--help"]);
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^Usage: repogen ${c}`));
      expect(r.stdout).toMatch(/Example/);
    }
    const top = repogen(["--help"]);
    expect(top.stdout).toMatch(/Exit codes/);
    const bad = repogen(["generate", "--frobnicate"]);
    expect(bad.status).toBe(2);
    expect(bad.stderr.trim().split("\n")).toHaveLength(1);
  });
});
