// The tar reader against archives written by GNU tar, listed by GNU tar; and header fields it must refuse.
import { describe, expect, it } from "vitest";
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { readTarBuffer } from "../src/archive/tar.js";
import { CorruptArchiveError } from "../src/errors.js";
import { must, tmp } from "./helpers.js";

const LONG_DIR = "a-rather-long-folder-name-".repeat(2) + "/" + "another-long-folder-name-".repeat(2);

function tree(): string {
  const d = tmp("repogen-tar-");
  mkdirSync(path.join(d, "root/usr/share/doc/x"), { recursive: true });
  writeFileSync(path.join(d, "root/usr/share/doc/x/README"), "hello\n");
  // a path over 100 bytes in folders short enough for ustar's prefix field
  mkdirSync(path.join(d, "root/usr/share/doc/x", LONG_DIR), { recursive: true });
  writeFileSync(path.join(d, "root/usr/share/doc/x", LONG_DIR, "a-file-with-a-long-name.txt"), "long\n");
  writeFileSync(path.join(d, "root/usr/share/doc/x/empty"), "");
  writeFileSync(path.join(d, "root/usr/share/doc/x/big"), Buffer.alloc(70_000, 7));
  symlinkSync("README", path.join(d, "root/usr/share/doc/x/link"));
  return d;
}

/** A header block with its checksum recomputed, so that only the field under test is wrong. */
function withChecksum(h: Buffer): Buffer {
  h.fill(0x20, 148, 156);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(sum.toString(8).padStart(6, "0") + "\0 ", 148, "latin1");
  return h;
}

describe("readTarBuffer", () => {
  for (const format of ["gnu", "ustar", "pax"]) {
    it(`reads what GNU tar writes (--format=${format}) as tar -tv lists it`, () => {
      const d = tree();
      const file = path.join(d, "t.tar");
      must("tar", [`--format=${format}`, "-C", path.join(d, "root"), "-cf", file, "--sort=name", "."]);
      const entries = readTarBuffer(readFileSync(file));
      const listed = must("tar", ["-tvf", file, "--numeric-owner"]).trim().split("\n");
      expect(entries.map((e) => e.name.replace(/\/$/, ""))).toEqual(listed.map((l) => /^\S+\s+\S+\s+\d+\s+\S+\s+\S+\s+(.*?)(?: -> .*)?$/.exec(l)![1]!.replace(/\/$/, "")));
      for (const [i, l] of listed.entries()) {
        const [perm, , size] = l.split(/\s+/);
        const e = entries[i]!;
        expect(e.size, l).toBe(e.type === "file" ? Number(size) : 0);
        expect(perm![0], l).toBe(e.type === "dir" ? "d" : e.type === "symlink" ? "l" : "-");
      }
      const big = entries.find((e) => e.name.endsWith("/big"))!;
      expect(big.data!.equals(Buffer.alloc(70_000, 7))).toBe(true);
      expect(entries.find((e) => e.name.endsWith("/link"))!.linkname).toBe("README");
      const long = entries.find((e) => e.name.endsWith("/a-file-with-a-long-name.txt"))!;
      expect(Buffer.byteLength(long.name)).toBeGreaterThan(100);
      expect(long.data!.toString()).toBe("long\n");
    });
  }

  it("reads numeric fields with leading spaces and trailing NULs, and refuses any other character", () => {
    const d = tree();
    const file = path.join(d, "t.tar");
    must("tar", ["--format=ustar", "-C", path.join(d, "root/usr/share/doc/x"), "-cf", file, "README"]);
    const tar = readFileSync(file);
    const head = tar.subarray(0, 512);

    const spaced = Buffer.from(tar);
    spaced.write("   644 \0", 100, "latin1"); // mode, old-style
    withChecksum(spaced.subarray(0, 512));
    expect(readTarBuffer(spaced)[0]!.mode).toBe(0o644);

    for (const bad of ["0000x644", "00 00644", "0009644\0"]) {
      const b = Buffer.concat([Buffer.from(head), tar.subarray(512)]);
      b.write(bad, 100, "latin1");
      withChecksum(b.subarray(0, 512));
      expect(() => readTarBuffer(b), bad).toThrow(CorruptArchiveError);
      expect(() => readTarBuffer(b), bad).toThrow(/mode field is not octal/);
    }

    const badSum = Buffer.from(tar);
    badSum[0] = badSum[0]! ^ 1;
    expect(() => readTarBuffer(badSum)).toThrow(/checksum/);
  });
});
