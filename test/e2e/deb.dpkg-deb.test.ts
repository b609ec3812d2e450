// The .deb writer against the real dpkg-deb, dpkg and lintian.
import { describe, expect, it, beforeAll } from "vitest";
import { readFileSync, existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { dpkgRoot, makeStagedTree, must, repogen, sh, tmp, touchAll } from "../helpers.js";

const T = 1700000000;

describe("repogen package (.deb) against dpkg-deb", () => {
  let stage: string;
  let out: string;
  let deb: string;

  beforeAll(() => {
    stage = makeStagedTree(tmp());
    out = tmp();
    const r = repogen(["package", path.join(stage, "package.toml"), "--root", stage, "--platform", "debian-12", "--arch", "amd64", "--out", out, "--mtime", String(T)]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    deb = r.stdout.trim();
    expect(path.basename(deb)).toBe("hello_1.2.0_amd64.deb");
  });

  it("is byte-identical to dpkg-deb --build of its own raw extraction", () => {
    const work = tmp();
    const raw = path.join(work, "raw");
    must("dpkg-deb", ["-R", deb, raw]);
    // The tree really holds the awkward cases.
    const names = must("find", [raw, "-printf", "%y %P\n"]);
    expect(names).toMatch(/^l usr\/share\/hello\/link-to-big$/m);
    expect(names).toMatch(/grüße-ünïcödé\.txt/);
    expect(names).toMatch(/^d var\/lib\/hello$/m);
    expect(names.split("\n").some((l) => Buffer.byteLength(l) > 102)).toBe(true);
    touchAll(raw, T);
    const ref = path.join(work, "ref.deb");
    must("dpkg-deb", ["--root-owner-group", "-Zxz", "--build", raw, ref], { env: { ...process.env, SOURCE_DATE_EPOCH: String(T) } });
    const a = readFileSync(ref);
    const b = readFileSync(deb);
    expect(b.length).toBeGreaterThan(3_000_000);
    expect(Buffer.compare(a, b)).toBe(0);
  });

  it("gives the same bytes on a second run", () => {
    const out2 = tmp();
    const r = repogen(["package", path.join(stage, "package.toml"), "--root", stage, "--platform", "debian-12", "--arch", "amd64", "--out", out2, "--mtime", String(T)]);
    expect(r.status).toBe(0);
    expect(readFileSync(r.stdout.trim()).equals(readFileSync(deb))).toBe(true);
  });

  it("has the control fields dpkg-deb reads, Installed-Size as dpkg-gencontrol counts it", () => {
    const f = must("dpkg-deb", ["-f", deb]);
    expect(f).toMatch(/^Package: hello$/m);
    expect(f).toMatch(/^Version: 1\.2\.0$/m);
    expect(f).toMatch(/^Depends: libc6 \(>= 2\.36\)$/m);
    const listing = must("dpkg-deb", ["-c", deb]).trim().split("\n");
    // Installed-Size: per regular file or symlink ceil(size/1024); other objects count 1.
    let kib = 0;
    for (const l of listing) {
      const m = /^(\S)\S+\s+\S+\s+(\d+)\s+\S+\s+\S+\s+(.*)$/.exec(l)!;
      if (m[1] === "-") kib += Math.ceil(Number(m[2]) / 1024);
      else if (m[1] === "l") kib += Math.ceil(Buffer.byteLength(m[3]!.split(" -> ")[1]!) / 1024);
      else kib += 1;
    }
    expect(must("dpkg-deb", ["-f", deb, "Installed-Size"]).trim()).toBe(String(kib));
    expect(must("dpkg-deb", ["-I", deb, "conffiles"]).trim()).toBe("/etc/hello.conf");
  });

  it("is lintian-clean of errors", () => {
    const r = sh("lintian", ["--tag-display-limit", "0", deb]);
    expect(r.stdout + r.stderr).not.toMatch(/^E: /m);
    // lintian ran for real and saw the package (it prints at least its warnings' package name or nothing)
    expect(r.status === 0 || r.status === 1).toBe(true);
    expect(r.stdout).not.toMatch(/^E: /m);
  });

  it("installs into a throw-away root: postinst runs, conffiles recorded, verify clean", () => {
    const root = dpkgRoot(tmp());
    must("dpkg", ["--root=" + root, "--force-script-chrootless", "--force-depends", "--log=/dev/null", "-i", deb]);
    expect(readFileSync(path.join(root, "var/lib/hello/postinst-ran"), "utf8")).toBe("configured\n");
    expect(existsSync(path.join(root, "usr/bin/hello"))).toBe(true);
    const status = readFileSync(path.join(root, "var/lib/dpkg/status"), "utf8");
    expect(status).toMatch(/^Status: install ok installed$/m);
    expect(status).toMatch(/^Conffiles:\n \/etc\/hello\.conf [0-9a-f]{32}$/m);
    const v = sh("dpkg", ["--root=" + root, "--verify", "hello"]);
    expect(v.stdout).toBe("");
    expect(v.status).toBe(0);
    expect(readdirSync(path.join(root, "usr/share/doc/hello")).sort()).toEqual(["changelog.gz", "copyright"]);
  });
});
