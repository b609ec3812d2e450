// verify against the real tools: the same verdicts as gpgv on cleartext signatures with trailing
// whitespace, never a read outside the target, bounded fetches over http (a server that never
// answers, one that never stops sending), and a real debmirror copy (no by-hash folders).
import { describe, expect, it, beforeAll, afterAll } from "vitest";
import { spawn, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { closeSync, cpSync, existsSync, openSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { must, repogen, sh, tmp } from "../helpers.js";
import { AptRoot, freePort, problems, serve, type Server } from "../apt-helpers.js";
import { craftDeb, readyBuild } from "../builds.js";

const NOW = new Date(Math.floor(Date.now() / 1000) * 1000).toISOString();
const SUITE = "debian-12";
const sha256 = (b: Buffer) => createHash("sha256").update(b).digest("hex");

let work: string, out: string, keys: string, keyring: string;

beforeAll(() => {
  work = tmp("repogen-verify-bounds-");
  out = path.join(work, "out");
  keys = path.join(work, "keys");
  const builds = path.join(work, "builds");
  expect(repogen(["keygen", "--keys", keys]).status).toBe(0);
  const debs = path.join(work, "debs");
  mkdirSync(debs, { recursive: true });
  for (const name of ["alpha", "beta"]) {
    const f = path.join(debs, `${name}_1.0-1_amd64.deb`);
    craftDeb(f, `Package: ${name}\nVersion: 1.0-1\nArchitecture: amd64\nMaintainer: A <a@example.org>\nDescription: package ${name}\n`, { "payload.txt": `${name}\n` });
    readyBuild(builds, { job: name, uuid: "1", start: "2026-11-20T10:00:00Z" }, f);
  }
  const r = repogen(["generate", "--builds", builds, "--out", out, "--keys", keys, "--state", path.join(work, "state"), "--now", NOW]);
  expect(r.status, r.stderr).toBe(0);
  keyring = path.join(out, "apt/archive-keyring.gpg");
});

function copyTree(name: string): string {
  const d = path.join(work, name);
  cpSync(out, d, { recursive: true, verbatimSymlinks: true });
  return d;
}

const verify = (target: string, extra: string[] = []) => repogen(["verify", target, "--apt-keyring", keyring, ...extra]);
/** The problem lines of a verify run (its warnings aside). */
const problemLines = (r: { stderr: string }) => r.stderr.split("\n").filter((l) => l && !l.startsWith("warning:"));

/** Re-signs a suite whose Release text changed, with the tree's own key and gpg (as its operator could). */
async function resign(tree: string, release: string): Promise<void> {
  const home = path.join(work, "gnupg");
  if (!existsSync(home)) {
    mkdirSync(home, { mode: 0o700 });
    must("gpg", ["--homedir", home, "--batch", "--quiet", "--import", path.join(keys, "apt-signing-key.asc")]);
  }
  const dist = path.join(tree, "apt/dists", SUITE);
  const gpg = (args: string[]) => must("gpg", ["--homedir", home, "--batch", "--quiet", "--yes", "--digest-algo", "SHA512", ...args]);
  writeFileSync(path.join(dist, "Release"), release);
  gpg(["--armor", "--detach-sign", "-o", path.join(dist, "Release.gpg"), path.join(dist, "Release")]);
  gpg(["--clearsign", "-o", path.join(dist, "InRelease"), path.join(dist, "Release")]);
}

/** Replaces the suite's Packages with `text` (uncompressed only) and re-signs. */
async function withPackages(tree: string, text: string): Promise<void> {
  const dist = path.join(tree, "apt/dists", SUITE);
  const bin = path.join(dist, "main/binary-amd64");
  for (const f of readdirSync(bin)) if (f.startsWith("Packages")) rmSync(path.join(bin, f));
  const data = Buffer.from(text);
  writeFileSync(path.join(bin, "Packages"), data);
  mkdirSync(path.join(bin, "by-hash/SHA256"), { recursive: true });
  writeFileSync(path.join(bin, "by-hash/SHA256", sha256(data)), data);
  const release = readFileSync(path.join(dist, "Release"), "utf8");
  const lines = release.split("\n").filter((l) => !/ main\/binary-amd64\/Packages/.test(l));
  const i = lines.indexOf("SHA256:");
  lines.splice(i + 1, 0, ` ${sha256(data)} ${String(data.length).padStart(16)} main/binary-amd64/Packages`);
  await resign(tree, lines.join("\n"));
}

describe("cleartext signatures: the same verdict as gpgv", () => {
  it("trailing spaces, tabs and CRs are not part of the signed text; any other change is", async () => {
    const inrel = readFileSync(path.join(out, "apt/dists", SUITE, "InRelease"), "utf8");
    const bodyStart = inrel.indexOf("\n\n") + 2;
    const sigStart = inrel.indexOf("-----BEGIN PGP SIGNATURE-----");
    const head = inrel.slice(0, bodyStart);
    const body = inrel.slice(bodyStart, sigStart);
    const tail = inrel.slice(sigStart);
    const mutations: Array<[string, (b: string) => string]> = [
      ["trailing spaces on every line", (b) => b.replace(/\n/g, "   \n")],
      ["a trailing tab on the Origin line", (b) => b.replace(/^(Origin: .*)$/m, "$1\t")],
      ["trailing spaces and tabs on the SHA256 lines", (b) => b.replace(/^( [0-9a-f]{64} .*)$/gm, "$1 \t ")],
      ["a trailing space after SHA256:", (b) => b.replace(/^SHA256:$/m, "SHA256: ")],
      ["CRLF line ends", (b) => b.replace(/\n/g, "\r\n")],
      ["a changed letter", (b) => b.replace(/^Origin: (.)/m, (_m, c: string) => `Origin: ${c === "x" ? "y" : "x"}`)],
      ["a space inside a line", (b) => b.replace(/^Suite: /m, "Suite:  ")],
      ["a leading space on a field", (b) => b.replace(/^Date:/m, " Date:")],
      ["a line removed", (b) => b.replace(/^Origin: .*\n/m, "")],
    ];
    const server = await serve(work);
    try {
      for (const [name, change] of mutations) {
        const tree = copyTree(`ws-${mutations.findIndex((m) => m[0] === name)}`);
        const f = path.join(tree, "apt/dists", SUITE, "InRelease");
        const changed = head + change(body) + tail;
        expect(changed, name).not.toBe(inrel);
        writeFileSync(f, changed);
        const gpgv = sh("gpgv", ["--keyring", keyring, f]).status === 0;
        const v = verify(tree);
        const ours = !problemLines(v).some((l) => /InRelease: signature does not verify/.test(l));
        if (process.env.REPOGEN_TEST_VERBOSE) console.log(`${name}: gpgv ${gpgv ? "good" : "bad"}, verify ${ours ? "good" : "bad"}`);
        expect(ours, `${name}: gpgv says ${gpgv ? "good" : "bad"}; verify: ${v.stderr}`).toBe(gpgv);
        // where the signature holds, the rest of the tree is consistent and verify says so
        if (gpgv && /trailing/.test(name)) {
          expect(v.status, `${name}: ${v.stderr}`).toBe(0);
          // and apt agrees
          const apt = new AptRoot(path.join(work, `root-${mutations.findIndex((m) => m[0] === name)}`));
          apt.addSource(`${server.url}/${path.basename(tree)}/apt`, SUITE, keyring);
          const u = apt.apt(["update"]);
          expect(problems(u), `${name}: apt-get update`).toEqual([]);
          expect(apt.install("alpha").status, name).toBe(0);
        }
        if (!gpgv) expect(v.status, name).toBe(1);
      }
    } finally {
      server.stop();
    }
  }, 120_000);
});

describe("never a read outside the target", () => {
  it("refuses a Filename or a Release path with .., an absolute one, and a symlink out of a folder tree", async () => {
    // a file outside the tree that an unguarded verify would find and accept, even with --deep
    const secret = Buffer.from("secret outside the tree\n");
    writeFileSync(path.join(work, "secret"), secret);
    const packages = readFileSync(path.join(out, "apt/dists", SUITE, "main/binary-amd64/Packages"), "utf8");
    const para = (filename: string) =>
      `Package: escape\nVersion: 1\nArchitecture: amd64\nMaintainer: A <a@example.org>\nDescription: x\nFilename: ${filename}\nSize: ${secret.length}\nSHA256: ${sha256(secret)}\n`;
    for (const [i, filename] of ["../../secret", "pool/../../../secret", path.join(work, "secret")].entries()) {
      const tree = copyTree(`escape-${i}`);
      await withPackages(tree, `${packages}\n${para(filename)}`);
      expect(sh("gpgv", ["--keyring", keyring, path.join(tree, "apt/dists", SUITE, "InRelease")]).status).toBe(0);
      for (const target of [tree]) {
        const v = verify(target, ["--deep"]);
        expect(v.status, v.stderr).toBe(1);
        expect(problemLines(v), filename).toEqual([expect.stringMatching(new RegExp(`escape has Filename "${filename.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}", which holds .*not read`))]);
      }
    }
    // a pool file that is a symlink to the file outside
    const tree = copyTree("escape-link");
    await withPackages(tree, `${packages}\n${para("pool/main/e/escape/escape_1_amd64.deb")}`);
    mkdirSync(path.join(tree, "apt/pool/main/e/escape"), { recursive: true });
    symlinkSync(path.join(work, "secret"), path.join(tree, "apt/pool/main/e/escape/escape_1_amd64.deb"));
    const v = verify(tree, ["--deep"]);
    expect(v.status).toBe(1);
    expect(problemLines(v)[0]).toMatch(/escape_1_amd64\.deb: refused: a symlink leads out of the tree/);
    // a Release that lists a path out of the tree
    const tree2 = copyTree("escape-release");
    const rel = readFileSync(path.join(tree2, "apt/dists", SUITE, "Release"), "utf8").replace(/^SHA256:\n/m, `SHA256:\n ${sha256(secret)} ${secret.length} ../../../secret\n`);
    await resign(tree2, rel);
    const v2 = verify(tree2);
    expect(v2.status).toBe(1);
    expect(problemLines(v2)).toEqual([expect.stringMatching(/InRelease: lists "\.\.\/\.\.\/\.\.\/secret", which holds "\.\."; not read/)]);
  }, 60_000);

  it("over http, asks the server for no name with .. and no absolute name", async () => {
    const tree = copyTree("escape-http");
    const packages = readFileSync(path.join(out, "apt/dists", SUITE, "main/binary-amd64/Packages"), "utf8");
    await withPackages(tree, `${packages}\nPackage: escape\nVersion: 1\nArchitecture: amd64\nMaintainer: A <a@example.org>\nDescription: x\nFilename: ../../../etc/hostname\nSize: 1\nSHA256: ${"0".repeat(64)}\n`);
    const port = await freePort();
    const log = path.join(work, "http.log");
    // python's http.server logs every request on stderr: straight into a file, unbuffered
    const fd = openSync(log, "w");
    const child = spawn("python3", ["-u", "-m", "http.server", String(port), "--bind", "127.0.0.1", "--directory", tree], { stdio: ["ignore", "ignore", fd] });
    closeSync(fd);
    try {
      await waitForPort(port);
      const v = verify(`http://127.0.0.1:${port}`);
      expect(v.status).toBe(1);
      expect(problemLines(v)).toEqual([expect.stringMatching(/escape has Filename "\.\.\/\.\.\/\.\.\/etc\/hostname", which holds "\.\."; not read/)]);
    } finally {
      child.kill();
    }
    const requested = readFileSync(log, "utf8").split("\n").filter((l) => /"(GET|HEAD) /.test(l));
    expect(requested.length).toBeGreaterThan(3);
    expect(requested.filter((l) => /hostname|\.\./.test(l))).toEqual([]);
  }, 60_000);
});

async function waitForPort(port: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const r = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(500) }).then(
      () => true,
      (e: Error) => !/ECONNREFUSED/.test(String((e as { cause?: unknown }).cause ?? e)),
    );
    if (r) return;
    await new Promise((res) => setTimeout(res, 50));
  }
  throw new Error(`nothing listens on ${port}`);
}

/** A hostile server in its own process (verify runs synchronously in the test); it stops itself after 120 s. */
function hostile(kind: "silent" | "endless" | "drip"): Promise<{ url: string; child: ChildProcess }> {
  const script = `
const http = require("node:http"), net = require("node:net");
setTimeout(() => process.exit(0), 120000).unref();
const kind = ${JSON.stringify(kind)};
let srv;
if (kind === "silent") srv = net.createServer((s) => { s.on("error", () => {}); });
else srv = http.createServer((req, res) => {
  if (req.url.endsWith("/")) { res.writeHead(200, { "content-type": "text/html" }); res.end(req.url === "/apt/dists/" ? '<a href="${SUITE}/">${SUITE}/</a>' : ""); return; }
  if (!req.url.endsWith("/InRelease")) { res.writeHead(404); res.end(); return; }
  res.writeHead(200);
  res.on("error", () => {});
  const chunk = Buffer.alloc(1 << 16, 0x41);
  if (kind === "drip") { const t = setInterval(() => res.write("A"), 200); res.on("close", () => clearInterval(t)); return; }
  let sent = 0;
  const pump = () => { while (!res.destroyed && sent < 64 * 1024 * 1024 * 1024) { sent += chunk.length; if (!res.write(chunk)) return res.once("drain", pump); } };
  pump();
});
srv.listen(0, "127.0.0.1", () => process.stdout.write(srv.address().port + "\\n"));
`;
  const child = spawn(process.execPath, ["-e", script], { stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((resolve, reject) => {
    child.stdout!.once("data", (d: Buffer) => resolve({ url: `http://127.0.0.1:${String(d).trim()}`, child }));
    child.once("exit", () => reject(new Error("the hostile server ended before it listened")));
  });
}

describe("bounded fetches over http", () => {
  const cases: Array<["silent" | "endless" | "drip", RegExp]> = [
    ["silent", /no complete answer within 2 s \(--timeout\); stopped/],
    ["endless", /InRelease: larger than the 16 MiB a file of this kind may be; not read/],
    ["drip", /InRelease: no complete answer within 2 s \(--timeout\); stopped/],
  ];
  for (const [kind, re] of cases) {
    it(`a server that ${kind === "silent" ? "never answers" : kind === "endless" ? "never stops sending" : "sends a byte now and then"}: one clear line, exit 1`, async () => {
      const { url, child } = await hostile(kind);
      try {
        const v = repogen(["verify", url, "--apt-keyring", keyring, "--timeout", "2", "--max-time", "30"], { timeout: 60_000 });
        expect(v.status, v.stderr).toBe(1);
        expect(problemLines(v), v.stderr).toEqual([expect.stringMatching(re)]);
        expect(v.stdout).toMatch(/^NOT consistent/);
      } finally {
        child.kill();
      }
    }, 90_000);
  }

  it("the overall time-out ends a check that each request alone would not", async () => {
    const { url, child } = await hostile("drip");
    try {
      const v = repogen(["verify", url, "--apt-keyring", keyring, "--timeout", "60", "--max-time", "2"], { timeout: 60_000 });
      expect(v.status).toBe(1);
      expect(problemLines(v)).toEqual([expect.stringMatching(/InRelease: verify ran out of its 2 s overall time-out \(--max-time\) here; stopped/)]);
    } finally {
      child.kill();
    }
  }, 90_000);
});

describe("a mirror without by-hash (debmirror)", () => {
  let server: Server;
  afterAll(() => server?.stop());

  it("a real debmirror copy passes with one warning; a by-hash copy present and wrong is still an error", async () => {
    server = await serve(out);
    const port = new URL(server.url).port;
    const mirror = path.join(work, "mirror");
    const dm = sh(
      "debmirror",
      [
        `--keyring=${keyring}`, "--method=http", `--host=127.0.0.1:${port}`, "--root=apt", `--dist=${SUITE}`, "--arch=amd64", "--section=main",
        "--nosource", "--rsync-extra=none", path.join(mirror, "apt"),
      ],
      { env: { ...process.env, HOME: work } },
    );
    expect(dm.status, dm.stdout + dm.stderr).toBe(0);
    const dist = path.join(mirror, "apt/dists", SUITE);
    expect(existsSync(path.join(dist, "InRelease")) || existsSync(path.join(dist, "Release.gpg"))).toBe(true);
    expect(readdirSync(path.join(mirror, "apt/pool/main"), { recursive: true }).map(String).filter((f) => f.endsWith(".deb")).sort()).toEqual([
      expect.stringMatching(/^a\/alpha\/alpha_1\.0-1\+b[^/]*_amd64\.deb$/),
      expect.stringMatching(/^b\/beta\/beta_1\.0-1\+b[^/]*_amd64\.deb$/),
    ]);
    expect(must("find", [mirror, "-name", "by-hash"]).trim()).toBe("");
    const v = verify(mirror, ["--deep"]);
    expect(v.status, v.stderr).toBe(0);
    expect(v.stderr.trim().split("\n")).toEqual([expect.stringMatching(/^warning: apt\/dists\/debian-12: no by-hash copies .*debmirror/)]);
    // a by-hash copy that is there must match
    const bin = path.join(dist, "main/binary-amd64");
    const listed = readFileSync(path.join(dist, "Release"), "utf8").match(/^ ([0-9a-f]{64}) +\d+ main\/binary-amd64\/Packages\.gz$/m)!;
    mkdirSync(path.join(bin, "by-hash/SHA256"), { recursive: true });
    writeFileSync(path.join(bin, "by-hash/SHA256", listed[1]!), "not the index\n");
    const bad = verify(mirror);
    expect(bad.status).toBe(1);
    expect(problemLines(bad)).toContain("apt/dists/debian-12/main/binary-amd64/Packages.gz: by-hash copy does not match its name or size");
    expect(statSync(path.join(bin, "Packages.gz")).size).toBeGreaterThan(0);
  }, 120_000);
});
