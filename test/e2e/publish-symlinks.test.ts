// A symbolic link planted inside the output tree is never written through: the run refuses it,
// naming the path, and what the link points to stays exactly as it was.
import { describe, expect, it } from "vitest";
import { cpSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, lstatSync } from "node:fs";
import path from "node:path";
import { createHash } from "node:crypto";
import { repogen, tmp } from "../helpers.js";
import { craftDeb, readyBuild } from "../builds.js";

const NOW = "2026-11-25T12:00:00Z";

function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of readdirSync(dir, { recursive: true }).map(String).sort()) {
    const p = path.join(dir, f);
    const st = lstatSync(p);
    out[f] = st.isFile() ? createHash("sha256").update(readFileSync(p)).digest("hex") : st.isDirectory() ? "dir" : "other";
  }
  return out;
}

function setup() {
  const work = tmp("repogen-symlinks-");
  const s = { work, builds: path.join(work, "builds"), out: path.join(work, "out"), keys: path.join(work, "keys"), state: path.join(work, "state"), victim: path.join(work, "victim") };
  expect(repogen(["keygen", "--keys", s.keys]).status).toBe(0);
  mkdirSync(s.victim);
  return s;
}

function addDeb(s: ReturnType<typeof setup>, name: string, start: string): void {
  const f = path.join(s.work, `${name}_1.0-1_amd64.deb`);
  craftDeb(f, `Package: ${name}\nVersion: 1.0-1\nArchitecture: amd64\nMaintainer: A <a@example.org>\nDescription: package ${name}\n`, { "data.txt": `payload ${name}\n` });
  readyBuild(s.builds, { job: name, uuid: `b-${name}`, start }, f);
}

const gen = (s: ReturnType<typeof setup>) => repogen(["generate", "--builds", s.builds, "--out", s.out, "--keys", s.keys, "--state", s.state, "--now", NOW]);

/** Moves a folder of the tree into the victim folder and leaves a link to it in its place. */
function plantFolder(s: ReturnType<typeof setup>, rel: string): string {
  const from = path.join(s.out, rel);
  const to = path.join(s.victim, path.basename(rel));
  cpSync(from, to, { recursive: true });
  rmSync(from, { recursive: true });
  symlinkSync(to, from);
  return from;
}

const SUITE = "apt/dists/debian-12";
const cases: Array<[string, (s: ReturnType<typeof setup>) => string]> = [
  ["a pool letter folder", (s) => plantFolder(s, "apt/pool/main/w")],
  ["a dists/SUITE folder", (s) => plantFolder(s, SUITE)],
  ["a by-hash folder", (s) => plantFolder(s, `${SUITE}/main/binary-amd64/by-hash`)],
  ["the pool package folder", (s) => plantFolder(s, "apt/pool/main/w/wasp")],
  [
    "an index file itself",
    (s) => {
      const from = path.join(s.out, `${SUITE}/main/binary-amd64/Packages`);
      const to = path.join(s.victim, "Packages");
      renameSync(from, to);
      symlinkSync(to, from);
      return from;
    },
  ],
  [
    "a pool file itself",
    (s) => {
      // the package the next run adds: its pool name (from a dry run) is taken by a link first
      addDeb(s, "wren", "2026-11-21T10:00:00Z");
      const dry = repogen(["generate", "--builds", s.builds, "--out", s.out, "--keys", s.keys, "--state", s.state, "--now", NOW, "--dry-run", "--json"]);
      const rel = (JSON.parse(dry.stdout) as { added: string[] }).added.find((f) => f.startsWith("apt/pool/main/w/wren/"))!;
      mkdirSync(path.join(s.out, path.dirname(rel)), { recursive: true });
      const from = path.join(s.out, rel);
      symlinkSync(path.join(s.victim, "wren.deb"), from);
      return from;
    },
  ],
];

describe("links planted inside the output tree", () => {
  it.each(cases)("%s: the next run refuses it by name and writes nothing through it", (_what, plant) => {
    const s = setup();
    addDeb(s, "wasp", "2026-11-20T10:00:00Z");
    addDeb(s, "ant", "2026-11-20T10:00:00Z");
    expect(gen(s).status).toBe(0);
    const link = plant(s);
    const before = snapshot(s.victim);
    addDeb(s, "wren", "2026-11-21T10:00:00Z");
    addDeb(s, "wolf", "2026-11-21T10:00:00Z");
    const r = gen(s);
    // Refused: either the build that needs the path is rejected (exit 3) or the run stops (exit 2).
    expect([2, 3]).toContain(r.status);
    expect(r.stderr).toContain(link);
    expect(r.stderr).toMatch(/symbolic link/);
    expect(snapshot(s.victim)).toEqual(before);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
  });

  it("a link outside the tree's own folders (the output root itself) is the operator's choice and works", () => {
    const s = setup();
    const real = path.join(s.work, "real-out");
    mkdirSync(real);
    symlinkSync(real, s.out);
    addDeb(s, "wasp", "2026-11-20T10:00:00Z");
    expect(gen(s).status).toBe(0);
    expect(readdirSync(path.join(real, "apt/pool/main/w/wasp"))).toEqual([expect.stringMatching(/^wasp_1\.0-1.*_amd64\.deb$/)]);
  });
});
