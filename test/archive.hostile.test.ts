// The readers against hostile input, in-process: strict tar numbers and PAX records (judged by GNU
// tar and bsdtar), the decode limits, zstd frame checksums (judged by zstd -t), duplicate manifest
// keys, FreeBSD versions a URL cannot carry, and files that are not regular files.
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { readTarBuffer, tarBuffer, TarParser } from "../src/archive/tar.js";
import { decompressBuffer } from "../src/archive/compress.js";
import { readDeb } from "../src/debian/deb.js";
import { readPkg } from "../src/freebsd/pkg.js";
import { parseManifest } from "../src/freebsd/manifest.js";
import { checkFreebsdVersion } from "../src/freebsd/version.js";
import { CorruptArchiveError, FormatError, LimitError, RepogenError, UnsafePathError } from "../src/errors.js";
import { readRegularFile, readRegularFileSync } from "../src/util/regular-file.js";
import { collectStaged, stagedChunks } from "../src/stage.js";
import type { PackageSpec } from "../src/spec.js";
import { tmp } from "./helpers.js";
import {
  compress,
  compressedZeros,
  control,
  controlTar,
  dataTar,
  deb,
  debFromMembers,
  fixChecksum,
  manifest,
  paxRecord,
  paxTar,
  pkgTar,
  T,
  writeTo,
} from "./hostile-packages.js";

const hasBsdtar = spawnSync("bsdtar", ["--version"]).status === 0;

/** A tar of one file whose header bytes [at, at+len) are replaced (checksum fixed). */
function withField(at: number, bytes: string): Buffer {
  const t = tarBuffer([{ name: "./f", type: "file", mode: 0o644, size: 0, mtime: T, data: Buffer.from("hi") }]);
  Buffer.from(bytes, "latin1").copy(t, at);
  fixChecksum(t, 0);
  return t;
}

function ours(t: Buffer): "accepted" | string {
  try {
    readTarBuffer(t);
    return "accepted";
  } catch (e) {
    expect(e).toBeInstanceOf(RepogenError);
    return (e as Error).message;
  }
}

function gnuTarAccepts(t: Buffer): boolean {
  const r = spawnSync("tar", ["-tvf", "-"], { input: t });
  return r.status === 0 && !/numeric .* value expected|Blanks in header/.test(String(r.stderr));
}

describe("tar header numbers", () => {
  const MODE = 100;
  const MTIME = 136;
  const cases: Array<[string, number, string, boolean]> = [
    ["plain octal", MODE, "0000644\0", true],
    ["leading spaces", MODE, "   00644", true],
    ["trailing space", MODE, "000644 \0", true],
    ["all NULs", MODE, "\0\0\0\0\0\0\0\0", true],
    ["base-256", MODE, "\x80\0\0\0\0\0\x01\xa4", true],
    ["a 9", MODE, "0000649\0", false],
    ["a letter", MODE, "00006x4\0", false],
    ["high byte that is not base-256", MODE, "\x81\0\0\0\0\0\x01\xa4", false],
    ["blanks", MODE, "        ", false],
    ["digits after a space", MODE, "000 644\0", false],
    ["NUL before the digits", MODE, "\x000000644", false],
    ["negative base-256", MODE, "\xff\xff\xff\xff\xff\xff\xff\xff", false],
    ["mtime with a letter", MTIME, "1234567x012\0", false],
    ["blank mtime", MTIME, "            ", false],
  ];
  for (const [what, at, bytes, ok] of cases)
    it(`${what}: ${ok ? "read" : "refused"}`, () => {
      const t = withField(at, bytes);
      const verdict = ours(t);
      if (ok) expect(verdict).toBe("accepted");
      else expect(verdict).toMatch(/bad tar header: (mode|mtime) field is (not octal|blank|neither octal nor positive base-256)/);
      // Never more lenient than GNU tar (what dpkg-deb -c and -x run).
      if (!gnuTarAccepts(t)) expect(verdict).not.toBe("accepted");
    });

  it("reads a base-256 mode as its value", () => {
    expect(readTarBuffer(withField(MODE, "\x80\0\0\0\0\0\x01\xa4"))[0]!.mode).toBe(0o644);
  });
});

describe("PAX records", () => {
  const data = Buffer.alloc(1000, 0x61);
  const cases: Array<[string, boolean]> = [
    ["1000", true],
    ["01000", true],
    ["1e3", false],
    ["0x3e8", false],
    ["+1000", false],
    ["1000.0", false],
    [" 1000", false],
    ["", false],
    ["-1000", false],
  ];
  for (const [value, ok] of cases)
    it(`size "${value}": ${ok ? "read" : "refused"}`, () => {
      const t = paxTar(paxRecord("size", value), "f", data);
      const verdict = ours(t);
      if (ok) {
        expect(verdict).toBe("accepted");
        const [e] = readTarBuffer(t);
        expect(e!.size).toBe(1000);
        expect(e!.data!.length).toBe(1000);
      } else expect(verdict).toMatch(/bad PAX header: size .* is not a decimal number/);
    });

  it("a record whose length does not fit is refused (libarchive only warns and reads on)", () => {
    for (const rec of ["99 path=x\n", "5 path=abcdef\n", "12path=abcd\n", "11 path=abc.", "x path=abc\n", "7 =abc\n"]) {
      const t = paxTar(rec, "f", data);
      expect(ours(t), rec).toMatch(/bad PAX header/);
      if (hasBsdtar) {
        // bsdtar itself complains about each of these.
        const r = spawnSync("bsdtar", ["-tf", "-"], { input: t });
        expect(String(r.stderr) + r.status, rec).toMatch(/[Mm]alformed|[Ii]gnor|[Ee]rror|[1-9]$/);
      }
    }
  });

  it("a PAX path takes the place of the header's name; a long one hits the name limit", () => {
    expect(readTarBuffer(paxTar(paxRecord("path", "/usr/local/x"), "f", data))[0]!.name).toBe("/usr/local/x");
    expect(() => readTarBuffer(paxTar(paxRecord("path", "/" + "a".repeat(5000)), "f", data))).toThrow(LimitError);
  });
});

describe("decode limits", () => {
  it("a GNU long name past 4096 bytes, and a long-name record past 64 KiB, are refused by name", () => {
    const long = (n: number) => tarBuffer([{ name: "./" + "n".repeat(n), type: "file", mode: 0o644, size: 0, mtime: T, data: Buffer.alloc(0) }]);
    expect(readTarBuffer(long(4000))[0]!.name.length).toBe(4002);
    expect(() => readTarBuffer(long(5000))).toThrow(/longer than 4096 bytes \(limit: tarName\)/);
    expect(() => readTarBuffer(long(70000))).toThrow(/long-name record is larger than 64 KiB \(limit: tarExtended\)/);
  });

  it("the entry count is bounded", () => {
    const t = tarBuffer(Array.from({ length: 50 }, (_, i) => ({ name: `./f${i}`, type: "file" as const, mode: 0o644, size: 0, mtime: T, data: Buffer.alloc(0) })));
    const p = new TarParser(() => undefined, undefined, { entries: 49 });
    expect(() => p.write(t)).toThrow(/more than 49 entries \(limit: entries\)/);
  });

  for (const c of ["xz", "gz", "zst"] as const)
    it(`${c}: a control member that decodes past 16 MiB is refused without decoding it all`, async () => {
      const bomb = compressedZeros(c, Buffer.alloc(0), 64 << 20);
      expect(bomb.length).toBeLessThan(1 << 20);
      await expect(decompressBuffer(c, bomb, "x", { bytes: 16 << 20, name: "controlMember", what: "the control member" })).rejects.toThrow(
        /the control member decodes to more than 16 MiB \(limit: controlMember\)/,
      );
      const w = tmp();
      const f = writeTo(path.join(w, "bomb.deb"), debFromMembers([{ name: `control.tar.${c}`, data: bomb }, { name: "data.tar", data: dataTar("x") }]));
      await expect(readDeb(f)).rejects.toThrow(LimitError);
    });

  it("a data member's file names are bounded in total", async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 9000; i++) files[`${String(i).padStart(6, "0")}${"x".repeat(3900)}`] = "";
    const w = tmp();
    const f = writeTo(path.join(w, "names.deb"), await deb(controlTar(control("names")), dataTar("names", files), "gz", "none"));
    await expect(readDeb(f, { files: true })).rejects.toThrow(/file names add up to more than 32 MiB \(limit: fileList\)/);
    // Without the file list (no Contents), the data member is not read at all.
    expect((await readDeb(f)).name).toBe("names");
  });
});

describe("zstd frame checksums", () => {
  it("a .pkg whose zstd checksum was damaged is refused, as zstd -t refuses it", async () => {
    const w = tmp();
    const good = await compress("zst", pkgTar(JSON.stringify(manifest())));
    const goodFile = writeTo(path.join(w, "good.pkg"), good);
    expect((await readPkg(goodFile)).manifest.name).toBe("fbpkg");
    // The checksum is the frame's last four bytes (zstd writes one by default).
    for (let k = 1; k <= 4; k++) {
      const bad = Buffer.from(good);
      bad[bad.length - k]! ^= 0x01;
      const f = writeTo(path.join(w, `bad${k}.pkg`), bad);
      expect(spawnSync("zstd", ["-t", "-q", f]).status).not.toBe(0);
      await expect(readPkg(f)).rejects.toThrow(CorruptArchiveError);
    }
  });
});

describe("manifests and versions", () => {
  it("a key given twice is refused, at any depth", () => {
    const m = JSON.stringify(manifest());
    expect(parseManifest(m, true).name).toBe("fbpkg");
    expect(() => parseManifest(m.replace('"version":"1.0"', '"version":"1.0","version":"9.9"'), true)).toThrow(/key "version" appears twice/);
    expect(() => parseManifest(m.replace('"name":"fbpkg"', '"name":"fbpkg","name":"other"'), true)).toThrow(/appears twice/);
    expect(() => parseManifest(m.replace('"deps":{}', '"deps":{"a":{"origin":"x/a","version":"1","version":"2"}}'), true)).toThrow(/appears twice/);
    expect(() => parseManifest('name = "a"\nname = "b"\n', false)).toThrow(/appears twice/);
  });

  it("a FreeBSD version that a URL cannot carry plainly is refused", () => {
    for (const v of ["1.0", "1.0_1", "1.0,1", "1.0+20261120.abc", "2.0rc1", "1.0~pre"]) expect(checkFreebsdVersion(v)).toBe(v);
    for (const v of ["1.0#x", "1.0?x", "1.0%41", "1.0-1", "1 0", "1.0/2", "1.0\u00e9", "", "1.0&x", "1.0;x", "a".repeat(300)])
      expect(() => checkFreebsdVersion(v), v).toThrow(FormatError);
  });

  it("a .pkg whose +MANIFEST is not a regular file entry is refused, uncompressed or not", async () => {
    const w = tmp();
    const text = JSON.stringify(manifest());
    for (const flag of ["3", "5", "1", "2", "6", "x", "V"]) {
      const t = pkgTar(text);
      const off = 512 + Math.ceil(text.length / 512) * 512;
      t[off + 156] = flag.charCodeAt(0);
      fixChecksum(t, off);
      for (const c of ["none", "zst"] as const) {
        const f = writeTo(path.join(w, `m${flag.charCodeAt(0)}.${c}.pkg`), c === "none" ? t : await compress(c, t));
        await expect(readPkg(f), `${flag} ${c}`).rejects.toThrow(RepogenError);
      }
    }
  });
});

describe("files that are not regular files", () => {
  const o = { cap: 1 << 20, limit: "spec", what: "package spec" };
  it("a FIFO, a device, a folder and a symlink are refused at once; a large file by its limit", async () => {
    const w = tmp();
    const fifo = path.join(w, "fifo");
    expect(spawnSync("mkfifo", [fifo]).status).toBe(0);
    await expect(readRegularFile(fifo, o)).rejects.toThrow(/package spec is a FIFO, not a regular file/);
    expect(() => readRegularFileSync(fifo, o)).toThrow(UnsafePathError);
    await expect(readRegularFile("/dev/zero", o)).rejects.toThrow(/is a device/);
    mkdirSync(path.join(w, "dir"));
    await expect(readRegularFile(path.join(w, "dir"), o)).rejects.toThrow(/is a folder/);
    writeFileSync(path.join(w, "real"), "x");
    symlinkSync(path.join(w, "real"), path.join(w, "link"));
    await expect(readRegularFile(path.join(w, "link"), o)).rejects.toThrow(/symlink/);
    writeFileSync(path.join(w, "big"), Buffer.alloc((1 << 20) + 1));
    await expect(readRegularFile(path.join(w, "big"), o)).rejects.toThrow(/larger than 1 MiB \(limit: spec\)/);
    expect((await readRegularFile(path.join(w, "real"), o)).toString()).toBe("x");
  });

  it("a staged file that became a FIFO after the walk is refused when packaged, not read forever", async () => {
    const w = tmp();
    const fifo = path.join(w, "f");
    expect(spawnSync("mkfifo", [fifo]).status).toBe(0);
    const read = async () => {
      for await (const c of stagedChunks(fifo, "job/uuid")) void c;
    };
    await expect(read()).rejects.toThrow(/staged file is a FIFO, not a regular file/);
  });

  it("a staged tree past the name or entry limits is refused before it is packaged", async () => {
    const w = tmp();
    writeFileSync(path.join(w, "a"), "x");
    const spec = (dst: string) => ({ files: [{ src: "a", dst, config: false }] }) as unknown as PackageSpec;
    expect(await collectStaged(spec("/usr/share/a"), w)).toHaveLength(1);
    await expect(collectStaged(spec("/usr/share/" + "d".repeat(5000)), w)).rejects.toThrow(/longer than 4096 bytes \(limit: tarName\)/);
  });

  it("a .deb or .pkg that is a FIFO is refused without blocking", async () => {
    const w = tmp();
    for (const n of ["a.deb", "a.pkg"]) expect(spawnSync("mkfifo", [path.join(w, n)]).status).toBe(0);
    await expect(readDeb(path.join(w, "a.deb"))).rejects.toThrow(/FIFO/);
    await expect(readPkg(path.join(w, "a.pkg"))).rejects.toThrow(/FIFO/);
  });
});
