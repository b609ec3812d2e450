// repogen import wraps ready packages into build folders that generate publishes; inspect reads both formats.
import { describe, expect, it } from "vitest";
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { must, repogen, ROOT, tmp } from "../helpers.js";

const FIX = path.resolve(ROOT, "test", "fixtures", "freebsd");
const NOW = new Date(Math.floor(Date.now() / 1000) * 1000).toISOString();

describe("repogen import", () => {
  it("wraps a Debian .deb and a FreeBSD .pkg into builds that generate publishes", () => {
    const work = tmp();
    must("apt-get", ["download", "hello"], { cwd: work });
    const deb = path.join(work, readdirSync(work).find((f) => f.endsWith(".deb"))!);
    const builds = path.join(work, "builds");
    const a = repogen(["import", deb, "--platform", "debian-12", "--builds", builds, "--now", "2026-11-20T10:00:00Z"]);
    expect(a.status, a.stderr).toBe(0);
    const dir = a.stdout.trim();
    expect(path.dirname(path.dirname(dir))).toBe(builds);
    const bj = JSON.parse(readFileSync(path.join(dir, "build.json"), "utf8"));
    expect(bj).toMatchObject({ job: "hello", platform: "debian-12", arch: "amd64", start: "2026-11-20T10:00:00Z", result: "success", main_binary: path.basename(deb), versioning: "as-is" });
    expect(bj.uuid).toBe(path.basename(dir));
    expect(bj.artifacts[0].sha256).toBe(must("sha256sum", [deb]).split(" ")[0]);
    const b = repogen(["import", path.join(FIX, "repo/All/hello-1.0_1.pkg"), "--platform", "freebsd-14", "--builds", builds, "--now", "2026-11-20T10:00:00Z"]);
    expect(b.status, b.stderr).toBe(0);
    // a .deb for a FreeBSD platform is a usage error
    const c = repogen(["import", deb, "--platform", "freebsd-14", "--builds", builds]);
    expect(c.status).toBe(2);
    const keys = path.join(work, "keys");
    expect(repogen(["keygen", "--keys", keys]).status).toBe(0);
    const out = path.join(work, "out");
    const g = repogen(["generate", "--builds", builds, "--out", out, "--keys", keys, "--state", path.join(work, "state"), "--now", NOW, "--json"]);
    expect(g.status, g.stderr).toBe(0);
    const s = JSON.parse(g.stdout);
    expect(s.published["apt debian-12"].map((p: { name: string }) => p.name)).toEqual(["hello"]);
    // imported as-is: the package keeps its own version
    const debVersion = must("dpkg-deb", ["-f", deb, "Version"]).trim();
    expect(s.published["apt debian-12"][0].version).toBe(debVersion);
    expect(s.published["pkg FreeBSD:14:amd64"].map((p: { name: string }) => p.name)).toEqual(["hello"]);
    expect(repogen(["verify", out, "--deep"]).status).toBe(0);

    // --versioning build: the build's own "versioning" overrides an as-is config, and a bad value is refused
    const builds2 = path.join(work, "builds2");
    const d = repogen(["import", deb, "--platform", "debian-12", "--builds", builds2, "--now", "2026-11-20T10:00:00Z", "--versioning", "build"]);
    expect(d.status, d.stderr).toBe(0);
    expect(JSON.parse(readFileSync(path.join(d.stdout.trim(), "build.json"), "utf8")).versioning).toBe("build");
    expect(repogen(["import", deb, "--platform", "debian-12", "--builds", builds2, "--versioning", "yes"]).status).toBe(2);
    const cfg = path.join(work, "asis.toml");
    writeFileSync(cfg, `versioning = "as-is"\n`);
    const g2 = repogen(["generate", "--config", cfg, "--builds", builds2, "--out", path.join(work, "out2"), "--keys", keys, "--state", path.join(work, "state2"), "--now", NOW, "--json"]);
    expect(g2.status, g2.stderr).toBe(0);
    const sha = must("sha256sum", [deb]).split(" ")[0];
    expect(JSON.parse(g2.stdout).published["apt debian-12"][0].version).toBe(`${debVersion}+b20261120100000.${sha}`);
    const bad = path.join(builds2, "hello", readdirSync(path.join(builds2, "hello"))[0]!, "build.json");
    writeFileSync(bad, readFileSync(bad, "utf8").replace(`"versioning": "build"`, `"versioning": "rebuild"`));
    // A fresh state: a build folder is written once, and a run with a state does not look into a job
    // folder whose listing is unchanged.
    const g3 = repogen(["generate", "--config", cfg, "--builds", builds2, "--out", path.join(work, "out2"), "--keys", keys, "--state", path.join(work, "state3"), "--now", NOW]);
    expect(g3.status).toBe(3);
    expect(g3.stderr).toMatch(/"versioning" must be "build" or "as-is"/);
  });
});

describe("repogen inspect", () => {
  it("prints a .pkg's manifest and members, as text and JSON", () => {
    const f = path.join(FIX, "repo/All/hello-1.0_1.pkg");
    const t = repogen(["inspect", f]);
    expect(t.status).toBe(0);
    expect(t.stdout).toMatch(/^name: hello$/m);
    expect(t.stdout).toMatch(/^deps: libfoo \(devel\/libfoo 2\.0\)$/m);
    expect(t.stdout).toMatch(/lrwxrwxrwx\s+0 \/usr\/local\/bin\/hi -> hello/);
    const j = JSON.parse(repogen(["inspect", f, "--json"]).stdout);
    expect(j.format).toBe("pkg");
    expect(j.manifest.version).toBe("1.0_1");
    expect(j.files.map((e: { name: string }) => e.name)).toEqual(["/usr/local/bin/hello", "/usr/local/bin/hi", "/usr/local/share/hello/README", "/usr/local/share/hello/empty"]);
  });

  it("prints a .deb's fields as dpkg-deb does", () => {
    const work = tmp();
    must("apt-get", ["download", "hello"], { cwd: work });
    const deb = path.join(work, readdirSync(work).find((f) => f.endsWith(".deb"))!);
    const j = JSON.parse(repogen(["inspect", deb, "--json"]).stdout);
    expect(j.fields.Version).toBe(must("dpkg-deb", ["-f", deb, "Version"]).trim());
    expect(j.files.length).toBe(must("dpkg-deb", ["-c", deb]).trim().split("\n").length);
    const t = repogen(["inspect", deb, "--no-files"]);
    expect(t.stdout).toMatch(/^Package: hello$/m);
    expect(t.stdout).not.toMatch(/^Files/m);
    rmSync(work, { recursive: true });
  });
});
