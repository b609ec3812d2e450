// Hand-made package files for the bomb, strictness and fuzz tests: any member, any compression,
// any header byte, so that what dpkg-deb or pkg would never write can be fed to the readers.
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { arHeader, arPadding } from "../src/archive/ar.js";
import { compressBuffer, extensionOf, type Compression } from "../src/archive/compress.js";
import { contentPadding, padded, tarBuffer, tarHeader, tarTrailer, type TarEntry } from "../src/archive/tar.js";

export const T = 1700000000;

export function control(name: string, version = "1.0-1", extra = ""): string {
  return `Package: ${name}\nVersion: ${version}\nArchitecture: amd64\nMaintainer: A <a@b.c>\nDescription: ${name}\n${extra}`;
}

export function controlTar(text: string, more: Array<TarEntry & { data?: Buffer }> = []): Buffer {
  return tarBuffer([
    { name: "./", type: "dir", mode: 0o755, size: 0, mtime: T },
    { name: "./control", type: "file", mode: 0o644, size: 0, mtime: T, data: Buffer.from(text) },
    ...more,
  ]);
}

export function dataTar(name: string, files: Record<string, string | Buffer> = { README: "hello\n" }): Buffer {
  const entries: Array<TarEntry & { data?: Buffer }> = [{ name: "./", type: "dir", mode: 0o755, size: 0, mtime: T }];
  for (const d of ["./usr/", "./usr/share/", `./usr/share/${name}/`]) entries.push({ name: d, type: "dir", mode: 0o755, size: 0, mtime: T });
  for (const [n, c] of Object.entries(files)) entries.push({ name: `./usr/share/${name}/${n}`, type: "file", mode: 0o644, size: 0, mtime: T, data: Buffer.from(c) });
  return tarBuffer(entries);
}

/** Compresses with the system tools (xz, gzip via zlib, zstd), as the real writers do. */
export async function compress(c: Compression, b: Buffer): Promise<Buffer> {
  if (c === "bz2") return spawnSync("bzip2", ["-c"], { input: b, maxBuffer: 1 << 30 }).stdout;
  return compressBuffer(c, b);
}

/** A stream of N zero bytes after `head`, compressed by a system tool without holding N bytes. */
export function compressedZeros(c: "xz" | "gz" | "zst", head: Buffer, n: number, tail: Buffer = Buffer.alloc(0)): Buffer {
  const tool = c === "xz" ? "xz -0 -T1 -c" : c === "gz" ? "gzip -1 -c" : "zstd -1 -q -c";
  const r = spawnSync("sh", ["-c", `{ head -c ${head.length}; head -c ${n} /dev/zero; cat; } | ${tool}`], {
    input: Buffer.concat([head, tail]),
    maxBuffer: 1 << 30,
  });
  if (r.status !== 0) throw new Error(`${tool} failed: ${r.stderr}`);
  return r.stdout;
}

export interface DebMember {
  name: string;
  data: Buffer;
}

export function debFromMembers(members: DebMember[]): Buffer {
  const parts = [Buffer.from("!<arch>\n"), arHeader("debian-binary", 4, T), Buffer.from("2.0\n")];
  for (const m of members) parts.push(arHeader(m.name, m.data.length, T), m.data, arPadding(m.data.length));
  return Buffer.concat(parts);
}

export async function deb(ctl: Buffer, data: Buffer, cc: Compression = "none", dc: Compression = "none"): Promise<Buffer> {
  return debFromMembers([
    { name: `control.tar${extensionOf(cc)}`, data: cc === "none" ? ctl : await compress(cc, ctl) },
    { name: `data.tar${extensionOf(dc)}`, data: dc === "none" ? data : await compress(dc, data) },
  ]);
}

/** Recomputes the checksum of the tar header at `off`, after its bytes were edited. */
export function fixChecksum(tar: Buffer, off: number): void {
  tar.fill(0x20, off + 148, off + 156);
  let s = 0;
  for (let i = 0; i < 512; i++) s += tar[off + i]!;
  tar.write(s.toString(8).padStart(6, "0"), off + 148, "latin1");
  tar[off + 154] = 0;
  tar[off + 155] = 0x20;
}

/** Offsets of every header block in a tar (walking sizes as written). */
export function headerOffsets(tar: Buffer): number[] {
  const out: number[] = [];
  let off = 0;
  while (off + 512 <= tar.length) {
    const h = tar.subarray(off, off + 512);
    if (h.every((b) => b === 0)) break;
    out.push(off);
    const size = parseInt(h.toString("latin1", 124, 136).replace(/\0.*$/, "").trim() || "0", 8) || 0;
    const flag = String.fromCharCode(h[156]!);
    const hasData = ["0", "\0", "L", "K", "x", "g", "7"].includes(flag);
    off += 512 + (hasData ? padded(size) : 0);
  }
  return out;
}

export function manifest(o: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: "fbpkg",
    origin: "local/fbpkg",
    version: "1.0",
    comment: "c",
    maintainer: "m@example.org",
    www: "https://example.org",
    abi: "FreeBSD:14:amd64",
    arch: "freebsd:14:x86:64",
    prefix: "/usr/local",
    flatsize: 6,
    licenselogic: "single",
    licenses: [],
    desc: "d",
    deps: {},
    categories: ["misc"],
    files: { "/usr/local/share/fbpkg/README": { sum: "1$" + "0".repeat(64), uname: "root", gname: "wheel", perm: "0644" } },
    ...o,
  };
}

/** The tar of a .pkg: both manifests (given as text, so that they can be malformed) and one file. */
export function pkgTar(manifestText: string, compactText = manifestText, extra: Array<TarEntry & { data?: Buffer }> = []): Buffer {
  return tarBuffer([
    { name: "+COMPACT_MANIFEST", type: "file", mode: 0o644, size: 0, mtime: T, uname: "root", gname: "wheel", data: Buffer.from(compactText) },
    { name: "+MANIFEST", type: "file", mode: 0o644, size: 0, mtime: T, uname: "root", gname: "wheel", data: Buffer.from(manifestText) },
    { name: "/usr/local/share/fbpkg/README", type: "file", mode: 0o644, size: 0, mtime: T, uname: "root", gname: "wheel", data: Buffer.from("hello\n") },
    ...extra,
  ]);
}

/** A tar holding one PAX header (records given raw) before a file with `data`. */
export function paxTar(records: string, name: string, data: Buffer, before: Array<TarEntry & { data?: Buffer }> = []): Buffer {
  const parts: Buffer[] = [];
  let n = 0;
  for (const e of before) {
    const d = e.data ?? Buffer.alloc(0);
    const h = tarHeader({ ...e, size: d.length });
    parts.push(h, d, contentPadding(d.length));
    n += h.length + padded(d.length);
  }
  const rec = Buffer.from(records);
  const ph = tarHeader({ name: "PaxHeaders/x", type: "file", mode: 0o644, size: rec.length, mtime: T });
  ph[156] = "x".charCodeAt(0);
  fixChecksum(ph, 0);
  const fh = tarHeader({ name, type: "file", mode: 0o644, size: data.length, mtime: T, uname: "root", gname: "wheel" });
  parts.push(ph, rec, contentPadding(rec.length), fh, data, contentPadding(data.length));
  n += 512 + padded(rec.length) + 512 + padded(data.length);
  parts.push(tarTrailer(n));
  return Buffer.concat(parts);
}

/** One PAX record with its length prefix computed. */
export function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  let len = body.length + 1;
  while (String(len).length + body.length !== len) len = String(len).length + body.length;
  return `${len}${body}`;
}

export function writeTo(file: string, b: Buffer): string {
  writeFileSync(file, b);
  return file;
}
