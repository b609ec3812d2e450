// The state database is only a cache: whatever happens to it, the next run publishes the very tree a
// run from scratch would. Judged by comparing trees byte for byte and by the sqlite3 program.
import { describe, expect, it } from "vitest";
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync, lstatSync, cpSync } from "node:fs";
import path from "node:path";
import { CLI, listTree, must, repogen, tmp } from "../helpers.js";
import { craftDeb, readyBuild } from "../builds.js";

const NOW = "2026-11-25T12:00:00Z";

function setup(n = 30) {
  const work = tmp();
  const s = { work, builds: path.join(work, "builds"), keys: path.join(work, "keys") };
  expect(repogen(["keygen", "--keys", s.keys]).status).toBe(0);
  mkdirSync(path.join(work, "debs"));
  for (let i = 0; i < n; i++) {
    const name = `pkg${String(i).padStart(4, "0")}`;
    const f = path.join(work, "debs", `${name}_1.0-1_amd64.deb`);
    craftDeb(f, `Package: ${name}\nVersion: 1.0-1\nArchitecture: amd64\nMaintainer: A <a@example.org>\nDescription: package ${i}\n`, { README: `package ${i}\n` });
    // Two builds per job: only the newer is read and published.
    readyBuild(s.builds, { job: name, uuid: `${name}-a`, start: "2026-11-20T10:00:00Z" }, f);
    readyBuild(s.builds, { job: name, uuid: `${name}-b`, start: "2026-11-21T10:00:00Z" }, f);
  }
  return s;
}

function gen(s: { builds: string; keys: string }, out: string, state: string) {
  return repogen(["generate", "--builds", s.builds, "--out", out, "--keys", s.keys, "--state", state, "--now", NOW, "--json"]);
}

/** Every path of a tree with its kind and, for files, its bytes' digest. */
function snapshot(dir: string): string[] {
  return listTree(dir).map((p) => {
    const f = path.join(dir, p);
    const st = lstatSync(f);
    return st.isDirectory() ? `${p}/` : `${p} ${must("sha256sum", [f]).split(" ")[0]}`;
  });
}

/** A tree from scratch (fresh output, no state) over the same builds. */
function scratch(s: { work: string; builds: string; keys: string }): string[] {
  const out = path.join(s.work, `scratch-${Math.random().toString(36).slice(2)}`);
  const r = gen(s, out, `${out}-state`);
  expect(r.status, r.stderr).toBe(0);
  return snapshot(out);
}

const sqlite = (file: string, q: string) => must("sqlite3", [file, q]).trim();

describe("the state database", () => {
  it("deleted, truncated, overwritten or from an older version: rebuilt, and the tree is the one a run from scratch makes", () => {
    const s = setup();
    const out = path.join(s.work, "out");
    const state = path.join(s.work, "state");
    expect(gen(s, out, state).status).toBe(0);
    const db = path.join(state, "state.sqlite");
    expect(sqlite(db, "select count(*) from packages")).toBe("30");
    const expected = scratch(s);
    expect(snapshot(out)).toEqual(expected);
    const damages: Array<[string, () => void]> = [
      ["deleted", () => rmSync(db)],
      ["truncated", () => truncateSync(db, Math.floor(statSync(db).size / 2))],
      ["cut to one page", () => truncateSync(db, 4096)],
      ["overwritten with other bytes", () => writeFileSync(db, Buffer.alloc(statSync(db).size, 0x5a))],
      // An older schema: the rows are not read, the file is made anew.
      ["of an older schema", () => must("sqlite3", [db, "pragma user_version = 2; update packages set entry = 'Package: wrong'"])],
      // The state of versions before the database: a state.json beside no database.
      ["an older version's state.json", () => {
        rmSync(db);
        writeFileSync(path.join(state, "state.json"), JSON.stringify({ version: 2, hashes: {}, packages: { x: { name: "wrong" } }, dropped: {}, texts: {} }));
      }],
    ];
    for (const [what, damage] of damages) {
      damage();
      // The pool goes too, so that nothing of the old run is taken on trust (but not for the older
      // schema, whose wrong entries would then be made again anyway and so not show).
      if (what !== "of an older schema") rmSync(path.join(out, "apt", "pool"), { recursive: true, force: true });
      const r = gen(s, out, state);
      expect(r.status, `${what}: ${r.stderr}`).toBe(0);
      expect(snapshot(out), what).toEqual(expected);
      expect(sqlite(db, "pragma integrity_check"), what).toBe("ok");
      expect(sqlite(db, "select count(*) from packages"), what).toBe("30");
      expect(existsSync(path.join(state, "state.json")), what).toBe(false);
    }
  });

  it("the scan looks inside a job folder only when its listing changed; of a job's builds only the newest is read", () => {
    const s = setup(3);
    const out = path.join(s.work, "out");
    const state = path.join(s.work, "state");
    // An older build whose package is broken: never read, so never rejected.
    const old = path.join(s.work, "broken.deb");
    writeFileSync(old, "not a package");
    readyBuild(s.builds, { job: "pkg0000", uuid: "pkg0000-old", start: "2026-11-01T10:00:00Z" }, old);
    const first = gen(s, out, state);
    expect(first.status, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout).rejected).toEqual([]);
    // build.json of a published build is broken in place: its job folder's listing is the same, so
    // the next run does not look (builds are written once).
    const bj = path.join(s.builds, "pkg0001", "pkg0001-a", "build.json");
    writeFileSync(bj, "{ broken");
    const second = gen(s, out, state);
    expect(second.status, second.stderr).toBe(0);
    expect(JSON.parse(second.stdout).rejected).toEqual([]);
    // Once the job folder changes (a build comes or goes), its builds are read again.
    mkdirSync(path.join(s.builds, "pkg0001", "pkg0001-c"));
    const third = gen(s, out, state);
    expect(third.status).toBe(3);
    expect(JSON.parse(third.stdout).rejected.map((r: { dir: string }) => path.basename(r.dir)).sort()).toEqual(["pkg0001-a", "pkg0001-c"]);
    // The job's good build is still published.
    expect(JSON.parse(third.stdout).published["apt debian-12"].map((p: { name: string }) => p.name)).toEqual(["pkg0000", "pkg0001", "pkg0002"]);
  });

  it("a cached package whose pool file is gone is made again", () => {
    const s = setup(3);
    const out = path.join(s.work, "out");
    const state = path.join(s.work, "state");
    expect(gen(s, out, state).status).toBe(0);
    const expected = snapshot(out);
    rmSync(out, { recursive: true });
    const r = gen(s, out, state);
    expect(r.status, r.stderr).toBe(0);
    expect(snapshot(out)).toEqual(expected);
  });

  it("two runs at once: one holds the lock, the other stops with exit 4, and the database stays whole", async () => {
    const s = setup(120);
    const out = path.join(s.work, "out");
    const state = path.join(s.work, "state");
    const run = () =>
      new Promise<number>((resolve) => {
        const p = spawn(process.execPath, [CLI, "generate", "--builds", s.builds, "--out", out, "--keys", s.keys, "--state", state, "--now", NOW, "--quiet"], { stdio: "ignore" });
        p.on("exit", (code) => resolve(code ?? -1));
      });
    const codes = (await Promise.all([run(), run(), run()])).sort();
    expect(codes[0]).toBe(0);
    for (const c of codes) expect([0, 4]).toContain(c);
    expect(sqlite(path.join(state, "state.sqlite"), "pragma integrity_check")).toBe("ok");
    expect(gen(s, out, state).status).toBe(0);
    expect(snapshot(out)).toEqual(scratch(s));
  });

  it("SIGKILL while the state is being written: the next run accepts or rebuilds it, and the tree is right", async () => {
    const s = setup(400);
    const out = path.join(s.work, "out");
    const state = path.join(s.work, "state");
    const db = path.join(state, "state.sqlite");
    // A first run makes the database; the builds then change, so that the next run writes a lot.
    expect(gen(s, out, state).status).toBe(0);
    const pristine = path.join(s.work, "builds-before");
    cpSync(s.builds, pristine, { recursive: true });
    rmSync(path.join(s.builds), { recursive: true });
    cpSync(pristine, s.builds, { recursive: true }); // new inodes and mtimes: every digest is learnt again
    let caught = 0;
    for (let attempt = 0; attempt < 5 && caught === 0; attempt++) {
      if (attempt > 0) {
        rmSync(db, { force: true }); // a whole database to write again
      }
      const p = spawn(process.execPath, [CLI, "generate", "--builds", s.builds, "--out", out, "--keys", s.keys, "--state", state, "--now", NOW, "--quiet"], { stdio: "ignore" });
      const exited = new Promise<void>((r) => p.on("exit", () => r()));
      // The rollback journal exists exactly while a write transaction is open: kill it then.
      const deadline = Date.now() + 60_000;
      let done = false;
      void exited.then(() => (done = true));
      while (!done && Date.now() < deadline) {
        if (existsSync(`${db}-journal`)) {
          p.kill("SIGKILL");
          caught++;
          break;
        }
        await new Promise((r) => setImmediate(r));
      }
      await exited;
    }
    expect(caught, "the run was killed during a state write").toBe(1);
    const r = gen(s, out, state);
    expect(r.status, r.stderr).toBe(0);
    expect(sqlite(db, "pragma integrity_check")).toBe("ok");
    expect(snapshot(out)).toEqual(scratch(s));
    expect(readFileSync(path.join(out, "apt/dists/debian-12/Release"), "utf8")).toMatch(/^Suite: debian-12$/m);
  });
});
