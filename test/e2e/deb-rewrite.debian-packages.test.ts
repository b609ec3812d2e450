// A version rewrite of real Debian 12 packages changes the control file's Version line and nothing
// else: every other byte of every control member file, and the data member, as dpkg-deb and ar see them.
// And the control-field checks refuse nothing that Debian 12 itself publishes.
import { describe, expect, it, beforeAll } from "vitest";
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { checkControlFields, get, parseParagraphs } from "../../src/debian/control.js";
import { readDeb, rewriteDebVersion } from "../../src/debian/deb.js";
import { must, tmp } from "../helpers.js";
import { debianIndex, debianPackages } from "../support/debian-packages.js";

function controlFiles(deb: string, dir: string): Map<string, Buffer> {
  must("sh", ["-c", `mkdir -p "$2" && dpkg-deb --ctrl-tarfile "$1" | tar -x -C "$2"`, "sh", deb, dir]);
  return new Map(readdirSync(dir).sort().map((n) => [n, readFileSync(path.join(dir, n))]));
}

function arMember(deb: string, prefix: string): { name: string; bytes: Buffer } {
  const name = must("ar", ["t", deb]).split("\n").find((n) => n.startsWith(prefix))!;
  return { name, bytes: Buffer.from(must("ar", ["p", deb, name], { encoding: "latin1" }), "latin1") };
}

describe("rewriting the version of real Debian packages", () => {
  let debs: Map<string, string>;
  beforeAll(() => {
    debs = debianPackages();
  }, 900_000);

  it("keeps every byte of the control file but the Version line, every other control file, and the data member", async () => {
    const work = tmp("repogen-rewrite-real-");
    let trailing = 0;
    for (const [name, src] of debs) {
      const oldVersion = must("dpkg-deb", ["-f", src, "Version"]).trim();
      const version = `${oldVersion}+b20261120100000.0123abcd`;
      const out = path.join(work, `${name}.deb`);
      const r = await rewriteDebVersion(src, version, out);
      expect(r.control.find(([n]) => n === "Version")?.[1]).toBe(version);
      expect(must("dpkg-deb", ["-f", out, "Version"]).trim()).toBe(version);

      const before = controlFiles(src, path.join(work, name, "before"));
      const after = controlFiles(out, path.join(work, name, "after"));
      expect([...after.keys()], name).toEqual([...before.keys()]);
      for (const [file, bytes] of before) {
        if (file !== "control") {
          expect(Buffer.compare(after.get(file)!, bytes), `${name}: ${file}`).toBe(0);
          continue;
        }
        const lines = bytes.toString("utf8").split("\n");
        const at = lines.findIndex((l) => l.startsWith("Version: "));
        expect(at, name).toBeGreaterThanOrEqual(0);
        lines[at] = `Version: ${version}`;
        expect(after.get(file)!.toString("utf8"), name).toBe(lines.join("\n"));
        trailing += lines.filter((l) => / $/.test(l)).length;
      }
      // The data member, compressed, byte for byte under its own name; and decoded, as dpkg-deb reads it.
      const a = arMember(src, "data.tar");
      const b = arMember(out, "data.tar");
      expect(b.name).toBe(a.name);
      expect(Buffer.compare(b.bytes, a.bytes), name).toBe(0);
      const fsys = (deb: string) => must("sh", ["-c", 'dpkg-deb --fsys-tarfile "$1" | sha256sum', "sh", deb]);
      expect(fsys(out), name).toBe(fsys(src));
      expect(must("ar", ["p", out, "debian-binary"])).toBe("2.0\n");
    }
    // The set holds a control file whose lines end in spaces (libgdbm6's Description), which the
    // rewrite used to drop.
    expect(trailing).toBeGreaterThan(0);
    expect(debs.size).toBeGreaterThanOrEqual(12);
  });
});

describe("the control-field checks on Debian 12 itself", () => {
  it("accept every paragraph of Debian 12's main Packages index for amd64, and the real packages' control files", async () => {
    const index = debianIndex();
    const paras = parseParagraphs(gunzipSync(readFileSync(index)).toString("utf8"), index);
    // Tens of thousands of real packages, each with its relation fields parsed; none refused.
    expect(paras.length).toBeGreaterThan(50_000);
    let relations = 0;
    const refused: string[] = [];
    for (const p of paras) {
      try {
        checkControlFields(p, index);
      } catch (e) {
        refused.push(`${get(p, "Package")}: ${(e as Error).message}`);
      }
      relations += p.filter(([n]) => /^(Pre-Depends|Depends|Recommends|Suggests|Enhances|Breaks|Conflicts|Replaces|Provides|Built-Using|Static-Built-Using)$/i.test(n)).length;
    }
    expect(refused).toEqual([]);
    expect(relations).toBeGreaterThan(100_000);
    for (const [name, file] of debianPackages()) {
      const info = await readDeb(file);
      expect(() => checkControlFields(info.control, file), name).not.toThrow();
    }
  }, 900_000);
});
