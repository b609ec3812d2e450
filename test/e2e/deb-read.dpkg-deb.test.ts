// Reading real Debian packages, and rewriting a version: compared with what dpkg-deb says.
import { describe, expect, it, beforeAll } from "vitest";
import { readdirSync, readFileSync, writeFileSync, copyFileSync } from "node:fs";
import path from "node:path";
import { readDeb, rewriteDebVersion } from "../../src/debian/deb.js";
import { listArFile } from "../../src/archive/ar.js";
import { must, repogen, sh, tmp } from "../helpers.js";

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
    const bufA = readFileSync(src);
    const bufB = readFileSync(out);
    const dataA = a.find((m) => m.name.startsWith("data.tar"))!;
    const dataB = b.find((m) => m.name.startsWith("data.tar"))!;
    expect(bufB.subarray(dataB.offset, dataB.offset + dataB.size).equals(bufA.subarray(dataA.offset, dataA.offset + dataA.size))).toBe(true);
    // the control member differs only in Version
    const fa = must("dpkg-deb", ["-f", src]).replace(/^Version: .*$/m, "");
    const fb = must("dpkg-deb", ["-f", out]).replace(/^Version: .*$/m, "");
    expect(fb).toBe(fa);
    // dpkg-deb's own integrity check
    must("dpkg-deb", ["--info", out]);
    expect(must("dpkg-deb", ["-c", out])).toBe(must("dpkg-deb", ["-c", src]));
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
