// Which keys generate signs with (sqv's policy, expiry against Valid-Until), and verify's verdict on
// expired keys next to gpgv's on the same trees.
import { describe, expect, it } from "vitest";
import { existsSync, writeFileSync } from "node:fs";
import path from "node:path";
import { must, repogen, tmp } from "../helpers.js";
import { AptRoot, serve } from "../apt-helpers.js";
import { treeBuild } from "../builds.js";
import { dearmor, gpgv, trixieRoot, trixieSqv } from "../signing-helpers.js";

const DAY = 86400_000;
const now = Math.floor(Date.now() / 1000) * 1000;
const iso = (t: number) => new Date(t).toISOString();
const trixie = trixieRoot();
if ("skip" in trixie) console.warn(`SKIPPED (sqv of Debian 13): ${trixie.skip}`);
const sqvRoot = "root" in trixie ? trixie.root : null;

/** A folder with one build and a config; the keys folder is filled by the caller. */
function work(validDays = 14, signing = ["apt-signing-key.asc"]) {
  const dir = tmp("repogen-policy-");
  const keys = path.join(dir, "keys");
  must("mkdir", ["-m", "700", keys]);
  treeBuild(path.join(dir, "builds"), { job: "greeter", uuid: "u1", start: "2026-11-20T10:00:00Z" });
  const config = path.join(dir, "repogen.toml");
  const conf = (days: number, names: string[]) =>
    writeFileSync(config, `keys = "keys"\nbuilds = "builds"\noutput = "out"\nstate = "state"\nvalid_days = ${days}\n[apt]\nsigning_keys = ${JSON.stringify(names)}\n`);
  conf(validDays, signing);
  return { dir, keys, config, conf, out: path.join(dir, "out"), gen: (...a: string[]) => repogen(["generate", "--config", config, ...a]) };
}

/** A key made by gpg itself, exported into the keys folder; returns gpg's home for signing with it. */
function gpgKey(keys: string, args: string[], name = "apt-signing-key.asc"): string {
  const home = tmp("repogen-gnupg-");
  must("chmod", ["700", home]);
  must("gpg", ["--homedir", home, "--batch", "--passphrase", "", ...args]);
  writeFileSync(path.join(keys, name), must("gpg", ["--homedir", home, "--batch", "--armor", "--export-secret-keys"]), { mode: 0o600 });
  return home;
}

/** Signs a file with gpg (SHA-512 digest) and asks Debian 13's sqv, with apt's policy, and gpgv about it. */
function realVerdicts(home: string, dir: string): { sqv: number | null; gpgv: boolean } {
  const data = path.join(dir, "data.txt");
  writeFileSync(data, "Origin: test\n");
  must("gpg", ["--homedir", home, "--batch", "--digest-algo", "SHA512", "--detach-sign", "--armor", "-o", `${data}.asc`, data]);
  const ring = path.join(dir, "ring.gpg");
  must("sh", ["-c", `gpg --homedir '${home}' --batch --export > '${ring}'`]);
  return { sqv: sqvRoot ? trixieSqv(sqvRoot, ring, `${data}.asc`, data).status : null, gpgv: gpgv(ring, `${data}.asc`, data).accepted };
}

describe("generate signs only with keys Debian's clients accept", () => {
  for (const [what, args, says] of [
    ["an RSA-1024 key", ["--quick-gen-key", "Weak <weak@example.org>", "rsa1024", "sign", "1y"], /RSA-1024/],
    ["an ed25519 key whose binding signature uses SHA-1", ["--cert-digest-algo", "SHA1", "--quick-gen-key", "Old <old@example.org>", "ed25519", "sign", "1y"], /SHA-1/],
    ["an RSA-3072 key whose binding signature uses SHA-1", ["--cert-digest-algo", "SHA1", "--quick-gen-key", "Old <old@example.org>", "rsa3072", "sign", "1y"], /self-signature on the user ID uses SHA-1/],
  ] as const) {
    it(`refuses ${what} with one line and exit 1, before writing anything; sqv refuses it too`, () => {
      const w = work();
      const home = gpgKey(w.keys, [...args]);
      const r = w.gen();
      expect(r.status, r.stderr).toBe(1);
      const lines = r.stderr.trim().split("\n");
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/apt-signing-key\.asc: refused: /);
      expect(lines[0]).toMatch(says);
      expect(existsSync(w.out)).toBe(false);
      // The real tools: gpgv (Debian 12) still accepts such a signature, sqv with apt 3.0's policy does not.
      const v = realVerdicts(home, w.dir);
      expect(v.gpgv).toBe(true);
      if (v.sqv !== null) expect(v.sqv).not.toBe(0);
    });
  }

  it("accepts keys from gpg --quick-gen-key and --full-generate-key with default settings, and sqv accepts their signatures", () => {
    const params = "Key-Type: default\nSubkey-Type: default\nName-Real: Full Default\nName-Email: full@example.org\nExpire-Date: 0\n%no-protection\n%commit\n";
    for (const make of [
      (keys: string) => gpgKey(keys, ["--quick-gen-key", "Quick Default <quick@example.org>"]),
      (keys: string) => {
        const home = tmp("repogen-gnupg-");
        must("chmod", ["700", home]);
        must("gpg", ["--homedir", home, "--batch", "--full-generate-key"], { input: params });
        writeFileSync(path.join(keys, "apt-signing-key.asc"), must("gpg", ["--homedir", home, "--batch", "--armor", "--export-secret-keys"]), { mode: 0o600 });
        return home;
      },
    ]) {
      const w = work();
      const home = make(w.keys);
      const r = w.gen();
      expect(r.stderr).toBe("");
      expect(r.status).toBe(0);
      const ring = path.join(w.dir, "ring.gpg");
      must("sh", ["-c", `gpg --homedir '${home}' --batch --export > '${ring}'`]);
      const dist = path.join(w.out, "apt/dists/debian-12");
      expect(gpgv(ring, path.join(dist, "InRelease")).accepted).toBe(true);
      if (sqvRoot) {
        const s = trixieSqv(sqvRoot, ring, path.join(dist, "InRelease"));
        expect(s.status, s.stderr).toBe(0);
      }
    }
  });
});

describe("key expiry at generate", () => {
  it("refuses a key that has expired, and one that expires before the Valid-Until it would write; warns within valid_days", () => {
    const w = work(14);
    expect(repogen(["keygen", "--keys", w.keys, "--file", "apt-signing-key.asc", "--now", iso(now - 400 * DAY), "--expires", "380d"]).status).toBe(0);
    let r = w.gen();
    expect(r.status, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/apt-signing-key\.asc: the OpenPGP key [0-9A-F]{40} expired on /);
    expect(existsSync(w.out)).toBe(false);

    const soon = work(14);
    expect(repogen(["keygen", "--keys", soon.keys, "--file", "apt-signing-key.asc", "--expires", "10d"]).status).toBe(0);
    r = soon.gen();
    expect(r.status, r.stderr).toBe(1);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/expires on .*, before the Valid-Until this run would write/);
    expect(existsSync(soon.out)).toBe(false);
    // With a Valid-Until the key outlives, it signs, with a warning that it will soon be refused.
    soon.conf(7, ["apt-signing-key.asc"]);
    r = soon.gen();
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^warning: .*apt-signing-key\.asc: the OpenPGP key [0-9A-F]{40} expires on \d{4}-\d\d-\d\d; runs from \d{4}-\d\d-\d\d on will refuse it/m);
  });

  it("judges a signing subkey's own expiry: a gpg key whose signing subkey expires before Valid-Until is refused", () => {
    const w = work(14);
    const home = tmp("repogen-gnupg-");
    must("chmod", ["700", home]);
    const g = (...a: string[]) => must("gpg", ["--homedir", home, "--batch", "--passphrase", "", ...a]);
    g("--quick-gen-key", "Sub Signer <sub@example.org>", "ed25519", "cert", "never");
    const fpr = /^fpr:+([0-9A-F]{40}):/m.exec(g("--with-colons", "--list-keys"))![1]!;
    g("--quick-add-key", fpr, "ed25519", "sign", "10d");
    writeFileSync(path.join(w.keys, "apt-signing-key.asc"), g("--armor", "--export-secret-keys"), { mode: 0o600 });
    let r = w.gen();
    expect(r.status, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/expires on .*, before the Valid-Until this run would write/);
    w.conf(7, ["apt-signing-key.asc"]);
    r = w.gen();
    expect(r.status, r.stderr).toBe(0);
    const ring = path.join(w.dir, "ring.gpg");
    must("sh", ["-c", `gpg --homedir '${home}' --batch --export > '${ring}'`]);
    expect(gpgv(ring, path.join(w.out, "apt/dists/debian-12/InRelease")).accepted).toBe(true);
    if (sqvRoot) expect(trixieSqv(sqvRoot, ring, path.join(w.out, "apt/dists/debian-12/InRelease")).status).toBe(0);
    expect(repogen(["verify", w.out, "--apt-keyring", ring]).status).toBe(0);
  });

  it("keygen makes keys that expire in 2 years by default, never with --expires never, and SHA-256+ bindings", () => {
    const keys = path.join(tmp(), "keys");
    expect(repogen(["keygen", "--keys", keys, "--now", iso(now)]).status).toBe(0);
    expect(repogen(["keygen", "--keys", keys, "--file", "forever.asc", "--expires", "never"]).status).toBe(0);
    const home = tmp();
    const show = (f: string) => must("gpg", ["--homedir", home, "--with-colons", "--show-keys", path.join(keys, f)]);
    const expiry = Number(/^pub:[^:]*:[^:]*:[^:]*:[^:]*:[^:]*:(\d*):/m.exec(show("apt-signing-key.pub.asc"))![1]) * 1000;
    const twoYears = new Date(now);
    twoYears.setUTCFullYear(twoYears.getUTCFullYear() + 2);
    expect(expiry).toBe(twoYears.getTime());
    expect(/^pub:[^:]*:[^:]*:[^:]*:[^:]*:[^:]*:(\d*):/m.exec(show("forever.pub.asc"))![1]).toBe("");
    const packets = must("gpg", ["--homedir", home, "--list-packets", path.join(keys, "apt-signing-key.pub.asc")]);
    const digests = [...packets.matchAll(/digest algo (\d+)/g)].map((m) => Number(m[1]));
    expect(digests.length).toBeGreaterThan(0);
    for (const d of digests) expect([8, 9, 10]).toContain(d); // SHA-256, SHA-384, SHA-512
    const bad = repogen(["keygen", "--keys", keys, "--file", "x.asc", "--expires", "soon"]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--expires "soon"/);
  });
});

describe("verify agrees with gpgv on expired signing keys", () => {
  it("a signature by a key expired at --now is an error where gpgv says EXPKEYSIG; beside a good one it is accepted", async () => {
    const w = work(0, ["expired.asc"]);
    expect(repogen(["keygen", "--keys", w.keys, "--file", "expired.asc", "--now", iso(now - 400 * DAY), "--expires", "380d"]).status).toBe(0);
    expect(repogen(["keygen", "--keys", w.keys, "--file", "good.asc"]).status).toBe(0);
    const expired = dearmor(path.join(w.keys, "expired.pub.asc"), path.join(w.dir, "expired.gpg"));
    const good = dearmor(path.join(w.keys, "good.pub.asc"), path.join(w.dir, "good.gpg"));
    const both = path.join(w.dir, "both.gpg");
    must("sh", ["-c", `cat '${expired}' '${good}' > '${both}'`]);
    // Signed 30 days ago, when the key was still valid (no Valid-Until, so only the key can expire).
    const then = iso(now - 30 * DAY);
    let r = w.gen("--now", then);
    expect(r.status, r.stderr).toBe(0);
    const single = path.join(w.dir, "single");
    must("cp", ["-a", w.out, single]);
    w.conf(0, ["expired.asc", "good.asc"]);
    r = repogen(["generate", "--config", w.config, "--now", then, "--out", path.join(w.dir, "dual"), "--state", path.join(w.dir, "state2")]);
    expect(r.status, r.stderr).toBe(0);

    const table: string[] = [];
    for (const [tree, ring] of [
      [single, expired],
      [single, both],
      [path.join(w.dir, "dual"), expired],
      [path.join(w.dir, "dual"), good],
      [path.join(w.dir, "dual"), both],
    ] as const) {
      const g = gpgv(ring, path.join(tree, "apt/dists/debian-12/InRelease"));
      const v = repogen(["verify", tree, "--apt-keyring", ring]);
      table.push(`${path.basename(tree)} ${path.basename(ring)}: gpgv ${g.accepted ? "accepts" : "refuses"} (EXPKEYSIG ${g.expired.length}), verify exit ${v.status}`);
      expect(v.status === 0, `${table.at(-1)}\n${v.stderr}`).toBe(g.accepted);
      if (g.expired.length && !g.accepted) expect(v.stderr).toMatch(/InRelease: signature does not verify \(EXPKEYSIG [0-9A-F]{40} \(the key expired on /);
      if (g.expired.length && g.accepted) expect(v.stderr).toMatch(/warning: .*InRelease: EXPKEYSIG/);
    }
    // The cases really differ: refused wherever only the expired key's signature can be checked.
    expect(table.filter((l) => l.includes("gpgv refuses")).length, table.join("\n")).toBe(3);
    // At a --now when the key was valid, verify accepts the single-key tree.
    expect(repogen(["verify", single, "--apt-keyring", expired, "--now", then]).status).toBe(0);
    // And apt itself: an update against the single-key tree fails with EXPKEYSIG.
    const server = await serve(path.join(single, "apt"));
    try {
      const apt = new AptRoot(path.join(tmp(), "root"));
      apt.addSource(server.url, "debian-12", expired);
      const u = apt.apt(["update"]);
      expect(u.stdout + u.stderr).toMatch(/EXPKEYSIG/);
    } finally {
      server.stop();
    }
  });
});
