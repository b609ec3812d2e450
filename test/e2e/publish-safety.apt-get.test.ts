// Safe publishing for cron jobs and mirrors, checked with the real apt-get: SIGKILL at random moments,
// a mirror race, two concurrent runs, and the grace period.
import { describe, expect, it } from "vitest";
import { spawn } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { CLI, ROOT, repogen, tmp } from "../helpers.js";
import { AptRoot, problems, serve } from "../apt-helpers.js";
import { craftDeb, readyBuild, treeBuild } from "../builds.js";

const NOW = new Date(Math.floor(Date.now() / 1000) * 1000).toISOString();

function setup() {
  const work = tmp("repogen-safety-");
  const s = { work, builds: path.join(work, "builds"), out: path.join(work, "out"), keys: path.join(work, "keys"), state: path.join(work, "state") };
  expect(repogen(["keygen", "--keys", s.keys]).status).toBe(0);
  return s;
}

function addDebs(builds: string, work: string, from: number, count: number, start: string): void {
  const debs = path.join(work, "debs");
  mkdirSync(debs, { recursive: true });
  for (let i = from; i < from + count; i++) {
    const name = `pkg${String(i).padStart(4, "0")}`;
    const f = path.join(debs, `${name}_1.0-1_amd64.deb`);
    craftDeb(f, `Package: ${name}\nVersion: 1.0-1\nArchitecture: amd64\nMaintainer: A <a@example.org>\nDescription: package ${i}\n`, { "data.txt": `payload ${i}\n`.repeat(200) });
    readyBuild(builds, { job: name, uuid: `b-${name}`, start }, f);
  }
}

function packageCount(out: string): number {
  return (readFileSync(path.join(out, "apt/dists/debian-12/main/binary-amd64/Packages"), "utf8").match(/^Package: /gm) ?? []).length;
}

describe("SIGKILL at random moments while publishing", () => {
  it("leaves a tree that verify and apt-get accept after every kill; the next full run publishes everything", async () => {
    const s = setup();
    addDebs(s.builds, s.work, 0, 20, "2026-11-20T10:00:00Z");
    const gen = ["generate", "--builds", s.builds, "--out", s.out, "--keys", s.keys, "--state", s.state, "--now", NOW];
    expect(repogen(gen).status).toBe(0);
    const server = await serve(path.join(s.out, "apt"));
    const apt = new AptRoot(path.join(s.work, "root"));
    apt.addSource(server.url, "debian-12", path.join(s.out, "apt/archive-keyring.gpg"));
    try {
      expect(problems(apt.apt(["update"]))).toEqual([]);
      addDebs(s.builds, s.work, 20, 300, "2026-11-21T10:00:00Z");
      // How long a complete run takes here (on a copy), so that the kills spread over all of it.
      const calOut = path.join(s.work, "cal-out");
      const calState = path.join(s.work, "cal-state");
      cpSync(s.out, calOut, { recursive: true });
      cpSync(s.state, calState, { recursive: true });
      const t0 = Date.now();
      expect(repogen(["generate", "--builds", s.builds, "--out", calOut, "--keys", s.keys, "--state", calState, "--now", NOW]).status).toBe(0);
      const duration = Date.now() - t0;
      let seed = 12345;
      const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff), seed / 0x7fffffff);
      // Kill at random moments until eight kills have landed while generate was running (a run
      // that finished first teaches us it is faster than the calibration said).
      let scale = duration;
      let landed = 0;
      for (let attempt = 0; attempt < 30 && landed < 8; attempt++) {
        const delay = 20 + Math.floor(rand() * scale * 0.95);
        const child = spawn(process.execPath, [CLI, ...gen], { stdio: "ignore" });
        const ended = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
        await new Promise((r) => setTimeout(r, delay));
        child.kill("SIGKILL");
        const code = await ended;
        if (code === null) landed++;
        else scale *= 0.7;
        const v = repogen(["verify", s.out, "--apt-keyring", path.join(s.keys, "apt-signing-key.pub.asc")]);
        expect(v.stderr.replace(/^warning:.*\n/gm, ""), `after a kill at ${delay} ms`).toBe("");
        expect(v.status).toBe(0);
        const u = apt.apt(["update"]);
        expect(u.status, u.stdout + u.stderr).toBe(0);
        expect(problems(u), `apt-get update after a kill at ${delay} ms`).toEqual([]);
      }
      expect(landed).toBe(8);
      const full = repogen(gen);
      expect(full.status, full.stderr).toBe(0);
      expect(packageCount(s.out)).toBe(320);
      expect(repogen(["verify", s.out, "--deep"]).status).toBe(0);
      const u = apt.apt(["update"]);
      expect(problems(u)).toEqual([]);
      const i = apt.install("pkg0319");
      expect(i.status, i.stdout + i.stderr).toBe(0);
      // no half-written temporary file is left behind
      const temps = readdirSync(path.join(s.out, "apt/pool/main/p"), { recursive: true }).filter((f) => String(f).includes(".tmp-"));
      expect(temps).toEqual([]);
    } finally {
      server.stop();
    }
  }, 300_000);
});

describe("a crash after every single write", () => {
  it("verify and apt-get accept the tree whichever write the run dies after", async () => {
    const s = setup();
    treeBuild(s.builds, { job: "greeter", uuid: "g1", start: "2026-11-20T10:00:00Z" }, { greeting: "one" });
    addDebs(s.builds, s.work, 0, 10, "2026-11-20T10:00:00Z");
    const base = (o: string, st: string) => ["generate", "--builds", s.builds, "--out", o, "--keys", s.keys, "--state", st, "--now", NOW];
    expect(repogen(base(s.out, s.state)).status).toBe(0);
    // the next run: a new greeter (replacing the old), five new packages
    treeBuild(s.builds, { job: "greeter", uuid: "g2", start: "2026-11-21T10:00:00Z" }, { greeting: "two" });
    addDebs(s.builds, s.work, 10, 5, "2026-11-21T10:00:00Z");
    const server = await serve(s.work);
    let n = 1;
    let completed = false;
    for (; n < 200 && !completed; n++) {
      const o = path.join(s.work, `out-${n}`);
      const st = path.join(s.work, `state-${n}`);
      cpSync(s.out, o, { recursive: true });
      cpSync(s.state, st, { recursive: true });
      const r = repogen(base(o, st), { env: { ...process.env, REPOGEN_FAILPOINT_WRITES: String(n) } });
      completed = r.status === 0;
      if (!completed) expect(r.status, r.stderr).toBe(-1); // killed by its own failpoint
      const v = repogen(["verify", o, "--apt-keyring", path.join(s.keys, "apt-signing-key.pub.asc")]);
      expect(v.stderr.replace(/^warning:.*\n/gm, ""), `crash after write ${n}`).toBe("");
      expect(v.status).toBe(0);
      if (n % 4 === 1) {
        const apt = new AptRoot(path.join(s.work, `root-${n}`));
        apt.addSource(`${server.url}/out-${n}/apt`, "debian-12", path.join(o, "apt/archive-keyring.gpg"));
        const u = apt.apt(["update"]);
        expect(problems(u), `apt-get update after a crash after write ${n}`).toEqual([]);
        expect(apt.install("greeter").status).toBe(0);
      }
    }
    server.stop();
    expect(completed).toBe(true);
    // the run writes pool files, by-hash copies, indexes, Release files, InRelease: many crash points
    expect(n).toBeGreaterThan(20);
  }, 300_000);
});

/** A server (own process) that hands out a saved InRelease and the live tree for the rest. */
async function raceServer(root: string, oldInRelease: Buffer): Promise<{ url: string; close(): void; requests(): string[] }> {
  const dir = tmp();
  const saved = path.join(dir, "InRelease");
  const log = path.join(dir, "log");
  writeFileSync(saved, oldInRelease);
  writeFileSync(log, "");
  const child = spawn(process.execPath, [path.join(ROOT, "test/support/race-server.mjs"), root, saved, log], { stdio: ["ignore", "pipe", "inherit"] });
  const port = await new Promise<string>((resolve) => child.stdout!.once("data", (d: Buffer) => resolve(d.toString().trim())));
  return { url: `http://127.0.0.1:${port}`, close: () => child.kill(), requests: () => readFileSync(log, "utf8").split("\n").filter(Boolean) };
}

describe("mirror race", () => {
  it("a client that read the old InRelease gets a consistent set after a new run (by-hash)", async () => {
    const s = setup();
    treeBuild(s.builds, { job: "greeter", uuid: "g1", start: "2026-11-20T10:00:00Z" }, { greeting: "old" });
    const gen = ["generate", "--builds", s.builds, "--out", s.out, "--keys", s.keys, "--state", s.state, "--now", NOW];
    expect(repogen(gen).status).toBe(0);
    const oldInRelease = readFileSync(path.join(s.out, "apt/dists/debian-12/InRelease"));
    // a new run replaces every index while the client is between InRelease and the indexes
    treeBuild(s.builds, { job: "greeter", uuid: "g2", start: "2026-11-21T10:00:00Z" }, { greeting: "new" });
    addDebs(s.builds, s.work, 0, 5, "2026-11-21T10:00:00Z");
    expect(repogen(gen).status).toBe(0);
    expect(readFileSync(path.join(s.out, "apt/dists/debian-12/InRelease")).equals(oldInRelease)).toBe(false);
    const srv = await raceServer(path.join(s.out, "apt"), oldInRelease);
    try {
      const apt = new AptRoot(path.join(s.work, "root"));
      apt.addSource(srv.url, "debian-12", path.join(s.out, "apt/archive-keyring.gpg"));
      const u = apt.apt(["update"]);
      expect(u.status, u.stdout + u.stderr).toBe(0);
      expect(problems(u)).toEqual([]);
      expect(srv.requests().some((r) => r.includes("/by-hash/SHA256/"))).toBe(true);
      // it sees the old state, whole: the old greeter, still in the pool during the grace period
      const i = apt.install("greeter");
      expect(i.status, i.stdout + i.stderr).toBe(0);
      const status = readFileSync(path.join(apt.root, "var/lib/dpkg/status"), "utf8");
      expect(status).toMatch(/^Version: 1\.0\.0-0-g0000000-20261120100000-/m);
      // the same race without by-hash is what breaks clients: the test could fail
      const apt2 = new AptRoot(path.join(s.work, "root2"));
      apt2.addSource(srv.url, "debian-12", path.join(s.out, "apt/archive-keyring.gpg"));
      const bad = apt2.apt(["update", "-o", "Acquire::By-Hash=no"]);
      expect(problems(bad).length).toBeGreaterThan(0);
    } finally {
      srv.close();
    }
  }, 120_000);
});

describe("two concurrent runs", () => {
  it("the second exits 4 naming the holder's pid; the tree stays whole", async () => {
    const s = setup();
    addDebs(s.builds, s.work, 0, 300, "2026-11-20T10:00:00Z");
    const gen = ["generate", "--builds", s.builds, "--out", s.out, "--keys", s.keys, "--state", s.state, "--now", NOW];
    const first = spawn(process.execPath, [CLI, ...gen], { stdio: "ignore" });
    const firstDone = new Promise<number | null>((r) => first.on("exit", (c) => r(c)));
    const lock = path.join(s.state, "lock");
    for (let i = 0; i < 200 && !existsSync(lock); i++) await new Promise((r) => setTimeout(r, 10));
    expect(existsSync(lock)).toBe(true);
    const second = repogen(gen);
    expect(second.status).toBe(4);
    expect(second.stderr.trim().split("\n")).toHaveLength(1);
    expect(second.stderr).toContain(`pid ${first.pid}`);
    expect(await firstDone).toBe(0);
    expect(packageCount(s.out)).toBe(300);
    expect(repogen(["verify", s.out]).status).toBe(0);
  }, 120_000);

  it("a lock left by a killed run is taken over", () => {
    const s = setup();
    addDebs(s.builds, s.work, 0, 2, "2026-11-20T10:00:00Z");
    mkdirSync(s.state, { recursive: true });
    writeFileSync(path.join(s.state, "lock"), "999999\n");
    const r = repogen(["generate", "--builds", s.builds, "--out", s.out, "--keys", s.keys, "--state", s.state, "--now", NOW]);
    expect(r.status, r.stderr).toBe(0);
    expect(existsSync(path.join(s.state, "lock"))).toBe(false);
  });
});

describe("grace period", () => {
  it("a replaced package's file stays right after the run that dropped it and goes after grace_hours", () => {
    const s = setup();
    const t0 = Date.parse(NOW);
    const at = (h: number) => new Date(t0 + h * 3600_000).toISOString();
    const gen = (h: number) => repogen(["generate", "--builds", s.builds, "--out", s.out, "--keys", s.keys, "--state", s.state, "--now", at(h)]);
    treeBuild(s.builds, { job: "greeter", uuid: "g1", start: "2026-11-20T10:00:00Z" }, { greeting: "one" });
    expect(gen(0).status).toBe(0);
    const pool = path.join(s.out, "apt/pool/main/g/greeter");
    const [first] = readdirSync(pool);
    const oldByHash = readdirSync(path.join(s.out, "apt/dists/debian-12/main/binary-amd64/by-hash/SHA256"));
    treeBuild(s.builds, { job: "greeter", uuid: "g2", start: "2026-11-21T10:00:00Z" }, { greeting: "two" });
    expect(gen(1).status).toBe(0);
    expect(readdirSync(pool)).toHaveLength(2);
    expect(readdirSync(pool)).toContain(first);
    expect(gen(48).status).toBe(0); // 47 hours after the drop: still there
    expect(readdirSync(pool)).toContain(first);
    const g = repogen(["generate", "--builds", s.builds, "--out", s.out, "--keys", s.keys, "--state", s.state, "--now", at(49.5), "--json"]);
    expect(g.status).toBe(0);
    expect(readdirSync(pool)).toHaveLength(1);
    expect(readdirSync(pool)).not.toContain(first);
    const summary = JSON.parse(g.stdout) as { removed: string[] };
    expect(summary.removed).toContain(`apt/pool/main/g/greeter/${first}`);
    // old by-hash copies went too; the current ones (those the Release lists) stay
    const nowByHash = readdirSync(path.join(s.out, "apt/dists/debian-12/main/binary-amd64/by-hash/SHA256"));
    const release = readFileSync(path.join(s.out, "apt/dists/debian-12/Release"), "utf8");
    const dropped = oldByHash.filter((h) => !release.includes(h));
    expect(dropped.length).toBeGreaterThanOrEqual(3);
    for (const h of dropped) expect(nowByHash).not.toContain(h);
    for (const h of nowByHash) expect(release).toContain(h);
    expect(repogen(["verify", s.out, "--now", at(49.5)]).status).toBe(0);
  });
});
