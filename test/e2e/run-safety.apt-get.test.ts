// What a run may and may not do to the tree and to other builds, judged by the real apt-get and
// dpkg-deb: builds named job/uuid (two jobs with build "42"), the four folders kept apart, exit 5
// once an index is live, and the bytes published being the bytes that were checked.
import { describe, expect, it } from "vitest";
import { createHash } from "node:crypto";
import { cpSync, existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, readlinkSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { must, repogen, ROOT, tmp } from "../helpers.js";
import { AptRoot, problems, serve } from "../apt-helpers.js";
import { craftDeb, GREETER_SPEC, readyBuild, treeBuild } from "../builds.js";

const NOW = new Date(Math.floor(Date.now() / 1000) * 1000).toISOString();
const FIX = path.resolve(ROOT, "test", "fixtures", "freebsd");

function setup() {
  const work = tmp("repogen-runsafety-");
  const s = { work, builds: path.join(work, "builds"), out: path.join(work, "out"), keys: path.join(work, "keys"), state: path.join(work, "state") };
  expect(repogen(["keygen", "--keys", s.keys]).status).toBe(0);
  mkdirSync(s.builds, { recursive: true });
  return s;
}

const gen = (s: { builds: string; out: string; keys: string; state: string }, extra: string[] = []) => [
  "generate", "--builds", s.builds, "--out", s.out, "--keys", s.keys, "--state", s.state, "--now", NOW, ...extra,
];

function deb(dir: string, name: string, payload: string, version = "1.0-1"): string {
  mkdirSync(dir, { recursive: true });
  const f = path.join(dir, `${name}_${version}_amd64.deb`);
  craftDeb(f, `Package: ${name}\nVersion: ${version}\nArchitecture: amd64\nMaintainer: A <a@example.org>\nDescription: package ${name}\n`, { "payload.txt": payload });
  return f;
}

const sha256 = (b: Buffer) => createHash("sha256").update(b).digest("hex");

/** Every entry of a tree with its bytes (or link target): equal snapshots mean a byte-identical tree. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const n of readdirSync(d).sort()) {
      const p = path.join(d, n);
      const st = lstatSync(p);
      const rel = path.relative(dir, p);
      if (st.isSymbolicLink()) out[rel] = `-> ${readlinkSync(p)}`;
      else if (st.isDirectory()) {
        out[rel] = "dir";
        walk(p);
      } else out[rel] = sha256(readFileSync(p));
    }
  };
  walk(dir);
  return out;
}

function packagesOf(out: string): string {
  return readFileSync(path.join(out, "apt/dists/debian-12/main/binary-amd64/Packages"), "utf8");
}

describe("a build is job/uuid", () => {
  it("two jobs whose builds are both named 42 each publish their own package, run after run", async () => {
    const s = setup();
    const debs = path.join(s.work, "debs");
    readyBuild(s.builds, { job: "alpha", uuid: "42", start: "2026-11-20T10:00:00Z" }, deb(debs, "alpha", "alpha's payload\n"));
    readyBuild(s.builds, { job: "beta", uuid: "42", start: "2026-11-20T10:00:00Z" }, deb(debs, "beta", "beta's payload\n"));
    // Staged trees with the same spec bytes (no name: the job names the package), so that a cache
    // keyed by uuid and spec alone would hand one job the other's package.
    const spec = GREETER_SPEC("1.0.0").replace(/^name = .*\n/m, "");
    treeBuild(s.builds, { job: "ta", uuid: "42", start: "2026-11-20T10:00:00Z" }, { spec, greeting: "from ta" });
    treeBuild(s.builds, { job: "tb", uuid: "42", start: "2026-11-20T10:00:00Z" }, { spec, greeting: "from tb" });
    for (const run of [1, 2]) {
      const r = repogen(gen(s, ["--json"]));
      expect(r.status, `run ${run}: ${r.stderr}`).toBe(0);
      const names = [...packagesOf(s.out).matchAll(/^Package: (.*)$/gm)].map((m) => m[1]).sort();
      expect(names, `run ${run}`).toEqual(["alpha", "beta", "ta", "tb"]);
    }
    const server = await serve(path.join(s.out, "apt"));
    try {
      const apt = new AptRoot(path.join(s.work, "root"));
      apt.addSource(server.url, "debian-12", path.join(s.out, "apt/archive-keyring.gpg"));
      expect(problems(apt.apt(["update"]))).toEqual([]);
      const i = apt.install("alpha", "beta");
      expect(i.status, i.stdout + i.stderr).toBe(0);
      expect(readFileSync(path.join(apt.root, "usr/share/alpha/payload.txt"), "utf8")).toBe("alpha's payload\n");
      expect(readFileSync(path.join(apt.root, "usr/share/beta/payload.txt"), "utf8")).toBe("beta's payload\n");
      // ta and tb both ship /usr/bin/greeter: each into its own root
      for (const job of ["ta", "tb"]) {
        const other = new AptRoot(path.join(s.work, `root-${job}`));
        other.addSource(server.url, "debian-12", path.join(s.out, "apt/archive-keyring.gpg"));
        expect(problems(other.apt(["update"]))).toEqual([]);
        const t = other.install(job);
        expect(t.status, t.stdout + t.stderr).toBe(0);
        expect(readFileSync(path.join(other.root, "usr/bin/greeter"), "utf8")).toContain(`from ${job}`);
      }
    } finally {
      server.stop();
    }
  }, 180_000);

  it("a rejection names the build as job/uuid, in the line and in the JSON summary", () => {
    const s = setup();
    const debs = path.join(s.work, "debs");
    readyBuild(s.builds, { job: "alpha", uuid: "42", start: "2026-11-20T10:00:00Z" }, deb(debs, "alpha", "a\n"));
    readyBuild(s.builds, { job: "beta", uuid: "42", start: "2026-11-20T10:00:00Z" }, deb(debs, "beta", "b\n"), (j) => {
      (j.artifacts as Array<{ sha256: string }>)[0]!.sha256 = "0".repeat(64);
    });
    const r = repogen(gen(s, ["--json"]));
    expect(r.status, r.stderr).toBe(3);
    expect(r.stderr.trim().split("\n")).toEqual([expect.stringMatching(new RegExp(`^rejected ${path.join(s.builds, "beta", "42")}: .*SHA-256`))]);
    const j = JSON.parse(r.stdout) as { rejected: Array<{ build: string }> };
    expect(j.rejected.map((x) => x.build)).toEqual(["beta/42"]);
  });
});

describe("output, state, keys and builds are kept apart", () => {
  it("refuses (exit 2, one line, nothing written) every shape of overlap, from flags and from the config", () => {
    const s = setup();
    const w = s.work;
    const keysBefore = snapshot(s.keys);
    mkdirSync(path.join(w, "real-out/inner"), { recursive: true });
    symlinkSync(path.join(w, "real-out"), path.join(w, "out-link"));
    symlinkSync(path.join(w, "real-out/inner"), path.join(w, "state-link"));
    symlinkSync(path.join(w, "nowhere-yet/sub"), path.join(w, "dangling"));
    const flags = (o: Partial<Record<"builds" | "out" | "keys" | "state", string>>) => {
      const v = { builds: s.builds, out: s.out, keys: s.keys, state: s.state, ...o };
      return ["generate", "--builds", v.builds, "--out", v.out, "--keys", v.keys, "--state", v.state, "--now", NOW];
    };
    const cases: Array<[string, string[], RegExp]> = [
      ["keys = out", flags({ keys: s.out }), /--keys .*must not be the same folder as --out .*private keys would be served/],
      ["keys inside out", flags({ keys: path.join(s.out, "k") }), /--keys .*must not be inside --out/],
      ["builds inside out", flags({ builds: path.join(s.out, "b") }), /--builds .*must not be inside --out/],
      ["out inside state", flags({ out: path.join(s.state, "pub") }), /--out .*must not be inside --state/],
      ["out containing state", flags({ out: w }), /must not be inside --out/],
      ["out inside keys", flags({ out: path.join(s.keys, "pub") }), /--out .*must not be inside --keys/],
      ["state inside builds", flags({ state: path.join(s.builds, ".state") }), /--state .*must not be inside --builds/],
      ["state through a symlink into out", flags({ out: path.join(w, "real-out"), state: path.join(w, "state-link") }), /--state .*must not be inside --out/],
      ["out through a symlink, keys inside its target", flags({ out: path.join(w, "out-link"), keys: path.join(w, "real-out/keys") }), /--keys .*must not be inside --out/],
      ["through a dangling symlink", flags({ out: path.join(w, "nowhere-yet"), state: path.join(w, "dangling", "s") }), /--state .*must not be inside --out/],
      ["through .. in a path", flags({ state: path.join(s.out, "..", "out", "s") }), /--state .*must not be inside --out/],
    ];
    for (const [name, args, re] of cases) {
      const r = repogen(args);
      expect(r.status, `${name}: ${r.stderr}`).toBe(2);
      expect(r.stderr.trim().split("\n"), name).toHaveLength(1);
      expect(r.stderr, name).toMatch(re);
    }
    // the same rule on the config path, and config and flags mixed
    const cfg = path.join(w, "repogen.toml");
    const configCases: Array<[Record<string, string>, string[], RegExp]> = [
      [{ keys: "out" }, [], /keys: must not be the same folder as output/],
      [{ builds: "out/builds" }, [], /builds: must not be inside output/],
      [{ state: "state-link" }, ["--out", path.join(w, "real-out")], /state: must not be inside --out/],
      [{ output: "out-link/inner/deeper" }, ["--state", path.join(w, "state-link")], /output: must not be inside --state/],
      [{}, ["--keys", path.join(w, "out", "keys")], /--keys .*must not be inside output/],
    ];
    for (const [keys, extra, re] of configCases) {
      const v = { builds: "builds", output: "out", keys: "keys", state: "state", ...keys };
      const text = Object.entries(v).map(([k, x]) => `${k} = "${x}"\n`).join("");
      writeFileSync(cfg, text);
      const r = repogen(["generate", "--config", cfg, "--now", NOW, ...extra]);
      expect(r.status, `${text}: ${r.stderr}`).toBe(2);
      expect(r.stderr.trim().split("\n"), text).toHaveLength(1);
      expect(r.stderr, text).toMatch(re);
      expect(r.stderr, text).toContain(cfg);
    }
    // nothing was written anywhere
    expect(existsSync(s.out)).toBe(false);
    expect(existsSync(s.state)).toBe(false);
    expect(existsSync(path.join(w, "nowhere-yet"))).toBe(false);
    expect(readdirSync(path.join(w, "real-out"))).toEqual(["inner"]);
    expect(readdirSync(path.join(w, "real-out/inner"))).toEqual([]);
    expect(snapshot(s.keys)).toEqual(keysBefore);
    // and folders side by side, one of them reached through a symlink, are fine
    const ok = repogen(flags({ out: path.join(w, "out-link") }));
    expect(ok.status, ok.stderr).toBe(0);
  });
});

describe("exit 5: published, bookkeeping unfinished", () => {
  it("a failure after the indexes are live keeps every pool file they name; before that the tree is byte-identical", async () => {
    const s = setup();
    const debs = path.join(s.work, "debs");
    readyBuild(s.builds, { job: "old", uuid: "1", start: "2026-11-20T10:00:00Z" }, deb(debs, "old", "old\n"));
    treeBuild(s.builds, { job: "greeter", uuid: "g1", start: "2026-11-20T10:00:00Z" }, { greeting: "one" });
    expect(repogen(gen(s)).status).toBe(0);
    // The next run brings a new package and replaces greeter (so retention has work too).
    readyBuild(s.builds, { job: "fresh", uuid: "1", start: "2026-11-21T10:00:00Z" }, deb(debs, "fresh", "fresh\n"));
    treeBuild(s.builds, { job: "greeter", uuid: "g2", start: "2026-11-21T10:00:00Z" }, { greeting: "two" });
    const before = snapshot(s.out);
    const server = await serve(s.work);
    try {
      for (const step of ["pool", "by-hash"]) {
        const c = { ...s, out: path.join(s.work, `out-${step}`), state: path.join(s.work, `state-${step}`) };
        cpSync(s.out, c.out, { recursive: true, verbatimSymlinks: true });
        cpSync(s.state, c.state, { recursive: true });
        const r = repogen(gen(c), { env: { ...process.env, REPOGEN_FAIL_AFTER: step } });
        expect(r.status, `${step}: ${r.stderr}`).toBe(1);
        expect(r.stderr).toContain(`injected failure (REPOGEN_FAIL_AFTER=${step})`);
        expect(snapshot(c.out), step).toEqual(before);
      }
      for (const step of ["index-page", "retention", "state"]) {
        const c = { ...s, out: path.join(s.work, `out-${step}`), state: path.join(s.work, `state-${step}`) };
        cpSync(s.out, c.out, { recursive: true, verbatimSymlinks: true });
        cpSync(s.state, c.state, { recursive: true });
        const r = repogen(gen(c), { env: { ...process.env, REPOGEN_FAIL_AFTER: step } });
        expect(r.status, `${step}: ${r.stderr}`).toBe(5);
        expect(r.stderr.trim().split("\n")).toHaveLength(1);
        expect(r.stderr).toMatch(/published, but the run could not finish its bookkeeping/);
        expect(packagesOf(c.out), step).toMatch(/^Package: fresh$/m);
        const v = repogen(["verify", c.out, "--deep", "--apt-keyring", path.join(s.keys, "apt-signing-key.pub.asc")]);
        expect(v.status, `${step}: ${v.stderr}${v.stdout}`).toBe(0);
        const apt = new AptRoot(path.join(s.work, `root-${step}`));
        apt.addSource(`${server.url}/out-${step}/apt`, "debian-12", path.join(c.out, "apt/archive-keyring.gpg"));
        const u = apt.apt(["update"]);
        expect(problems(u), `${step}: apt-get update`).toEqual([]);
        const i = apt.install("fresh", "greeter");
        expect(i.status, `${step}: ${i.stdout}${i.stderr}`).toBe(0);
        expect(readFileSync(path.join(apt.root, "usr/share/fresh/payload.txt"), "utf8")).toBe("fresh\n");
        // the next run completes the bookkeeping
        const again = repogen(gen(c));
        expect(again.status, `${step}: ${again.stderr}`).toBe(0);
        expect(repogen(["verify", c.out, "--deep"]).status).toBe(0);
      }
    } finally {
      server.stop();
    }
  }, 240_000);
});

describe("what is published is what was checked", () => {
  it("an artifact swapped after the hash check is rejected, and its replacement is not published", () => {
    const s = setup();
    const debs = path.join(s.work, "debs");
    const good = deb(debs, "swapme", "the checked bytes\n");
    const dir = readyBuild(s.builds, { job: "swapme", uuid: "1", start: "2026-11-20T10:00:00Z" }, good);
    readyBuild(s.builds, { job: "bystander", uuid: "1", start: "2026-11-20T10:00:00Z" }, deb(debs, "bystander", "b\n"));
    const evil = deb(path.join(s.work, "evil"), "swapme", "the swapped bytes\n");
    const target = path.join(dir, path.basename(good));
    // The hook runs once the scan has accepted the build: the bytes are checked against build.json
    // where they are read, so a swap between the scan and the read is caught.
    const hook = `cp '${evil}' '${target}.new' && mv '${target}.new' '${target}'`;
    const r = repogen(gen(s), { env: { ...process.env, REPOGEN_TEST_HOOK_AFTER_SCAN: hook } });
    expect(r.status, r.stderr).toBe(3);
    expect(r.stderr.trim().split("\n")).toEqual([expect.stringMatching(new RegExp(`^rejected ${dir}: artifact "${path.basename(good)}" has SHA-256 [0-9a-f]{64}, build\\.json says [0-9a-f]{64}`))]);
    expect(packagesOf(s.out)).not.toMatch(/^Package: swapme$/m);
    expect(packagesOf(s.out)).toMatch(/^Package: bystander$/m);
    expect(readdirSync(path.join(s.out, "apt/pool/main"), { recursive: true }).map(String).filter((f) => f.includes("swapme"))).toEqual([]);
    // the same swap in place (same size, same mtime, same inode) is caught too
    const s2 = setup();
    const a = deb(path.join(s2.work, "debs"), "inplace", "AAAA\n");
    const b = deb(path.join(s2.work, "evil"), "inplace", "BBBB\n");
    expect(statSync(a).size).toBe(statSync(b).size);
    const d2 = readyBuild(s2.builds, { job: "inplace", uuid: "1", start: "2026-11-20T10:00:00Z" }, a);
    const t2 = path.join(d2, path.basename(a));
    const hook2 = `ref=$(mktemp) && touch -r '${t2}' "$ref" && dd if='${b}' of='${t2}' conv=notrunc status=none && touch -r "$ref" '${t2}'`;
    const r2 = repogen(gen(s2), { env: { ...process.env, REPOGEN_TEST_HOOK_AFTER_SCAN: hook2 } });
    expect(r2.status, r2.stderr).toBe(3);
    expect(r2.stderr).toMatch(/artifact "inplace_[^"]*" has SHA-256 [0-9a-f]{64}, build\.json says [0-9a-f]{64}/);
    // and a FIFO swapped in is refused at once, not waited on
    const s3 = setup();
    const a3 = deb(path.join(s3.work, "debs"), "fifo", "F\n");
    const d3 = readyBuild(s3.builds, { job: "fifo", uuid: "1", start: "2026-11-20T10:00:00Z" }, a3);
    const t3 = path.join(d3, path.basename(a3));
    const r3 = repogen(gen(s3), { env: { ...process.env, REPOGEN_TEST_HOOK_AFTER_SCAN: `rm '${t3}' && mkfifo '${t3}'` }, timeout: 120_000 });
    expect(r3.status, r3.stderr).toBe(3);
    expect(r3.stderr).toMatch(/main binary is a FIFO, not a regular file/);
  });

  it("a pool file never shares an inode with a build's file: changing the build's file later changes nothing published", async () => {
    const s = setup();
    writeFileSync(path.join(s.work, "repogen.toml"), 'versioning = "as-is"\n');
    const debs = path.join(s.work, "debs");
    const dDeb = readyBuild(s.builds, { job: "asis", uuid: "1", start: "2026-11-20T10:00:00Z" }, deb(debs, "asis", "as published\n"));
    const dPkg = readyBuild(s.builds, { job: "hello", uuid: "1", platform: "freebsd-14", start: "2026-11-20T10:00:00Z" }, path.join(FIX, "repo/All/hello-1.0_1.pkg"));
    const r = repogen([...gen(s), "--config", path.join(s.work, "repogen.toml")]);
    expect(r.status, r.stderr).toBe(0);
    const pairs = [
      [path.join(dDeb, "asis_1.0-1_amd64.deb"), path.join(s.out, "apt/pool/main/a/asis/asis_1.0-1_amd64.deb")],
      [path.join(dPkg, "hello-1.0_1.pkg"), path.join(s.out, "pkg/FreeBSD:14:amd64/All/hello-1.0_1.pkg")],
    ] as const;
    const published = pairs.map(([, pool]) => readFileSync(pool));
    for (const [i, [build, pool]] of pairs.entries()) {
      expect(statSync(pool).ino).not.toBe(statSync(build).ino);
      expect(statSync(pool).nlink).toBe(1);
      // overwrite the build's file in place, as a careless builder would
      writeFileSync(build, Buffer.alloc(statSync(build).size, 0x41));
      expect(readFileSync(pool).equals(published[i]!)).toBe(true);
    }
    // the Packages entry still describes the pool file, and apt installs it
    const entry = /^Package: asis$[\s\S]*?^SHA256: ([0-9a-f]+)$/m.exec(packagesOf(s.out))![1];
    expect(sha256(readFileSync(pairs[0][1]))).toBe(entry);
    const server = await serve(path.join(s.out, "apt"));
    try {
      const apt = new AptRoot(path.join(s.work, "root"));
      apt.addSource(server.url, "debian-12", path.join(s.out, "apt/archive-keyring.gpg"));
      expect(problems(apt.apt(["update"]))).toEqual([]);
      const i = apt.install("asis");
      expect(i.status, i.stdout + i.stderr).toBe(0);
      expect(readFileSync(path.join(apt.root, "usr/share/asis/payload.txt"), "utf8")).toBe("as published\n");
    } finally {
      server.stop();
    }
    expect(must("sha256sum", [pairs[1][1]]).split(" ")[0]).toBe(sha256(published[1]!));
  });
});
