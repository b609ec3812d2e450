// The FreeBSD key rotation of the README in fingerprints mode: the next key's fingerprint published
// as trusted ahead of the switch, the old one as revoked after it. No FreeBSD pkg client runs here, so
// the client is pkg's documented rule (every certificate of a catalogue is checked against the
// client's revoked/ and trusted/ folders: any revoked one refuses the catalogue, at least one trusted
// one must verify), with each signature judged by openssl and each fingerprint by sha256sum.
import { describe, expect, it } from "vitest";
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { ROOT, must, repogen, sh, tmp } from "../helpers.js";
import { readyBuild } from "../builds.js";

const NOW = new Date(Math.floor(Date.now() / 1000) * 1000).toISOString();
const FIX = path.join(ROOT, "test", "fixtures", "freebsd", "repo", "All");

function extract(file: string): string {
  const d = tmp();
  must("tar", ["-xf", file, "-C", d]);
  return d;
}

/** pkg's fingerprint check for one catalogue archive, against a client's fingerprints folder. */
function clientAccepts(archive: string, member: string, client: string): { ok: boolean; why: string } {
  const d = extract(archive);
  const fps = (sub: string) => {
    const dir = path.join(client, sub);
    const files = sh("ls", [dir]).status === 0 ? readdirSync(dir) : [];
    return files.map((f) => /fingerprint: "([0-9a-f]{64})"/.exec(readFileSync(path.join(dir, f), "utf8"))?.[1]);
  };
  const trusted = fps("trusted");
  const revoked = fps("revoked");
  const certs = readdirSync(d).filter((f) => f.endsWith(".pub"));
  if (!certs.length) return { ok: false, why: "No signature found" };
  let good = 0;
  for (const pub of certs) {
    const fp = must("sha256sum", [path.join(d, pub)]).split(" ")[0];
    if (revoked.includes(fp)) return { ok: false, why: "At least one of the certificates has been revoked" };
    if (!trusted.includes(fp)) continue;
    const digest = path.join(d, "digest");
    writeFileSync(digest, must("sha256sum", [path.join(d, member)]).split(" ")[0]!);
    const v = sh("openssl", ["dgst", "-sha256", "-verify", path.join(d, pub), "-signature", path.join(d, pub.replace(/\.pub$/, ".sig")), digest]);
    if (v.status !== 0) return { ok: false, why: "signature does not verify" };
    good++;
  }
  return good ? { ok: true, why: "" } : { ok: false, why: "No trusted public keys found" };
}

describe("FreeBSD key rotation in fingerprints mode", () => {
  it("trusted ahead, switched, old revoked: a client that copies the published folders accepts every step", () => {
    const work = tmp("repogen-fbrot-");
    const keys = path.join(work, "keys");
    expect(repogen(["keygen", "--keys", keys]).status).toBe(0);
    const builds = path.join(work, "builds");
    readyBuild(builds, { job: "libfoo", uuid: "fb-libfoo", platform: "freebsd-14", start: "2026-11-19T10:00:00Z" }, path.join(FIX, "libfoo-2.0.pkg"));
    const config = path.join(work, "repogen.toml");
    const conf = (pkg: string) => writeFileSync(config, `keys = "keys"\nbuilds = "builds"\noutput = "out"\nstate = "state"\norigin = "example"\n[pkg]\nsignature = "fingerprints"\n${pkg}`);
    const out = path.join(work, "out");
    const generate = () => {
      const r = repogen(["generate", "--config", config, "--now", NOW]);
      expect(r.status, r.stderr).toBe(0);
    };
    const client = path.join(work, "client-fingerprints");
    /** The README's client step: mirror the published trusted/ and revoked/ folders. */
    const copyFolders = () => {
      rmSync(client, { recursive: true, force: true });
      mkdirSync(path.join(client, "trusted"), { recursive: true });
      mkdirSync(path.join(client, "revoked"), { recursive: true });
      for (const sub of ["trusted", "revoked"]) {
        const from = path.join(out, "pkg/fingerprints", sub);
        if (sh("test", ["-d", from]).status === 0) cpSync(from, path.join(client, sub), { recursive: true });
      }
    };
    const abi = path.join(out, "pkg/FreeBSD:14:amd64");
    const accepts = () => {
      for (const [a, m] of [["data.pkg", "data"], ["packagesite.pkg", "packagesite.yaml"]]) {
        const v = clientAccepts(path.join(abi, a!), m!, client);
        expect(v.ok, `${a}: ${v.why}`).toBe(true);
      }
    };
    const fpOf = (pem: string) => must("sha256sum", [pem]).split(" ")[0];
    const oldFp = fpOf(path.join(keys, "pkg-signing-key.pub.pem"));

    // Run 1: the current key; the client trusts what is published.
    conf("");
    generate();
    copyFolders();
    accepts();
    const frozen = path.join(work, "frozen-client");
    cpSync(client, frozen, { recursive: true }); // a client that never follows the procedure

    // Run 2: the next key is made and published as trusted beside the current one.
    const k = repogen(["keygen", "--keys", keys, "--file", "pkg-signing-key-2028.pem"]);
    expect(k.status, k.stderr).toBe(0);
    const newFp = fpOf(path.join(keys, "pkg-signing-key-2028.pub.pem"));
    conf(`trusted_keys = ["pkg-signing-key-2028.pub.pem"]\n`);
    generate();
    expect(readFileSync(path.join(out, "pkg/fingerprints/trusted/example"), "utf8")).toContain(oldFp);
    expect(readFileSync(path.join(out, "pkg/fingerprints/trusted/example.pkg-signing-key-2028"), "utf8")).toBe(`function: "sha256"\nfingerprint: "${newFp}"\n`);
    copyFolders();
    accepts();

    // Run 3: the switch: the new key signs, the old one is published as revoked.
    conf(`signing_key = "pkg-signing-key-2028.pem"\nrevoked_keys = ["pkg-signing-key.pub.pem"]\n`);
    generate();
    const d = extract(path.join(abi, "data.pkg"));
    expect(fpOf(path.join(d, "data.pub"))).toBe(newFp); // re-signed although no package changed
    expect(readFileSync(path.join(out, "pkg/fingerprints/revoked/example.pkg-signing-key"), "utf8")).toContain(oldFp);
    accepts(); // before the client copies again: it trusts the new key since run 2
    copyFolders();
    accepts();
    // Run 4: nothing changes; still accepted, and verify checks the catalogues with the new key.
    generate();
    accepts();
    const v = repogen(["verify", out, "--pkg-pubkey", path.join(keys, "pkg-signing-key-2028.pub.pem")]);
    expect(v.status, v.stderr).toBe(0);
    // The check can fail: the client that never copied the folders has no trusted key for the new signer.
    expect(clientAccepts(path.join(abi, "data.pkg"), "data", frozen)).toEqual({ ok: false, why: "No trusted public keys found" });
  });

  it("refuses to revoke the key that signs, and pubkey mode publishes the next key as repo.STEM.pub", () => {
    const work = tmp("repogen-fbrot-");
    const keys = path.join(work, "keys");
    expect(repogen(["keygen", "--keys", keys]).status).toBe(0);
    expect(repogen(["keygen", "--keys", keys, "--file", "pkg-next.pem"]).status).toBe(0);
    const builds = path.join(work, "builds");
    readyBuild(builds, { job: "libfoo", uuid: "fb-libfoo", platform: "freebsd-14", start: "2026-11-19T10:00:00Z" }, path.join(FIX, "libfoo-2.0.pkg"));
    const config = path.join(work, "repogen.toml");
    writeFileSync(config, `keys = "keys"\nbuilds = "builds"\noutput = "out"\nstate = "state"\n[pkg]\nsignature = "fingerprints"\nrevoked_keys = ["pkg-signing-key.pub.pem"]\n`);
    const r = repogen(["generate", "--config", config, "--now", NOW]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/pkg-signing-key\.pub\.pem in \[pkg\] revoked_keys is the key that signs/);
    expect(sh("test", ["-e", path.join(work, "out")]).status).not.toBe(0);
    writeFileSync(config, `keys = "keys"\nbuilds = "builds"\noutput = "out"\nstate = "state"\n[pkg]\ntrusted_keys = ["pkg-next.pub.pem"]\n`);
    const g = repogen(["generate", "--config", config, "--now", NOW]);
    expect(g.status, g.stderr).toBe(0);
    expect(readFileSync(path.join(work, "out/pkg/repo.pkg-next.pub"), "utf8")).toBe(readFileSync(path.join(keys, "pkg-next.pub.pem"), "utf8"));
    const pub = must("openssl", ["rsa", "-pubin", "-in", path.join(work, "out/pkg/repo.pkg-next.pub"), "-noout", "-text"]);
    expect(pub).toMatch(/Public-Key: \(4096 bit\)/);
  });
});
