// `repogen watch`: the resident publisher, run as a process (signals, SIGKILL, the lock) and in-process
// with an injected clock (re-signing). Judged by the indexes, `repogen verify` and gpgv's Valid-Until.
import { describe, expect, it, beforeAll, afterAll } from "vitest";
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, openSync, readFileSync, renameSync, writeFileSync, writeSync, closeSync } from "node:fs";
import path from "node:path";
import { CLI, pseudoRandom, repogen, tmp } from "../helpers.js";
import { craftDeb, sha256File } from "../builds.js";
import { Watcher } from "../../src/commands/watch.js";
import { pipelineOptions } from "../../src/commands/generate.js";
import { loadConfig } from "../../src/config.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, fn: () => boolean, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!fn()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

interface Site {
  work: string;
  config: string;
  builds: string;
  out: string;
  state: string;
}

function site(validDays = 14): Site {
  const work = tmp("repogen-watch-");
  const s = { work, config: path.join(work, "repogen.toml"), builds: path.join(work, "builds"), out: path.join(work, "public"), state: path.join(work, "state") };
  mkdirSync(s.builds);
  const k = repogen(["keygen", "--keys", path.join(work, "keys"), "--name", "Watch Test", "--email", "watch@example.org"]);
  if (k.status !== 0) throw new Error(k.stderr);
  writeFileSync(
    s.config,
    `builds = "builds"\noutput = "public"\nkeys = "keys"\nstate = "state"\nbase_url = "http://127.0.0.1:1"\norigin = "watchtest"\nlabel = "Watch test"\ndescription = "watch test"\nvalid_days = ${validDays}\n`,
  );
  return s;
}

/** A finished build, assembled beside its place and renamed in (as a careful producer does). */
function drop(s: Site, job: string, uuid: string, extra: Record<string, string | Buffer> = {}): void {
  const tmpDir = path.join(s.builds, `.${job}-${uuid}`);
  mkdirSync(tmpDir, { recursive: true });
  const deb = path.join(tmpDir, `${job}.deb`);
  craftDeb(deb, `Package: ${job}\nVersion: 1.0.0\nArchitecture: amd64\nMaintainer: T <t@example.org>\nDescription: ${job}\n test\n`, extra);
  writeFileSync(path.join(tmpDir, "build.json"), buildJson(job, uuid, sha256File(deb)));
  mkdirSync(path.join(s.builds, job), { recursive: true });
  renameSync(tmpDir, path.join(s.builds, job, uuid));
}

function buildJson(job: string, uuid: string, sha: string): string {
  return JSON.stringify({ job, uuid, platform: "debian-12", arch: "amd64", start: "2026-11-20T10:00:00Z", finish: "2026-11-20T10:01:00Z", result: "success", main_binary: `${job}.deb`, artifacts: [{ path: `${job}.deb`, sha256: sha }] });
}

function packages(s: Site): string {
  try {
    return readFileSync(path.join(s.out, "apt/dists/debian-12/main/binary-amd64/Packages"), "utf8");
  } catch {
    return "";
  }
}

class WatchProcess {
  readonly child: ChildProcess;
  log = "";
  exit: Promise<{ code: number | null; signal: string | null }>;
  constructor(s: Site, extra: string[] = []) {
    this.child = spawn(process.execPath, [CLI, "watch", "--config", s.config, "--stable", "1000", ...extra], { stdio: ["ignore", "ignore", "pipe"] });
    this.child.stderr!.on("data", (d) => (this.log += String(d)));
    this.exit = new Promise((r) => this.child.on("exit", (code, signal) => r({ code, signal })));
  }
}

function verify(s: Site): { status: number; text: string } {
  const r = repogen(["verify", s.out]);
  return { status: r.status, text: r.stdout + r.stderr };
}

describe("repogen watch", () => {
  const running: WatchProcess[] = [];
  const start = async (s: Site, extra: string[] = []) => {
    const w = new WatchProcess(s, extra);
    running.push(w);
    await until("watch to start", () => /^\d+ builds published, \d+ rejected, \d+ kept out$/m.test(w.log) && existsSync(path.join(s.state, "lock")));
    return w;
  };
  afterAll(() => {
    for (const w of running.splice(0)) if (w.child.exitCode === null) w.child.kill("SIGKILL");
  });

  let s: Site;
  let w: WatchProcess;
  beforeAll(() => {
    s = site();
  });

  it("publishes a build dropped into the folder, logging one plain line for it", async () => {
    w = await start(s);
    drop(s, "alpha", "u-1");
    await until("alpha in Packages", () => /^Package: alpha$/m.test(packages(s)), 8000).catch((e) => { throw new Error(e.message + "\n" + w.log); });
    await until("its log line", () => /^published alpha\/u-1 as alpha 1\.0\.0-0-g0000000-20261120100000-[0-9a-f]{64} \(amd64\) in apt debian-12$/m.test(w.log));
    expect(w.log).not.toMatch(/\x1b\[/); // no colours or progress bars for journald
    expect(verify(s).status).toBe(0);
  });

  it("holds the lock: a cron generate exits 4, and a hook hands its build over", async () => {
    const g = repogen(["generate", "--config", s.config]);
    expect(g.status).toBe(4);
    const deb = path.join(s.work, "handed.deb");
    craftDeb(deb, `Package: handed\nVersion: 1.0.0\nArchitecture: amd64\nMaintainer: T <t@example.org>\nDescription: h\n h\n`);
    const sha = sha256File(deb);
    const h = repogen(["hook", "--config", s.config, "--build-time=20261121000000", `--sha256=${sha}`, "--job=handed", "--uuid=u-h", "--platform=debian-12", "--main-binary-filepath=bin/handed.deb", deb, "--json", "--wait=60"]);
    expect(h.status, h.stderr).toBe(0);
    const j = JSON.parse(h.stdout);
    expect(j.status).toBe("published");
    expect(j.runs).toBe(0); // watch published it
    expect(packages(s)).toMatch(/^Package: handed$/m);
  });

  it("takes a build copied in slowly only once it is whole, and ten builds at once", async () => {
    const dir = path.join(s.builds, "slow", "u-slow");
    mkdirSync(dir, { recursive: true });
    const big = pseudoRandom(3 << 20, "slow");
    const deb = path.join(s.work, "slow.deb");
    craftDeb(deb, `Package: slow\nVersion: 1.0.0\nArchitecture: amd64\nMaintainer: T <t@example.org>\nDescription: slow\n slow\n`, { "blob.bin": big });
    const bytes = readFileSync(deb);
    const fd = openSync(path.join(dir, "slow.deb"), "w");
    for (let i = 0; i < 8; i++) {
      writeSync(fd, bytes.subarray((i * bytes.length) / 8, ((i + 1) * bytes.length) / 8));
      await sleep(60);
    }
    closeSync(fd);
    const json = buildJson("slow", "u-slow", sha256File(deb));
    writeFileSync(path.join(dir, "build.json"), json.slice(0, 40));
    await sleep(150);
    writeFileSync(path.join(dir, "build.json"), json);
    for (let i = 0; i < 10; i++) drop(s, `ten${i}`, `u-${i}`);
    await until("slow and the ten in Packages", () => {
      const p = packages(s);
      return /^Package: slow$/m.test(p) && [...Array(10).keys()].every((i) => new RegExp(`^Package: ten${i}$`, "m").test(p));
    });
    expect(w.log).not.toMatch(/rejected slow\//);
    expect(verify(s).status).toBe(0);
  });

  it("stops on SIGTERM with exit 0, the tree whole and the lock released", async () => {
    drop(s, "late", "u-late");
    await sleep(30); // most likely in the middle of the run for it
    w.child.kill("SIGTERM");
    const e = await w.exit;
    expect(e.code).toBe(0);
    expect(w.log).toMatch(/^SIGTERM: stopping$/m);
    expect(existsSync(path.join(s.state, "lock"))).toBe(false);
    const v = verify(s);
    expect(v.status, v.text).toBe(0);
  });

  it("survives SIGKILL: the next start finishes the job and verify passes", async () => {
    const w2 = await start(s);
    for (let i = 0; i < 5; i++) drop(s, `killed${i}`, `u-${i}`, { "data.bin": pseudoRandom(200_000, `k${i}`) });
    await sleep(120);
    w2.child.kill("SIGKILL");
    await w2.exit;
    const w3 = await start(s); // takes the dead holder's lock over
    await until("the killed run's builds", () => [...Array(5).keys()].every((i) => new RegExp(`^Package: killed${i}$`, "m").test(packages(s))) && /^Package: late$/m.test(packages(s)));
    const v = verify(s);
    expect(v.status, v.text).toBe(0);
    w3.child.kill("SIGTERM");
    expect((await w3.exit).code).toBe(0);
  }, 120_000);
});

describe("repogen watch re-signing (injected clock)", () => {
  it("re-signs the Release files once less than half of valid_days is left, not before", async () => {
    const s = site(2);
    drop(s, "signed", "u-1");
    let now = Date.parse("2026-12-01T00:00:00Z");
    const config = loadConfig(s.config);
    const lines: string[] = [];
    const w = new Watcher({ config, clock: () => new Date(now), log: (_p, l) => lines.push(l), pipeline: (at) => pipelineOptions(config, at, undefined, () => undefined), rescanMs: 3_600_000, resignCheckMs: 3_600_000 });
    await w.start();
    try {
      const inRelease = () => readFileSync(path.join(s.out, "apt/dists/debian-12/InRelease"), "utf8");
      const validUntil = () => /^Valid-Until: (.*)$/m.exec(inRelease())![1];
      const first = inRelease();
      expect(validUntil()).toBe("Thu, 03 Dec 2026 00:00:00 UTC");
      now += 0.9 * 86400_000; // more than half the validity left: nothing to do
      await w.checkResign();
      expect(inRelease()).toBe(first);
      now += 0.2 * 86400_000; // 1.1 days in: less than half of 2 days left
      await w.checkResign();
      expect(validUntil()).toBe("Fri, 04 Dec 2026 02:24:00 UTC");
      expect(lines.some((l) => /^re-signing: /.test(l))).toBe(true);
      const v = repogen(["verify", s.out, "--now", new Date(now + 2 * 86400_000 - 60_000).toISOString()]);
      expect(v.status, v.stdout + v.stderr).toBe(0);
    } finally {
      await w.stop();
    }
    expect(existsSync(path.join(s.state, "lock"))).toBe(false);
  });
});
