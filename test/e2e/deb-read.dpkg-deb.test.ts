// Reading real Debian packages, and rewriting a version: compared with what dpkg-deb says.
import { describe, expect, it, beforeAll } from "vitest";
import { copyFileSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { readDeb, rewriteDebVersion } from "../../src/debian/deb.js";
import { listArFile } from "../../src/archive/ar.js";
import { must, pseudoRandom, repogen, sh, tmp } from "../helpers.js";

let debs: string[] = [];

beforeAll(() => {
  const dir = tmp("repogen-apt-download-");
  must("apt-get", ["download", "hello", "libc-bin"], { cwd: dir });
  debs = readdirSync(dir)
    .filter((f) => f.endsWith(".deb"))
    .map((f) => path.join(dir, f));
  expect(debs.length).toBe(2);
});

function dpkgListing(deb: string): string[] {
  // dpkg-deb -c: "-rwxr-xr-x root/root 123 2023-01-01 00:00 ./usr/bin/x" (symlinks: "a -> b")
  return must("dpkg-deb", ["-c", deb])
    .trim()
    .split("\n")
    .map((l) => {
      const m = /^(\S+)\s+\S+\s+(\d+)\s+\S+\s+\S+\s+(.*)$/.exec(l)!;
      return `${m[1]} ${m[2]} ${m[3]}`;
    });
}

function ourListing(files: NonNullable<Awaited<ReturnType<typeof readDeb>>["files"]>): string[] {
  return files.map((f) => {
    const t = f.type === "dir" ? "d" : f.type === "symlink" ? "l" : f.type === "hardlink" ? "h" : "-";
    let perm = "";
    for (let i = 0; i < 9; i++) perm += f.mode & (1 << (8 - i)) ? "rwxrwxrwx"[i] : "-";
    const name = f.path === "/" ? "./" : `.${f.path}${f.type === "dir" ? "/" : ""}`;
    return `${t}${perm} ${f.size} ${name}${f.type === "symlink" ? ` -> ${f.linkname}` : f.type === "hardlink" ? ` link to ${f.linkname}` : ""}`;
  });
}

/** The bytes of a package's data member, found with our ar reader (the comparison is byte for byte). */
async function dataMember(deb: string): Promise<Buffer> {
  const m = (await listArFile(deb)).find((x) => x.name.startsWith("data.tar"))!;
  return readFileSync(deb).subarray(m.offset, m.offset + m.size);
}

describe("readDeb on real Debian packages", () => {
  it("reads the same control fields and file list as dpkg-deb -f / -c", async () => {
    for (const deb of debs) {
      const info = await readDeb(deb, { files: true });
      const fields = must("dpkg-deb", ["-f", deb]);
      expect(info.control.map(([k, v]) => `${k}: ${v}`).join("\n") + "\n").toBe(fields);
      expect(ourListing(info.files!)).toEqual(dpkgListing(deb));
      expect(info.files!.length).toBeGreaterThan(5);
    }
  });

  it("rewrites the version: only the control member changes, dpkg-deb accepts the result", async () => {
    const src = debs.find((d) => path.basename(d).startsWith("hello_"))!;
    const out = path.join(tmp(), "rewritten.deb");
    const before = await readDeb(src);
    const v = `${before.version}-20261120100000-${"ab".repeat(32)}`;
    await rewriteDebVersion(src, v, out);
    expect(must("dpkg-deb", ["-f", out, "Version"]).trim()).toBe(v);
    expect(must("dpkg-deb", ["-f", out, "Depends"])).toBe(must("dpkg-deb", ["-f", src, "Depends"]));
    const a = await listArFile(src);
    const b = await listArFile(out);
    // same members; the control member is rewritten as control.tar.gz
    expect(b.map((m) => m.name)).toEqual(a.map((m) => (m.name.startsWith("control.tar") ? "control.tar.gz" : m.name)));
    expect((await dataMember(out)).equals(await dataMember(src))).toBe(true);
    // the control member differs only in Version
    const fa = must("dpkg-deb", ["-f", src]).replace(/^Version: .*$/m, "");
    const fb = must("dpkg-deb", ["-f", out]).replace(/^Version: .*$/m, "");
    expect(fb).toBe(fa);
    // dpkg-deb's own integrity check
    must("dpkg-deb", ["--info", out]);
    expect(must("dpkg-deb", ["-c", out])).toBe(must("dpkg-deb", ["-c", src]));
  });
});

describe("large packages, past the in-memory paths", () => {
  // A package file over 8 MiB is read as a stream, and an xz member that decodes to over 16 MiB goes
  // to liblzma instead of the JavaScript decoder (deb.ts, compress.ts): both must read and rewrite
  // exactly as the small ones do.
  const cases: Array<[string, Buffer, (debSize: number) => boolean]> = [
    ["a 12 MB incompressible file (the .deb itself is over 8 MiB)", pseudoRandom(12_000_000, "large"), (n) => n > 8 << 20],
    ["a 40 MB compressible file (small .deb, data member decodes to over 16 MiB)", Buffer.from("0123456789abcdef".repeat(2_500_000)), (n) => n < 8 << 20],
  ];
  for (const [what, content, sized] of cases)
    it(`reads and rewrites ${what} as dpkg-deb does`, async () => {
      const dir = tmp();
      const root = path.join(dir, "root");
      mkdirSync(path.join(root, "DEBIAN"), { recursive: true });
      mkdirSync(path.join(root, "usr/share/large"), { recursive: true });
      writeFileSync(path.join(root, "DEBIAN/control"), "Package: large\nVersion: 1.0-1\nArchitecture: amd64\nMaintainer: A <a@example.org>\nDescription: large\n");
      writeFileSync(path.join(root, "usr/share/large/content"), content);
      writeFileSync(path.join(root, "usr/share/large/README"), "small file after the large one\n");
      const src = path.join(dir, "large_1.0-1_amd64.deb");
      // preset 0: quick to build, and the format is the same as at any preset
      must("dpkg-deb", ["--root-owner-group", "-Zxz", "-z0", "--build", root, src]);
      expect(sized(statSync(src).size)).toBe(true);
      const info = await readDeb(src, { files: true });
      expect(info.control.map(([k, v]) => `${k}: ${v}`).join("\n") + "\n").toBe(must("dpkg-deb", ["-f", src]));
      expect(ourListing(info.files!)).toEqual(dpkgListing(src));
      const out = path.join(dir, "rewritten.deb");
      const v = `1.0-1-20261120100000-${"cd".repeat(32)}`;
      await rewriteDebVersion(src, v, out);
      expect(must("dpkg-deb", ["-f", out, "Version"]).trim()).toBe(v);
      expect(must("dpkg-deb", ["-c", out])).toBe(must("dpkg-deb", ["-c", src]));
      expect((await dataMember(out)).equals(await dataMember(src))).toBe(true);
      // and dpkg unpacks the rewritten package's file with the very bytes that went in
      const x = path.join(dir, "x");
      must("dpkg-deb", ["-x", out, x]);
      expect(readFileSync(path.join(x, "usr/share/large/content")).equals(content)).toBe(true);
    });
});

describe("corrupt and truncated packages", () => {
  it("inspect and the rewriter give one clear line, no stack trace", async () => {
    const src = debs.find((d) => path.basename(d).startsWith("hello_"))!;
    const dir = tmp();
    const buf = readFileSync(src);
    const truncated = path.join(dir, "truncated.deb");
    writeFileSync(truncated, buf.subarray(0, Math.floor(buf.length / 2)));
    const garbage = path.join(dir, "garbage.deb");
    writeFileSync(garbage, Buffer.concat([Buffer.from("!<arch>\n"), Buffer.from("x".repeat(200))]));
    const badData = path.join(dir, "baddata.deb");
    copyFileSync(src, badData);
    const members = await listArFile(src);
    const data = members.find((m) => m.name.startsWith("data.tar"))!;
    const corrupted = Buffer.from(buf);
    for (let i = data.offset + 100; i < data.offset + 400; i++) corrupted[i] = corrupted[i]! ^ 0x5a;
    writeFileSync(badData, corrupted);
    for (const f of [truncated, garbage, badData]) {
      const r = repogen(["inspect", f]);
      expect(r.status, f).toBe(1);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
      expect(r.stderr).toContain(f);
      expect(r.stderr).not.toMatch(/at .*\.js:\d+/);
      expect(sh("dpkg-deb", ["-c", f]).status).not.toBe(0);
    }
    await expect(rewriteDebVersion(truncated, "1.0-1", path.join(dir, "out.deb"))).rejects.toThrow(/truncated/);
  });
});
