// `repogen hook` called exactly as builder-web calls its upload hooks, one at a time and twenty at
// once; judged by apt-get (install, update while the hooks run), repogen verify and the indexes.
import { describe, expect, it, beforeAll, afterAll } from "vitest";
import { spawn } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { CLI, must, repogen, ROOT, sh, tmp } from "../helpers.js";
import { AptRoot, problems, serve, type Server } from "../apt-helpers.js";
import { sha256File } from "../builds.js";

const BUILD_TIME = "20261120100000";

/** A .deb made by dpkg-deb, as builder-web's jobs deliver them (robur's version shape). */
function makeDeb(dir: string, name: string, version = "1.2.0"): string {
  const st = path.join(dir, `stage-${name}`);
  mkdirSync(path.join(st, "DEBIAN"), { recursive: true });
  mkdirSync(path.join(st, "usr/bin"), { recursive: true });
  writeFileSync(path.join(st, "DEBIAN/control"), `Package: ${name}\nVersion: ${version}\nArchitecture: amd64\nMaintainer: Robur <team@robur.coop>\nDescription: ${name} for the hook test\n A test package.\n`);
  writeFileSync(path.join(st, `usr/bin/${name}`), `#!/bin/sh\necho ${name}\n`, { mode: 0o755 });
  const f = path.join(dir, `${name}.deb`);
  must("dpkg-deb", ["--root-owner-group", "--build", st, f]);
  return f;
}

/** builder-web's data folder: DATADIR/_artifacts/AB/SHA256, no extension. */
function store(dataDir: string, file: string): { sha: string; artifact: string } {
  const sha = sha256File(file);
  const artifact = path.join(dataDir, "_artifacts", sha.slice(0, 2), sha);
  mkdirSync(path.dirname(artifact), { recursive: true });
  copyFileSync(file, artifact);
  return { sha, artifact };
}

describe("repogen hook (builder-web's upload hook)", () => {
  let work: string, dataDir: string, config: string, out: string, builds: string, state: string;
  let server: Server;
  let apt: AptRoot;

  /** builder-web's exact argument list (FORMATS §8), plus --config. */
  const hookArgs = (o: { sha: string; job: string; uuid: string; platform: string; main: string; artifact: string }) => [
    "hook",
    "--config",
    config,
    `--build-time=${BUILD_TIME}`,
    `--sha256=${o.sha}`,
    `--job=${o.job}`,
    `--uuid=${o.uuid}`,
    `--platform=${o.platform}`,
    `--cache-dir=${path.join(work, "cache")}`,
    `--data-dir=${dataDir}`,
    `--main-binary-filepath=${o.main}`,
    o.artifact,
  ];

  beforeAll(async () => {
    work = tmp("repogen-hook-");
    dataDir = path.join(work, "data");
    out = path.join(work, "public");
    builds = path.join(work, "builds");
    state = path.join(work, "state");
    mkdirSync(builds);
    const k = repogen(["keygen", "--keys", path.join(work, "keys"), "--name", "Hook Test", "--email", "hook@example.org"]);
    expect(k.status, k.stderr).toBe(0);
    config = path.join(work, "repogen.toml");
    writeFileSync(
      config,
      `builds = "builds"\noutput = "public"\nkeys = "keys"\nstate = "state"\nbase_url = "http://127.0.0.1:1"\norigin = "hooktest"\nlabel = "Hook test"\ndescription = "hook test"\n[pkg]\ncompression = "txz"\n`,
    );
    const deb = makeDeb(work, "hello");
    const { sha, artifact } = store(dataDir, deb);
    const r = repogen(hookArgs({ sha, job: "hello", uuid: "7f0afdeb-0a52-4de1-b96f-00f654ce9249", platform: "debian-12", main: "bin/hello.deb", artifact }));
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout.trim().split("\n")).toHaveLength(1);
    expect(r.stdout).toContain(`published hello/7f0afdeb-0a52-4de1-b96f-00f654ce9249 as hello 1.2.0-0-g0000000-${BUILD_TIME}-${sha}`);
    server = await serve(path.join(out, "apt"));
    apt = new AptRoot(path.join(work, "root"));
    apt.addSource(server.url, "debian-12", path.join(out, "apt/archive-keyring.gpg"));
  });

  afterAll(() => server?.stop());

  it("records the build as builds/JOB/UUID with the artifact linked, and apt-get installs it with robur's version", () => {
    const dir = path.join(builds, "hello", "7f0afdeb-0a52-4de1-b96f-00f654ce9249");
    const j = JSON.parse(readFileSync(path.join(dir, "build.json"), "utf8"));
    expect(j.start).toBe("2026-11-20T10:00:00Z");
    expect(j.platform).toBe("debian-12");
    expect(j.arch).toBe("amd64");
    expect(readdirSync(dir).sort()).toEqual(["build.json", "hello.deb"]);
    const u = apt.apt(["update"]);
    expect(u.status, u.stdout + u.stderr).toBe(0);
    expect(problems(u)).toEqual([]);
    const i = apt.install("hello");
    expect(i.status, i.stdout + i.stderr).toBe(0);
    const sha = sha256File(path.join(dir, "hello.deb"));
    const status = readFileSync(path.join(apt.root, "var/lib/dpkg/status"), "utf8");
    // robur's shape: VERSION-0-g0000000-BUILDTIME-SHA256 for a MAJOR.MINOR.PATCH release.
    expect(status).toContain(`Package: hello\nStatus: install ok installed`);
    expect(status).toContain(`Version: 1.2.0-0-g0000000-${BUILD_TIME}-${sha}\n`);
    expect(must("sh", [path.join(apt.root, "usr/bin/hello")]).trim()).toBe("hello");
  });

  it("publishes a FreeBSD .pkg into the pkg repository", () => {
    const pkg = path.join(ROOT, "test/fixtures/freebsd/repo/All/hello-1.0_1.pkg");
    const { sha, artifact } = store(dataDir, pkg);
    const r = repogen(hookArgs({ sha, job: "hello", uuid: "b2c1e3a4-1111-4d2e-9e2f-000000000001", platform: "freebsd-14", main: "bin/hello.pkg", artifact }));
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^published hello\/b2c1e3a4-1111-4d2e-9e2f-000000000001 as hello 1\.0\+20261120100000\.[0-9a-f]{64}_1 \(amd64\) in pkg FreeBSD:14:amd64\n$/);
    const all = readdirSync(path.join(out, "pkg/FreeBSD:14:amd64/All"));
    expect(all.some((f) => f.startsWith(`hello-1.0+${BUILD_TIME}.${sha}_1`))).toBe(true);
    // The catalogue names it: packagesite.yaml inside the signed packagesite.pkg (tar judges the archive).
    const x = path.join(work, "ps");
    mkdirSync(x);
    must("tar", ["-xf", path.join(out, "pkg/FreeBSD:14:amd64/packagesite.pkg"), "-C", x]);
    expect(readFileSync(path.join(x, "packagesite.yaml"), "utf8")).toContain(`"version":"1.0+${BUILD_TIME}.${sha}_1"`);
    const v = repogen(["verify", out]);
    expect(v.status, v.stdout + v.stderr).toBe(0);
  });

  it("skips an upload that is neither a .deb nor a .pkg: exit 0, one line, nothing recorded", () => {
    const f = path.join(work, "unikernel.hvt");
    writeFileSync(f, "not a package");
    const { sha, artifact } = store(dataDir, f);
    const r = repogen(hookArgs({ sha, job: "unikernel", uuid: "u-hvt", platform: "ubuntu-20.04", main: "bin/unikernel.hvt", artifact }));
    expect(r.status).toBe(0);
    expect(r.stdout).toBe("skipped unikernel/u-hvt: bin/unikernel.hvt is neither a .deb nor a .pkg\n");
    expect(existsSync(path.join(builds, "unikernel"))).toBe(false);
  });

  it("refuses a wrong --sha256, a missing file, a bad --job and an unknown platform: one line, non-zero, nothing recorded", () => {
    const deb = makeDeb(work, "refused");
    const { sha, artifact } = store(dataDir, deb);
    const base = { sha, job: "refused", uuid: "u-1", platform: "debian-12", main: "bin/refused.deb", artifact };
    const cases: Array<[typeof base, RegExp]> = [
      [{ ...base, sha: "0".repeat(64) }, /^repogen: refused\/u-1: the artifact .* has SHA-256 [0-9a-f]{64}, --sha256 says 0{64}$/],
      [{ ...base, artifact: path.join(dataDir, "_artifacts/00/missing") }, /^repogen: refused\/u-1: the artifact .*missing does not exist$/],
      [{ ...base, job: "Bad_Job" }, /^repogen: Bad_Job\/u-1: --job "Bad_Job" is not a package name/],
      [{ ...base, platform: "fedora-40" }, /^repogen: refused\/u-1: unknown platform "fedora-40"/],
      [{ ...base, platform: "freebsd-14" }, /^repogen: refused\/u-1: a \.deb cannot be published for platform freebsd-14$/],
    ];
    const before = readdirSync(builds).sort();
    for (const [c, line] of cases) {
      const r = repogen(hookArgs(c));
      expect(r.status, r.stderr).toBe(2);
      expect(r.stdout).toBe("");
      const lines = r.stderr.trim().split("\n");
      expect(lines, r.stderr).toHaveLength(1);
      expect(lines[0]).toMatch(line);
    }
    expect(readdirSync(builds).sort()).toEqual(before);
    expect(readdirSync(path.join(state, "pending"))).toEqual([]);
  });

  it("warns about unknown --x=y options and still publishes", () => {
    const deb = makeDeb(work, "extra");
    const { sha, artifact } = store(dataDir, deb);
    const r = repogen([...hookArgs({ sha, job: "extra", uuid: "u-extra", platform: "debian-12", main: "bin/extra.deb", artifact }), "--future-option=1"]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toBe("repogen hook: ignoring unknown option --future-option\n");
    expect(r.stdout).toMatch(/^published extra\/u-extra as extra /);
  });

  it("contrib/builder-web/repogen.sh passes builder-web's call on to repogen hook", () => {
    const deb = makeDeb(work, "viascript");
    const { sha, artifact } = store(dataDir, deb);
    const wrapper = path.join(work, "repogen-wrapper");
    writeFileSync(wrapper, `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(CLI)} "$@"\n`, { mode: 0o755 });
    const args = hookArgs({ sha, job: "viascript", uuid: "u-sh", platform: "debian-12", main: "bin/viascript.deb", artifact }).slice(3); // without "hook --config FILE"
    const r = sh(path.join(ROOT, "contrib/builder-web/repogen.sh"), args, { env: { ...process.env, REPOGEN: wrapper, REPOGEN_CONFIG: config } });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^published viascript\/u-sh as viascript 1\.2\.0-0-g0000000-/);
  });

  it("20 hooks at once (cmd &): all published, none exits 4, and the tree stays whole for readers meanwhile", async () => {
    const calls: string[] = [];
    const shas = new Map<string, string>();
    for (let i = 0; i < 20; i++) {
      const name = `many${i}`;
      const { sha, artifact } = store(dataDir, makeDeb(work, name, `2.0.${i}`));
      shas.set(name, sha);
      const args = [CLI, ...hookArgs({ sha, job: name, uuid: `u-${i}`, platform: "debian-12", main: `bin/${name}.deb`, artifact }), "--json"];
      calls.push(`( ${JSON.stringify(process.execPath)} ${args.map((a) => `'${a}'`).join(" ")} >'${work}/hook${i}.out' 2>&1; echo $? >'${work}/hook${i}.rc' ) &`);
    }
    const script = path.join(work, "twenty.sh");
    writeFileSync(script, `#!/bin/sh\n${calls.join("\n")}\nwait\n`);
    const child = spawn("sh", [script], { stdio: "ignore" });
    const finished = new Promise<void>((r) => child.on("exit", () => r()));
    let running = true;
    void finished.then(() => (running = false));
    const badPolls: string[] = [];
    let polls = 0;
    // A reader polling while the hooks run: every look must find a whole, verifiable tree.
    // verify reads the canonical names one by one (apt reads by-hash): a look during which InRelease
    // was replaced saw two states, as any such reader would, and is taken again.
    const inRelease = () => sh("cat", [path.join(out, "apt/dists/debian-12/InRelease")]).stdout;
    let torn = 0;
    for (let i = 0; i < 200 && (running || polls < 2); i++) {
      const before = inRelease();
      const v = sh(process.execPath, [CLI, "verify", out]);
      const whole = inRelease() === before;
      const u = apt.apt(["update"]);
      polls++;
      if (v.status !== 0 && whole) badPolls.push(`verify: ${v.stdout}${v.stderr}`);
      if (v.status !== 0 && !whole) torn++;
      if (u.status !== 0 || problems(u).length) badPolls.push(`apt-get update: ${u.stdout}${u.stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    await finished;
    expect(badPolls).toEqual([]);
    expect(polls - torn).toBeGreaterThan(0);
    let runs = 0;
    for (let i = 0; i < 20; i++) {
      const rc = readFileSync(path.join(work, `hook${i}.rc`), "utf8").trim();
      const text = readFileSync(path.join(work, `hook${i}.out`), "utf8");
      expect(rc, text).toBe("0");
      const j = JSON.parse(text.trim().split("\n").at(-1)!);
      expect(j.status).toBe("published");
      runs += j.runs;
    }
    // Coalesced: far fewer runs than hooks (they start spread over the machine's load, so not always one).
    expect(runs).toBeGreaterThanOrEqual(1);
    expect(runs, `${runs} runs`).toBeLessThanOrEqual(10);
    const packages = readFileSync(path.join(out, "apt/dists/debian-12/main/binary-amd64/Packages"), "utf8");
    for (const [name, sha] of shas) expect(packages).toMatch(new RegExp(`^Package: ${name}\n(?:.+\n)*?Version: 2\.0\.${name.slice(4)}-0-g0000000-${BUILD_TIME}-${sha}\n`, "m"));
    expect(readdirSync(path.join(state, "pending"))).toEqual([]);
    const u = apt.apt(["update"]);
    expect(u.status).toBe(0);
    const i = apt.install("many7");
    expect(i.status, i.stdout + i.stderr).toBe(0);
  }, 240_000);
});
