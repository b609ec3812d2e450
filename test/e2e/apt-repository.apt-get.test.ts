// The main job end to end: builds in, a signed APT repository out, checked with the real apt-get and gpgv.
import { describe, expect, it, beforeAll, afterAll } from "vitest";
import { cpSync, readFileSync, readdirSync, statSync, existsSync, rmSync } from "node:fs";
import path from "node:path";
import { listTree, must, repogen, sh, tmp } from "../helpers.js";
import { AptRoot, checkRelease, problems, serve, type Server } from "../apt-helpers.js";
import { readyBuild, treeBuild } from "../builds.js";

const NOW = new Date(Math.floor(Date.now() / 1000) * 1000).toISOString();

function snapshot(dir: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const f of listTree(dir)) {
    const p = path.join(dir, f);
    const st = statSync(p);
    if (st.isFile()) m.set(f, `${st.mtimeMs}:${readFileSync(p).toString("base64")}`);
  }
  return m;
}

describe("repogen generate → apt-get", () => {
  let work: string, builds: string, out: string, keys: string, state: string;
  let server: Server;
  let apt: AptRoot;
  let debianHello: string;
  const gen = (...extra: string[]) => repogen(["generate", "--builds", builds, "--out", out, "--keys", keys, "--state", state, "--now", NOW, ...extra]);

  beforeAll(async () => {
    work = tmp("repogen-apt-e2e-");
    builds = path.join(work, "builds");
    out = path.join(work, "public");
    keys = path.join(work, "keys");
    state = path.join(work, "state");
    must("apt-get", ["download", "hello"], { cwd: work });
    debianHello = path.join(work, readdirSync(work).find((f) => /^hello_.*\.deb$/.test(f))!);
    const k = repogen(["keygen", "--keys", keys, "--name", "Test Archive", "--email", "archive@example.org"]);
    expect(k.status, k.stderr).toBe(0);
    treeBuild(builds, { job: "greeter", uuid: "u-greeter-1", start: "2026-11-20T10:00:00Z" }, { version: "1.0.0", greeting: "Hello one" });
    readyBuild(builds, { job: "hello", uuid: "u-hello-1", start: "2026-11-20T11:00:00Z" }, debianHello);
    const r = gen();
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    server = await serve(path.join(out, "apt"));
    apt = new AptRoot(path.join(work, "root"));
    apt.addSource(server.url, "debian-12", path.join(out, "apt/archive-keyring.gpg"));
  });

  afterAll(() => server?.stop());

  it("apt-get update is clean, and the spec-built package installs and runs", () => {
    const u = apt.apt(["update"]);
    expect(u.status, u.stdout + u.stderr).toBe(0);
    expect(problems(u)).toEqual([]);
    const i = apt.install("greeter");
    expect(i.status, i.stdout + i.stderr).toBe(0);
    expect(problems(i)).toEqual([]);
    const bin = path.join(apt.root, "usr/bin/greeter");
    expect(must("sh", [bin]).trim()).toBe("Hello one");
    expect(existsSync(path.join(apt.root, "var/lib/hello/postinst-ran"))).toBe(true);
    const status = readFileSync(path.join(apt.root, "var/lib/dpkg/status"), "utf8");
    expect(status).toMatch(/^Version: 1\.0\.0-0-g0000000-20261120100000-[0-9a-f]{64}$/m);
  });

  it("a ready .deb from Debian keeps its Depends and gets Debian's rebuild suffix +bBUILDTIME.SHA256", () => {
    const dl = path.join(work, "dl");
    must("mkdir", ["-p", dl]);
    const r = apt.apt(["download", "hello"], dl);
    expect(r.status, r.stderr).toBe(0);
    expect(problems(r)).toEqual([]);
    const got = path.join(dl, readdirSync(dl)[0]!);
    const upstream = must("dpkg-deb", ["-f", debianHello, "Version"]).trim();
    const sha = must("sha256sum", [debianHello]).split(" ")[0];
    expect(must("dpkg-deb", ["-f", got, "Version"]).trim()).toBe(`${upstream}+b20261120110000.${sha}`);
    expect(must("dpkg-deb", ["-f", got, "Depends"])).toBe(must("dpkg-deb", ["-f", debianHello, "Depends"]));
    expect(must("dpkg-deb", ["-c", got])).toBe(must("dpkg-deb", ["-c", debianHello]));
  });

  it("gpgv accepts InRelease and Release.gpg; every listed file matches and has its by-hash copy", () => {
    const dist = path.join(out, "apt/dists/debian-12");
    const kr = path.join(out, "apt/archive-keyring.gpg");
    expect(sh("gpgv", ["--keyring", kr, path.join(dist, "InRelease")]).status).toBe(0);
    expect(sh("gpgv", ["--keyring", kr, path.join(dist, "Release.gpg"), path.join(dist, "Release")]).status).toBe(0);
    expect(checkRelease(dist)).toEqual([]);
    // The clear-signed text is exactly Release.
    const inrel = readFileSync(path.join(dist, "InRelease"), "utf8");
    const body = inrel.split("\n\n").slice(1).join("\n\n").split("-----BEGIN PGP SIGNATURE-----")[0];
    expect(body).toBe(readFileSync(path.join(dist, "Release"), "utf8"));
    // A wrong key is refused.
    const other = path.join(work, "otherkeys");
    repogen(["keygen", "--keys", other]);
    const otherRing = path.join(work, "other.gpg");
    must("sh", ["-c", `gpg --dearmor < ${other}/apt-signing-key.pub.asc > ${otherRing}`]);
    expect(sh("gpgv", ["--keyring", otherRing, path.join(dist, "InRelease")]).status).not.toBe(0);
    // No private key in the output.
    for (const f of listTree(out)) {
      const p = path.join(out, f);
      if (statSync(p).isFile()) expect(readFileSync(p, "latin1")).not.toMatch(/PRIVATE KEY/);
    }
  });

  it("is idempotent: a second run rewrites nothing; a republished binary changes nothing", () => {
    const before = snapshot(out);
    const r = gen("--json");
    expect(r.status, r.stderr).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(s.added).toEqual([]);
    expect(s.updated).toEqual([]);
    expect(snapshot(out)).toEqual(before);
    // The same .deb again, as a newer build: nothing changes.
    readyBuild(builds, { job: "hello", uuid: "u-hello-again", start: "2026-11-22T11:00:00Z" }, debianHello);
    const r2 = gen();
    expect(r2.status, r2.stderr).toBe(0);
    expect(snapshot(out)).toEqual(before);
    // The state is only a cache: without it, the run rebuilds it from the builds and the tree.
    rmSync(state, { recursive: true });
    const r3 = gen();
    expect(r3.status, r3.stderr).toBe(0);
    expect(snapshot(out)).toEqual(before);
  });

  it("two runs from the same input with the same --now give identical trees", () => {
    const a = path.join(work, "tree-a");
    const b = path.join(work, "tree-b");
    for (const [o, st] of [
      [a, path.join(work, "state-a")],
      [b, path.join(work, "state-b")],
    ] as const) {
      const r = repogen(["generate", "--builds", builds, "--out", o, "--keys", keys, "--state", st, "--now", NOW]);
      expect(r.status, r.stderr).toBe(0);
    }
    const ta = listTree(a);
    expect(ta).toEqual(listTree(b));
    expect(ta.length).toBeGreaterThan(20);
    for (const f of ta) {
      const pa = path.join(a, f);
      if (statSync(pa).isFile()) expect(readFileSync(pa).equals(readFileSync(path.join(b, f))), f).toBe(true);
    }
    rmSync(a, { recursive: true });
    rmSync(b, { recursive: true });
  });

  it("a newer build upgrades the installed package", () => {
    treeBuild(builds, { job: "greeter", uuid: "u-greeter-2", start: "2026-11-21T10:00:00Z" }, { version: "1.0.0", greeting: "Hello two" });
    const r = gen();
    expect(r.status, r.stderr).toBe(0);
    const u = apt.apt(["update"]);
    expect(problems(u)).toEqual([]);
    const i = apt.install("greeter");
    expect(i.status, i.stdout + i.stderr).toBe(0);
    expect(i.stdout).toMatch(/1 upgraded/);
    expect(must("sh", [path.join(apt.root, "usr/bin/greeter")]).trim()).toBe("Hello two");
    // keep_versions = 1: only the newest is listed; the old pool file stays for the grace period.
    const packages = readFileSync(path.join(out, "apt/dists/debian-12/main/binary-amd64/Packages"), "utf8");
    expect(packages.match(/^Package: greeter$/gm)).toHaveLength(1);
    expect(readdirSync(path.join(out, "apt/pool/main/g/greeter"))).toHaveLength(2);
  });
});

describe("index page and snippets", () => {
  it("lists each suite and package and says how to add the repository", () => {
    const work = tmp();
    const builds = path.join(work, "builds");
    cpSync(path.resolve("examples/builds"), builds, { recursive: true });
    const out = path.join(work, "out");
    const r = repogen(["generate", "--config", path.resolve("examples/repogen.toml"), "--builds", builds, "--out", out, "--state", path.join(work, "st")]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/DEMO KEY/);
    const html = readFileSync(path.join(out, "index.html"), "utf8");
    expect(html).toContain("debian-12");
    expect(html).toContain("ubuntu-24.04");
    // The table shortens the version's SHA-256; the full version is its title and on the package's page.
    expect(html).toMatch(/motd-banner<\/a>.*?<code class="ver" title="0\.3-1\+b20261120090000\.[0-9a-f]{64}">/);
    expect(html).toContain("/etc/apt/keyrings/repogen-example.gpg");
    expect(html).toContain("sudo curl -fsSLo /etc/apt/sources.list.d/repogen-example.sources http://127.0.0.1:8000/apt/debian-12.sources");
    const sources = readFileSync(path.join(out, "apt/debian-12.sources"), "utf8");
    expect(sources).toBe(
      "Types: deb\nURIs: http://127.0.0.1:8000/apt\nSuites: debian-12\nComponents: main\nSigned-By: /etc/apt/keyrings/repogen-example.gpg\n",
    );
    const rel = readFileSync(path.join(out, "apt/dists/debian-12/Release"), "utf8");
    expect(rel).toMatch(/^Codename: bookworm$/m);
    // arch all is listed in the amd64 index, and all is not an architecture of the suite
    expect(readFileSync(path.join(out, "apt/dists/debian-12/main/binary-amd64/Packages"), "utf8")).toMatch(/^Package: motd-banner$/m);
    expect(rel).toMatch(/^Architectures: amd64$/m);
  });
});
