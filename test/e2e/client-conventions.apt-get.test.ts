// What real clients and mirror tools rely on (FORMATS §7), judged by the tools themselves: apt's
// Contents-deb target and apt-file, apt-get changelog, against a generated repository served on 127.0.0.1.
import { describe, expect, it, beforeAll, afterAll } from "vitest";
import { copyFileSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { must, repogen, ROOT, sh, tmp } from "../helpers.js";
import { AptRoot, problems, serve, type Server } from "../apt-helpers.js";
import { readyBuild, treeBuild } from "../builds.js";

const NOW = new Date(Math.floor(Date.now() / 1000) * 1000).toISOString();

describe("client conventions: apt-file, apt-get changelog", () => {
  let work: string, out: string, cfg: string, debianHello: string;
  let server: Server;
  let apt: AptRoot;

  beforeAll(async () => {
    work = tmp("repogen-conventions-");
    const builds = path.join(work, "builds");
    out = path.join(work, "public");
    mkdirSync(out, { recursive: true });
    const keys = path.join(work, "keys");
    must("apt-get", ["download", "hello"], { cwd: work });
    debianHello = path.join(work, readdirSync(work).find((f) => /^hello_.*\.deb$/.test(f))!);
    expect(repogen(["keygen", "--keys", keys]).status).toBe(0);
    treeBuild(builds, { job: "greeter", uuid: "u-greeter-1", start: "2026-11-20T10:00:00Z" }, { version: "1.0.0" });
    readyBuild(builds, { job: "hello", uuid: "u-hello-1", start: "2026-11-20T11:00:00Z" }, debianHello);
    server = await serve(out);
    cfg = path.join(work, "repogen.toml");
    writeFileSync(
      cfg,
      `builds = "builds"\noutput = "public"\nkeys = "keys"\nstate = "state"\nbase_url = "${server.url}"\n[apt.suites.debian-12]\ncodename = "bookworm"\n`,
    );
    const g = repogen(["generate", "--config", cfg, "--now", NOW]);
    expect(g.status, g.stderr).toBe(0);
    apt = new AptRoot(path.join(work, "root"));
    apt.addSource(`${server.url}/apt`, "debian-12", path.join(out, "apt/archive-keyring.gpg"));
    copyFileSync(path.join(ROOT, "test/fixtures/50apt-file.conf"), path.join(apt.root, "etc/apt/apt.conf.d/50apt-file.conf"));
    const u = apt.apt(["update"]);
    expect(u.status, u.stdout + u.stderr).toBe(0);
    expect(problems(u)).toEqual([]);
  });

  afterAll(() => server?.stop());

  it("Release lists the uncompressed Contents beside the .gz, and apt fetches it for apt-file", () => {
    const rel = readFileSync(path.join(out, "apt/dists/debian-12/Release"), "utf8");
    expect(rel).toMatch(/^ [0-9a-f]{64} +\d+ main\/Contents-amd64$/m);
    expect(rel).toMatch(/^ [0-9a-f]{64} +\d+ main\/Contents-amd64\.gz$/m);
    // apt's own view of its targets: Contents-deb is there, with a file it downloaded
    const t = apt.apt(["indextargets", "--format", "$(FILENAME)", "Identifier: Contents-deb"]);
    expect(t.status, t.stderr).toBe(0);
    const files = t.stdout.split("\n").filter(Boolean);
    expect(files.length).toBe(1);
    expect(existsSync(files[0]!), files[0]).toBe(true);
    const list = must("/usr/lib/apt/apt-helper", ["cat-file", files[0]!]);
    expect(list).toMatch(/^usr\/bin\/greeter +utils\/greeter$/m);
    expect(list).toMatch(/^usr\/bin\/hello +devel\/hello$/m);
    // and apt-file itself answers from it
    const af = sh("apt-file", ["search", "/usr/bin/greeter"], { env: { ...process.env, APT_CONFIG: apt.conf } });
    expect(af.status, af.stderr).toBe(0);
    expect(af.stdout.trim()).toBe("greeter: /usr/bin/greeter");
  });

  it("apt-get changelog prints the changelog of a ready package and of a spec-built one", () => {
    const rel = readFileSync(path.join(out, "apt/dists/debian-12/Release"), "utf8");
    expect(rel).toContain(`\nChangelogs: ${server.url}/apt/changelogs/@CHANGEPATH@_changelog\n`);
    // Debian's hello: its own changelog.Debian.gz, word for word
    const want = must("sh", ["-c", `dpkg-deb --fsys-tarfile "${debianHello}" | tar -xO ./usr/share/doc/hello/changelog.Debian.gz | gzip -dc`]);
    const h = apt.apt(["-qq", "changelog", "hello"]);
    expect(h.status, h.stdout + h.stderr).toBe(0);
    expect(h.stdout).toBe(want);
    // the spec-built package: the changelog repogen wrote into it
    const g = apt.apt(["-qq", "changelog", "greeter"]);
    expect(g.status, g.stdout + g.stderr).toBe(0);
    expect(g.stdout).toMatch(/^greeter \(1\.0\.0\) unstable; urgency=medium\n\n {2}\* Package built by repogen\.\n/);
    // where apt looked: main/SOURCE-PREFIX/SOURCE/SOURCE_VERSION, the version as published (rewritten)
    const hv = must("dpkg-deb", ["-f", debianHello, "Version"]).trim();
    const files = readdirSync(path.join(out, "apt/changelogs/main/h/hello"));
    expect(files).toEqual([`hello_${hv}+b20261120110000.${must("sha256sum", [debianHello]).split(" ")[0]}_changelog`]);
  });
});

describe("changelogs under retention", () => {
  it("a replaced package's changelog stays grace_hours, then goes with its package", () => {
    const work = tmp("repogen-changelog-retention-");
    const builds = path.join(work, "builds");
    const out = path.join(work, "public");
    const keys = path.join(work, "keys");
    expect(repogen(["keygen", "--keys", keys]).status).toBe(0);
    const gen = (now: string) => repogen(["generate", "--builds", builds, "--out", out, "--keys", keys, "--state", path.join(work, "state"), "--now", now, "--json"]);
    treeBuild(builds, { job: "greeter", uuid: "u1", start: "2026-11-20T10:00:00Z" }, { version: "1.0.0" });
    expect(gen("2026-11-21T00:00:00Z").status).toBe(0);
    const dir = path.join(out, "apt/changelogs/main/g/greeter");
    const first = readdirSync(dir);
    expect(first.length).toBe(1);
    expect(first[0]).toMatch(/^greeter_1\.0\.0-0-g0000000-20261120100000-[0-9a-f]{64}_changelog$/);
    treeBuild(builds, { job: "greeter", uuid: "u2", start: "2026-11-22T10:00:00Z" }, { version: "1.0.1" });
    expect(gen("2026-11-23T00:00:00Z").status).toBe(0);
    const both = readdirSync(dir).sort();
    expect(both.length).toBe(2);
    expect(both[0]).toBe(first[0]);
    expect(both[1]).toMatch(/^greeter_1\.0\.1-0-g0000000-20261122100000-/);
    const g = gen("2026-11-25T01:00:00Z");
    expect(g.status).toBe(0);
    const after = readdirSync(dir);
    expect(after.length).toBe(1);
    expect(after[0]).toMatch(/^greeter_1\.0\.1-/);
    expect(JSON.parse(g.stdout).removed).toContain(`apt/changelogs/main/g/greeter/${first[0]}`);
    expect(repogen(["verify", out]).status).toBe(0);
  });
});

describe("the Codename alias: debmirror", () => {
  it("mirrors a suite with a Codename under --dist=CODENAME and --dist=SUITE, checking the signature; verify checks both names", async () => {
    const work = tmp("repogen-debmirror-");
    const builds = path.join(work, "builds");
    const out = path.join(work, "public");
    const keys = path.join(work, "keys");
    expect(repogen(["keygen", "--keys", keys]).status).toBe(0);
    treeBuild(builds, { job: "greeter", uuid: "u1", start: "2026-11-20T10:00:00Z" }, { version: "1.0.0" });
    const cfg = path.join(work, "repogen.toml");
    const config = (codename: string) =>
      writeFileSync(cfg, `builds = "builds"\noutput = "public"\nkeys = "keys"\nstate = "state"\n[apt.suites.debian-12]\ncodename = "${codename}"\n`);
    config("bookworm");
    const g = repogen(["generate", "--config", cfg, "--now", NOW]);
    expect(g.status, g.stderr).toBe(0);
    const link = path.join(out, "apt/dists/bookworm");
    expect(readlinkSync(link)).toBe("debian-12");
    expect(repogen(["verify", out]).status).toBe(0);
    const server = await serve(out);
    try {
      const port = new URL(server.url).port;
      const keyring = path.join(out, "apt/archive-keyring.gpg");
      const mirror = (dist: string) => {
        const dest = path.join(work, `mirror-${dist}`);
        const r = sh("debmirror", [`--host=127.0.0.1:${port}`, "--method=http", "--root=apt", `--dist=${dist}`, "--section=main", "--arch=amd64", "--nosource", `--keyring=${keyring}`, "--rsync-extra=none", "--diff=none", dest]);
        return { r, dest };
      };
      for (const dist of ["bookworm", "debian-12"]) {
        const { r, dest } = mirror(dist);
        expect(r.status, r.stdout + r.stderr).toBe(0);
        // debmirror keeps the suite under its Codename, with every file Release names and the package
        expect(readFileSync(path.join(dest, "dists/bookworm/InRelease"))).toEqual(readFileSync(path.join(out, "apt/dists/debian-12/InRelease")));
        const pool = readdirSync(path.join(dest, "pool/main/g/greeter"));
        expect(pool).toEqual(readdirSync(path.join(out, "apt/pool/main/g/greeter")));
      }
      // without the alias, debmirror cannot find the suite by its Codename, and verify says so
      rmSync(link);
      expect(repogen(["verify", out]).stdout + repogen(["verify", out]).stderr).toMatch(/apt\/dists\/bookworm\/InRelease: missing/);
      expect(mirror("bookworm").r.status).not.toBe(0);
      // the next run puts it back; a changed codename moves it, and no dangling link is left
      expect(repogen(["generate", "--config", cfg, "--now", NOW]).status).toBe(0);
      expect(readlinkSync(link)).toBe("debian-12");
      config("bookworm-repogen");
      const moved = repogen(["generate", "--config", cfg, "--now", NOW, "--json"]);
      expect(moved.status, moved.stderr).toBe(0);
      expect(existsSync(link)).toBe(false);
      expect(lstatSync(link, { throwIfNoEntry: false })).toBeUndefined();
      expect(readlinkSync(path.join(out, "apt/dists/bookworm-repogen"))).toBe("debian-12");
      expect(JSON.parse(moved.stdout).removed).toContain("apt/dists/bookworm");
      expect(repogen(["verify", out]).status).toBe(0);
      // a codename that is another suite's folder is left out with a warning
      treeBuild(builds, { job: "greeter", uuid: "u2", platform: "debian-13", start: "2026-11-20T10:00:00Z" }, { version: "1.0.0" });
      config("debian-13");
      const clash = repogen(["generate", "--config", cfg, "--now", NOW]);
      expect(clash.status, clash.stderr).toBe(0);
      expect(clash.stderr).toMatch(/^warning: apt\/dists\/debian-13 is not made an alias of apt\/dists\/debian-12: a suite of that name is published$/m);
      expect(lstatSync(path.join(out, "apt/dists/debian-13")).isDirectory()).toBe(true);
    } finally {
      server.stop();
    }
  });
});
