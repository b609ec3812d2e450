// The README's key rotation, run from start to end across four generate runs, with real apt clients
// (Debian 12's apt-get, and Debian 13's apt 3.0 with sqv when Debian's archive can be reached) that
// follow it and never see an error. A client that skips the keyring refresh is shown to need it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { must, repogen, tmp } from "../helpers.js";
import { AptRoot, problems, serve, type Server } from "../apt-helpers.js";
import { treeBuild } from "../builds.js";
import { ChrootApt, splitInRelease, trixieCopy } from "../signing-helpers.js";

const NOW = new Date(Math.floor(Date.now() / 1000) * 1000).toISOString();

interface Client {
  name: string;
  /** The file its Signed-By names. */
  keyring: string;
  update(): { status: number; out: string; problems: string[] };
  upgrade(): { status: number; out: string; problems: string[] };
  greeting(): string;
}

function hostClient(name: string, url: string, keyring: string): Client {
  const apt = new AptRoot(path.join(tmp(), "root"));
  apt.addSource(url, "debian-12", keyring);
  const run = (args: string[], install = false) => {
    const r = install ? apt.install(...args) : apt.apt(args);
    return { status: r.status, out: r.stdout + r.stderr, problems: problems(r) };
  };
  return {
    name,
    keyring: path.join(apt.root, "etc/apt/keyrings/repo.gpg"),
    update: () => run(["update"]),
    upgrade: () => run(["greeter"], true),
    greeting: () => must("sh", [path.join(apt.root, "usr/bin/greeter")]).trim(),
  };
}

function trixieClient(root: string, url: string, keyring: string): Client {
  const apt = new ChrootApt(root);
  apt.source(url, "debian-12", [keyring]);
  const run = (...args: string[]) => {
    const r = apt.apt(...args);
    return { status: r.status, out: r.stdout + r.stderr, problems: problems(r) };
  };
  return {
    name: "Debian 13 apt 3.0",
    keyring: path.join(root, "etc/apt/keyrings/repo-0.gpg"),
    update: () => run("update"),
    upgrade: () => run("install", "greeter"),
    greeting: () => must("chroot", [root, "greeter"]).trim(),
  };
}

/** The issuers of an InRelease's (or a detached signature file's) signature packets, as gpg lists them. */
function signers(file: string): string[] {
  const sig = file.endsWith("InRelease") ? splitInRelease(file, tmp()).sig : file;
  return [...must("gpg", ["--homedir", tmp(), "--list-packets", sig]).matchAll(/issuer fpr v4 ([0-9A-F]{40})/g)].map((m) => m[1]!).sort();
}

function fpr(asc: string): string {
  return /^pub:.*\nfpr:+([0-9A-F]{40}):/m.exec(must("gpg", ["--homedir", tmp(), "--with-colons", "--show-keys", asc]))![1]!;
}

describe("key rotation, step by step as the README says", () => {
  let work: string, keys: string, config: string, builds: string, out: string;
  let server: Server;
  const clients: Client[] = [];
  let stale: Client;
  const trixie = trixieCopy();
  if ("skip" in trixie) console.warn(`SKIPPED (the Debian 13 client of the rotation): ${trixie.skip}`);

  const conf = (names: string[]) => writeFileSync(config, `keys = "keys"\nbuilds = "builds"\noutput = "out"\nstate = "state"\n[apt]\nsigning_keys = ${JSON.stringify(names)}\n`);
  const generate = () => {
    const r = repogen(["generate", "--config", config, "--now", NOW]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toBe("");
  };
  const build = (n: number) =>
    treeBuild(builds, { job: "greeter", uuid: `u-greeter-${n}`, start: `2026-11-2${n}T10:00:00Z` }, { version: `1.${n}.0`, greeting: `Hello ${n}` });
  /** Every client that follows the procedure updates and upgrades without a single warning or error. */
  const allClean = (greeting: string) => {
    for (const c of clients) {
      const u = c.update();
      expect(u.status, `${c.name}: ${u.out}`).toBe(0);
      expect(u.problems, `${c.name}: ${u.out}`).toEqual([]);
      const i = c.upgrade();
      expect(i.status, `${c.name}: ${i.out}`).toBe(0);
      expect(i.problems, `${c.name}: ${i.out}`).toEqual([]);
      expect(c.greeting(), c.name).toBe(greeting);
    }
  };
  /** The step clients take between "sign with both" and "drop the old key": fetch the published keyring again. */
  const refreshKeyring = (c: Client) => must("curl", ["-fsSLo", c.keyring, `${server.url}/archive-keyring.gpg`]);

  beforeAll(async () => {
    work = tmp("repogen-rotation-");
    keys = path.join(work, "keys");
    config = path.join(work, "repogen.toml");
    builds = path.join(work, "builds");
    out = path.join(work, "out");
    expect(repogen(["keygen", "--keys", keys, "--name", "Archive 2026", "--email", "archive@example.org"]).status).toBe(0);
    conf(["apt-signing-key.asc"]);
    build(1);
    generate(); // run 1: the old key alone
    server = await serve(path.join(out, "apt"));
    // Clients set up as the README says: the published keyring in the file Signed-By names.
    const ring = path.join(work, "first-keyring.gpg");
    must("curl", ["-fsSLo", ring, `${server.url}/archive-keyring.gpg`]);
    clients.push(hostClient("Debian 12 apt", server.url, ring));
    if ("root" in trixie) clients.push(trixieClient(trixie.root, server.url, ring));
    stale = hostClient("a client that never refreshes its keyring", server.url, ring);
  });
  afterAll(() => server?.stop());

  it("runs 1 to 4: old key; next key made and both sign; clients refresh the keyring; old key dropped", () => {
    const oldFpr = fpr(path.join(keys, "apt-signing-key.pub.asc"));
    allClean("Hello 1");
    expect(stale.update().problems).toEqual([]);
    expect(signers(path.join(out, "apt/dists/debian-12/InRelease"))).toEqual([oldFpr]);

    // Step 1: make the next key beside the current one, and sign with both (run 2).
    const k = repogen(["keygen", "--keys", keys, "--file", "apt-signing-key-2028.asc", "--name", "Archive 2028", "--email", "archive@example.org"]);
    expect(k.status, k.stderr).toBe(0);
    const nextFpr = fpr(path.join(keys, "apt-signing-key-2028.pub.asc"));
    conf(["apt-signing-key.asc", "apt-signing-key-2028.asc"]);
    build(2);
    generate();
    expect(signers(path.join(out, "apt/dists/debian-12/InRelease"))).toEqual([oldFpr, nextFpr].sort());
    allClean("Hello 2"); // clients still holding only the old key

    // Step 2: clients fetch the keyring again (it now holds both keys); the repository goes on (run 3).
    for (const c of clients) refreshKeyring(c);
    build(3);
    generate();
    allClean("Hello 3");

    // Step 3: drop the old key (run 4, with nothing new to publish: the change of keys alone re-signs).
    conf(["apt-signing-key-2028.asc"]);
    generate();
    expect(signers(path.join(out, "apt/dists/debian-12/InRelease"))).toEqual([nextFpr]);
    expect(signers(path.join(out, "apt/dists/debian-12/Release.gpg"))).toEqual([nextFpr]);
    allClean("Hello 3");
    const v = repogen(["verify", out, "--apt-keyring", path.join(keys, "apt-signing-key-2028.pub.asc")]);
    expect(v.status, v.stderr).toBe(0);
    expect(v.stdout).toContain(`apt/dists/debian-12/InRelease: signed by ${nextFpr}`);

    // Why step 2 matters: a client that kept the first keyring is refused now, and says why.
    const s = stale.update();
    expect(s.problems.length, s.out).toBeGreaterThan(0);
    expect(s.out).toMatch(/NO_PUBKEY/);
  });
});
