// repogen keygen: the keys folder of CONTRACT, checked with gpg and openssl.
import { describe, expect, it } from "vitest";
import { readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { must, repogen, sh, tmp } from "../helpers.js";
import { treeBuild } from "../builds.js";

describe("repogen keygen", () => {
  it("writes v4 OpenPGP and RSA-4096 keys, private halves 0600, and refuses to overwrite", () => {
    const keys = path.join(tmp(), "keys");
    const r = repogen(["keygen", "--keys", keys, "--name", "Example Archive", "--email", "archive@example.org"]);
    expect(r.status, r.stderr).toBe(0);
    for (const f of ["apt-signing-key.asc", "pkg-signing-key.pem"]) expect(statSync(path.join(keys, f)).mode & 0o777).toBe(0o600);
    const home = tmp();
    const listing = must("gpg", ["--homedir", home, "--with-colons", "--show-keys", path.join(keys, "apt-signing-key.pub.asc")]);
    expect(listing).toMatch(/^pub:[^:]*:255:22:/m); // EdDSA (22), 255 bits: ed25519, as a v4 key
    expect(listing).toMatch(/Example Archive <archive@example\.org>/);
    const rsa = must("openssl", ["rsa", "-in", path.join(keys, "pkg-signing-key.pem"), "-noout", "-text"]);
    expect(rsa).toMatch(/Private-Key: \(4096 bit/);
    const pub = must("openssl", ["rsa", "-in", path.join(keys, "pkg-signing-key.pem"), "-pubout"]);
    expect(pub).toBe(readFileSync(path.join(keys, "pkg-signing-key.pub.pem"), "utf8"));
    const before = readFileSync(path.join(keys, "apt-signing-key.asc"));
    const again = repogen(["keygen", "--keys", keys]);
    expect(again.status).toBe(2);
    expect(again.stderr).toMatch(/refusing to overwrite an existing key/);
    expect(readFileSync(path.join(keys, "apt-signing-key.asc")).equals(before)).toBe(true);
  });

  it("--apt-key rsa4096 gives a key whose signatures gpgv accepts", () => {
    const work = tmp();
    const keys = path.join(work, "keys");
    expect(repogen(["keygen", "--keys", keys, "--apt-key", "rsa4096"]).status).toBe(0);
    const listing = must("gpg", ["--homedir", tmp(), "--with-colons", "--show-keys", path.join(keys, "apt-signing-key.pub.asc")]);
    expect(listing).toMatch(/^pub:[^:]*:4096:1:/m);
    const builds = path.join(work, "builds");
    treeBuild(builds, { job: "greeter", uuid: "g1", start: "2026-11-20T10:00:00Z" });
    const out = path.join(work, "out");
    expect(repogen(["generate", "--builds", builds, "--out", out, "--keys", keys, "--state", path.join(work, "st")]).status).toBe(0);
    expect(sh("gpgv", ["--keyring", path.join(out, "apt/archive-keyring.gpg"), path.join(out, "apt/dists/debian-12/InRelease")]).status).toBe(0);
  });

  it("an existing gpg key and an openssl RSA key work as they are", () => {
    const work = tmp();
    const home = path.join(work, "gnupg");
    must("mkdir", ["-m", "700", home]);
    must("gpg", ["--homedir", home, "--batch", "--passphrase", "", "--quick-gen-key", "Own Key <own@example.org>", "ed25519", "sign", "never"]);
    const keys = path.join(work, "keys");
    must("mkdir", ["-m", "700", keys]);
    writeFileSync(path.join(keys, "apt-signing-key.asc"), must("gpg", ["--homedir", home, "--batch", "--armor", "--export-secret-keys"]), { mode: 0o600 });
    must("sh", ["-c", `openssl genrsa 3072 > ${path.join(keys, "pkg-signing-key.pem")} 2>/dev/null && chmod 600 ${path.join(keys, "pkg-signing-key.pem")}`]);
    const builds = path.join(work, "builds");
    treeBuild(builds, { job: "greeter", uuid: "g1", start: "2026-11-20T10:00:00Z" });
    const out = path.join(work, "out");
    const r = repogen(["generate", "--builds", builds, "--out", out, "--keys", keys, "--state", path.join(work, "st")]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const ring = path.join(work, "own.gpg");
    must("sh", ["-c", `gpg --homedir ${home} --batch --export > ${ring}`]);
    expect(sh("gpgv", ["--keyring", ring, path.join(out, "apt/dists/debian-12/InRelease")]).status).toBe(0);
  });
});
