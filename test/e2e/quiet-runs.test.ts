// A cron job that mostly finds nothing new: a suite whose inputs are unchanged is kept as published
// (its record in the state), and the walk of the tree for retention is skipped while it could find
// nothing. Each shortcut must give way exactly when its reason goes: the signatures near expiry, a
// key or setting changed, a published file touched, a run killed halfway.
import { describe, expect, it } from "vitest";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { must, repogen, tmp } from "../helpers.js";
import { craftDeb, readyBuild } from "../builds.js";

// Whole seconds from now on: the keys are made now, and signatures cannot predate them.
const T0 = Math.floor(Date.now() / 1000) * 1000 + 60_000;
const at = (hours: number) => new Date(T0 + hours * 3600_000).toISOString();

function setup(config = "") {
  const work = tmp();
  const s = { work, builds: path.join(work, "builds"), out: path.join(work, "out"), keys: path.join(work, "keys"), state: path.join(work, "state"), config: path.join(work, "repogen.toml") };
  writeFileSync(s.config, `valid_days = 10\ngrace_hours = 1\n${config}`);
  expect(repogen(["keygen", "--keys", s.keys]).status).toBe(0);
  const deb = (name: string, platform: string, start: string, fields = "") => {
    const f = path.join(work, `${name}-${platform}-${start}.deb`);
    craftDeb(f, `Package: ${name}\nVersion: 1.0-1\nArchitecture: amd64\nMaintainer: A <a@example.org>\n${fields}Description: ${name}\n`, { [`usr/share/doc/${name}/README`]: `${name} on ${platform} from ${start}\n` });
    readyBuild(s.builds, { job: name, uuid: `${name}-${platform}-${start.slice(0, 10)}`, platform, start }, f);
  };
  const gen = (hours: number, extra: string[] = []) => {
    const r = repogen(["generate", "--config", s.config, "--builds", s.builds, "--out", s.out, "--keys", s.keys, "--state", s.state, "--now", at(hours), "--json", ...extra]);
    expect(r.status, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as { repositories: Array<{ name: string; changed: boolean }>; added: string[]; updated: string[]; removed: string[] };
  };
  const release = (suite: string) => readFileSync(path.join(s.out, `apt/dists/${suite}/Release`), "utf8");
  /** verify (gpgv underneath) at that hour, with the keys now in the keys folder. */
  const verify = (hours: number) => {
    const v = repogen(["verify", s.out, "--now", at(hours), "--apt-keyring", path.join(s.keys, "apt-signing-key.pub.asc")]);
    expect(v.status, v.stderr).toBe(0);
  };
  return { ...s, deb, gen, release, verify };
}

/** The records of the repositories in the state database, read with the sqlite3 program. */
function records(state: string): string[] {
  // Hex, since the names hold NUL separators, which the sqlite3 program does not print.
  return must("sqlite3", [path.join(state, "state.sqlite"), "select hex(k) from meta where k like 'text:repository%' order by k"])
    .trim()
    .split("\n")
    .filter(Boolean)
    .map((h) => Buffer.from(h, "hex").toString("utf8").replace(/\x00/g, " "));
}

describe("runs with nothing new", () => {
  it("keep an unchanged suite as published, and make it again when its signatures near expiry, a key or a setting changes, or one of its files is touched", () => {
    const s = setup();
    s.deb("alpha", "debian-12", "2026-11-20T10:00:00Z");
    s.deb("beta", "ubuntu-24.04", "2026-11-20T10:00:00Z");
    s.gen(0);
    expect(records(s.state), JSON.stringify(records(s.state))).toEqual(["text:repository debian debian-12", "text:repository debian ubuntu-24.04"]);
    const quiet = s.gen(1);
    expect(quiet.repositories.map((r) => r.changed)).toEqual([false, false]);
    expect([...quiet.added, ...quiet.updated, ...quiet.removed]).toEqual([]);

    // A new build in one suite: that suite is made again, the other one is left as it is.
    s.deb("gamma", "debian-12", "2026-11-21T10:00:00Z");
    const ubuntuBefore = s.release("ubuntu-24.04");
    const one = s.gen(2);
    expect(one.repositories).toEqual([
      { name: "apt debian-12", changed: true, packages: 2 },
      { name: "apt ubuntu-24.04", changed: false, packages: 1 },
    ]);
    expect(s.release("debian-12")).toMatch(/^ [0-9a-f]{64} +\d+ main\/binary-amd64\/Packages$/m);
    expect(readFileSync(path.join(s.out, "apt/dists/debian-12/main/binary-amd64/Packages"), "utf8")).toMatch(/^Package: gamma$/m);
    expect(s.release("ubuntu-24.04")).toBe(ubuntuBefore);

    // Less than half of valid_days (10) left: both are signed again, with new dates, though nothing changed.
    const renewed = s.gen(2 + 5 * 24 + 1);
    expect(renewed.updated).toEqual(expect.arrayContaining(["apt/dists/debian-12/InRelease", "apt/dists/ubuntu-24.04/InRelease"]));
    expect(s.release("ubuntu-24.04")).not.toBe(ubuntuBefore);
    expect(s.release("ubuntu-24.04")).toMatch(new RegExp(`^Date: ${new Date(T0 + (2 + 5 * 24 + 1) * 3600_000).toUTCString().replace(/GMT$/, "UTC")}$`, "m"));
    s.verify(2 + 5 * 24 + 1);
    const h = 2 + 5 * 24 + 2;

    // A published index touched from outside (other bytes, or gone): made again.
    const packages = path.join(s.out, "apt/dists/ubuntu-24.04/main/binary-amd64/Packages");
    const good = readFileSync(packages);
    writeFileSync(packages, good.toString("utf8").replace("Package: beta", "Package: bet4"));
    const byHash = path.join(s.out, "apt/dists/ubuntu-24.04/main/binary-amd64/by-hash/SHA256");
    const gz = readdirSync(byHash)[0]!;
    unlinkSync(path.join(byHash, gz));
    const repaired = s.gen(h);
    expect(repaired.updated).toContain("apt/dists/ubuntu-24.04/main/binary-amd64/Packages");
    expect(readFileSync(packages).equals(good)).toBe(true);
    expect(existsSync(path.join(byHash, gz))).toBe(true);
    s.verify(h);

    // A setting the indexes show (the label) and a new signing key: every suite is made again.
    writeFileSync(s.config, readFileSync(s.config, "utf8") + 'label = "Relabelled"\n');
    const relabelled = s.gen(h + 1);
    expect(relabelled.repositories.every((r) => r.changed)).toBe(true);
    expect(s.release("ubuntu-24.04")).toMatch(/^Label: Relabelled$/m);
    rmSync(s.keys, { recursive: true });
    expect(repogen(["keygen", "--keys", s.keys]).status).toBe(0);
    const rekeyed = s.gen(h + 2);
    expect(rekeyed.updated).toEqual(expect.arrayContaining(["apt/dists/debian-12/InRelease", "apt/dists/ubuntu-24.04/InRelease"]));
    s.verify(h + 2);
  });

  it("skip the walk of the tree only while it could find nothing: a run killed halfway makes the next one look", () => {
    const s = setup();
    s.deb("alpha", "debian-12", "2026-11-20T10:00:00Z");
    s.gen(0);
    const clean = path.join(s.state, "tree-clean");
    expect(existsSync(clean)).toBe(true);
    const mark = statSync(clean).mtimeMs;
    s.gen(0.1);
    expect(statSync(clean).mtimeMs).toBe(mark);

    // A new build whose run is killed right after its first write to the tree: its pool file is
    // there, no index names it, and the record of a clean tree is gone.
    s.deb("stray", "debian-12", "2026-11-21T10:00:00Z");
    const killed = repogen(["generate", "--config", s.config, "--builds", s.builds, "--out", s.out, "--keys", s.keys, "--state", s.state, "--now", at(0.2)], {
      env: { ...process.env, REPOGEN_FAILPOINT_WRITES: "1" },
    });
    expect(killed.status, killed.stderr + killed.stdout).toBe(-1); // killed by its own failpoint
    const strayPool = path.join(s.out, "apt/pool/main/s/stray");
    expect(readdirSync(strayPool)).toHaveLength(1);
    expect(existsSync(clean)).toBe(false);
    // The build is withdrawn: the next run publishes what the last complete one did, and still walks
    // the tree, so the stray pool file starts its grace and goes after it.
    rmSync(path.join(s.builds, "stray"), { recursive: true });
    const next = s.gen(0.3);
    expect(next.repositories[0]!.changed).toBe(false);
    const dropped = JSON.parse(readFileSync(path.join(s.state, "retention.json"), "utf8")) as { dropped: Record<string, number> };
    expect(Object.keys(dropped.dropped)).toEqual([`apt/pool/main/s/stray/${readdirSync(strayPool)[0]}`]);
    expect(existsSync(clean)).toBe(true);
    // Due after grace_hours (1): the quiet run walks the tree again and removes it.
    const later = s.gen(1.5);
    expect(later.removed).toEqual([expect.stringMatching(/^apt\/pool\/main\/s\/stray\//)]);
    expect(existsSync(strayPool) ? readdirSync(strayPool) : []).toEqual([]);
    s.verify(1.5);
  });

  it("render again the pages a new build changes, its neighbours' included, and leave the others as they are", () => {
    const s = setup("keep_versions = 2\n");
    s.deb("alpha", "debian-12", "2026-11-20T10:00:00Z");
    s.deb("beta", "debian-12", "2026-11-20T10:00:00Z", "Depends: alpha\n");
    s.deb("gamma", "debian-12", "2026-11-20T10:00:00Z");
    s.gen(0);
    const dir = path.join(s.out, "packages/apt/debian-12");
    const page = (name: string) => readdirSync(path.join(dir, name)).map((f) => path.join(dir, name, f));
    // Links are URL-encoded ("+" is %2B).
    const href = (f: string) => encodeURIComponent(path.basename(f));
    const [alpha1] = page("alpha");
    const [beta] = page("beta");
    const [gamma] = page("gamma");
    const gammaMtime = statSync(gamma!).mtimeMs;
    expect(readFileSync(beta!, "utf8")).toContain(`href="../alpha/${href(alpha1!)}"`);

    s.deb("alpha", "debian-12", "2026-11-21T10:00:00Z");
    const r = s.gen(1);
    const alpha2 = page("alpha").find((f) => f !== alpha1)!;
    expect(r.added).toContain(path.relative(s.out, alpha2));
    // The older alpha lists the newer one among the versions kept; beta's Depends links to the newest alpha.
    expect(r.updated).toEqual(expect.arrayContaining([path.relative(s.out, alpha1!), path.relative(s.out, beta!), "index.html"]));
    expect(readFileSync(alpha1!, "utf8")).toContain(`href="${href(alpha2)}"`);
    expect(readFileSync(beta!, "utf8")).toContain(`href="../alpha/${href(alpha2)}"`);
    // gamma's page depends on nothing that changed: not written at all.
    expect(r.updated).not.toContain(path.relative(s.out, gamma!));
    expect(statSync(gamma!).mtimeMs).toBe(gammaMtime);

    // A page removed from the tree is written again by the next run that renders pages.
    unlinkSync(gamma!);
    s.deb("delta", "debian-12", "2026-11-22T10:00:00Z");
    expect(s.gen(2).added).toContain(path.relative(s.out, gamma!));
    expect(existsSync(gamma!)).toBe(true);
  });

  it("stop at their checks when nothing they rest on changed, and read everything again when anything did", () => {
    const s = setup();
    s.deb("alpha", "debian-12", "2026-11-20T10:00:00Z");
    s.deb("beta", "debian-12", "2026-11-20T10:00:00Z");
    type Run = { timings: Record<string, number>; published: Record<string, Array<{ name: string }>>; builds: number; rejected: unknown[] };
    const run = (hours: number) => {
      const r = repogen(["generate", "--config", s.config, "--builds", s.builds, "--out", s.out, "--keys", s.keys, "--state", s.state, "--now", at(hours), "--json"]);
      return { status: r.status, stderr: r.stderr, j: JSON.parse(r.stdout) as Run };
    };
    // A run that reads the builds has a scan stage; one that stops at its checks has none.
    const quick = (r: ReturnType<typeof run>) => r.j.timings.scan === undefined;
    const full = run(0);
    expect(quick(full)).toBe(false);
    const db = path.join(s.state, "state.sqlite");
    const dbTime = statSync(db).mtimeMs;
    const q = run(0.1);
    expect(q.status).toBe(0);
    expect(quick(q)).toBe(true);
    expect(q.j.published).toEqual(full.j.published);
    expect(q.j.builds).toBe(2);
    expect(statSync(db).mtimeMs).toBe(dbTime);

    // A new build in a job folder that is there already: its folder's mtime changes, the run reads.
    s.deb("alpha", "debian-12", "2026-11-21T10:00:00Z");
    const more = run(0.2);
    expect(quick(more)).toBe(false);
    expect(more.j.builds).toBe(3);
    expect(quick(run(0.3))).toBe(true);

    // A pool file gone: made again by a run that reads the builds.
    const pool = path.join(s.out, "apt/pool/main/b/beta");
    const [file] = readdirSync(pool);
    unlinkSync(path.join(pool, file!));
    expect(quick(run(0.4))).toBe(false);
    expect(readdirSync(pool)).toEqual([file]);
    expect(quick(run(0.5))).toBe(true);

    // A setting, a key file touched: read again.
    writeFileSync(s.config, readFileSync(s.config, "utf8") + "keep_versions = 2\n");
    expect(quick(run(0.6))).toBe(false);
    expect(quick(run(0.7))).toBe(true);
    const key = path.join(s.keys, readdirSync(s.keys).find((n) => n.endsWith(".asc"))!);
    writeFileSync(key, readFileSync(key));
    expect(quick(run(0.8))).toBe(false);
    expect(quick(run(0.9))).toBe(true);

    // A rejected build is looked at again by every run, until it goes.
    const bad = path.join(s.builds, "broken", "b1");
    mkdirSync(bad, { recursive: true });
    writeFileSync(path.join(bad, "build.json"), "{ not json");
    for (const h of [1.0, 1.1]) {
      const r = run(h);
      expect(r.status).toBe(3);
      expect(quick(r)).toBe(false);
      expect(r.j.rejected).toHaveLength(1);
    }
    rmSync(path.join(s.builds, "broken"), { recursive: true });
    expect(quick(run(1.2))).toBe(false);
    expect(quick(run(1.3))).toBe(true);
    s.verify(1.3);
  });

  it("find what a run stops naming from the last run's live paths, and what was put into the tree from outside by a walk once a day", () => {
    const s = setup();
    s.deb("alpha", "debian-12", "2026-11-20T10:00:00Z");
    s.gen(0);
    const dropped = () => Object.keys((JSON.parse(readFileSync(path.join(s.state, "retention.json"), "utf8")) as { dropped: Record<string, number> }).dropped).sort();
    const foreign = path.join(s.out, "apt/pool/main/f/foreign/foreign_1.0_amd64.deb");
    mkdirSync(path.dirname(foreign), { recursive: true });
    writeFileSync(foreign, "not ours");
    // A new version: the old one's pool file and by-hash copies start their grace; the foreign file,
    // which no run ever named, is not looked for yet.
    const oldPool = readdirSync(path.join(s.out, "apt/pool/main/a/alpha"))[0]!;
    s.deb("alpha", "debian-12", "2026-11-21T10:00:00Z");
    s.gen(1);
    expect(dropped()).toContain(`apt/pool/main/a/alpha/${oldPool}`);
    expect(dropped()).not.toContain("apt/pool/main/f/foreign/foreign_1.0_amd64.deb");
    // Past grace_hours (1): the old version goes.
    const r = s.gen(2.5);
    expect(r.removed).toContain(`apt/pool/main/a/alpha/${oldPool}`);
    expect(existsSync(foreign)).toBe(true);
    // A day after the last walk of the whole tree, a run walks it again: the foreign file starts its
    // grace, and goes after it.
    s.gen(25);
    expect(dropped()).toEqual(["apt/pool/main/f/foreign/foreign_1.0_amd64.deb"]);
    expect(s.gen(26.5).removed).toEqual(["apt/pool/main/f/foreign/foreign_1.0_amd64.deb"]);
    expect(existsSync(foreign)).toBe(false);
    s.verify(26.5);
  });
});
