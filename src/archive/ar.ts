/**
 * The ar container of .deb files: an 8-byte magic, then 60-byte member headers, each member padded
 * to an even size with "\n". Written by hand rather than with ar-async, which writes the builder's
 * uid and fractional mtimes (FORMATS §5) and buffers whole members.
 */
import { open, type FileHandle } from "node:fs/promises";
import { CorruptArchiveError } from "../errors.js";

export const AR_MAGIC = Buffer.from("!<arch>\n", "latin1");

function field(value: string, width: number): string {
  if (value.length > width) throw new RangeError(`ar field "${value}" longer than ${width}`);
  return value.padEnd(width, " ");
}

/** Header of one member, as dpkg-deb writes it: uid/gid 0, mode 100644, no trailing "/". */
export function arHeader(name: string, size: number, mtime: number): Buffer {
  if (!/^[\x21-\x7e]{1,15}$/.test(name) || name.includes("/")) throw new RangeError(`bad ar member name ${name}`);
  const s =
    field(name, 16) +
    field(String(Math.floor(mtime)), 12) +
    field("0", 6) +
    field("0", 6) +
    field("100644", 8) +
    field(String(size), 10) +
    "`\n";
  return Buffer.from(s, "latin1");
}

export function arPadding(size: number): Buffer {
  return size % 2 === 1 ? Buffer.from("\n") : Buffer.alloc(0);
}

export interface ArMember {
  name: string;
  /** Offset of the member's content in the file. */
  offset: number;
  size: number;
  mtime: number;
}

function parseHeader(h: Buffer, at: number, fileSize: number, subject?: string): ArMember {
  if (h[58] !== 0x60 || h[59] !== 0x0a) throw new CorruptArchiveError(`bad ar member header at byte ${at}`, subject);
  let name = h.toString("latin1", 0, 16).trimEnd();
  if (name.startsWith("#1/") || name === "//") throw new CorruptArchiveError(`unsupported ar long-name member "${name}"`, subject);
  if (name.endsWith("/") && name !== "/") name = name.slice(0, -1);
  const sizeStr = h.toString("latin1", 48, 58).trim();
  if (!/^\d+$/.test(sizeStr)) throw new CorruptArchiveError(`bad size in ar member "${name}"`, subject);
  const size = Number(sizeStr);
  if (!Number.isSafeInteger(size)) throw new CorruptArchiveError(`bad size in ar member "${name}"`, subject);
  // The other numeric fields are not read by dpkg, but the rewrite copies the mtime: each must be a
  // number (blank reads as 0), never a stray byte that would become "NaN" in a header we write.
  const mtimeStr = h.toString("latin1", 16, 28).trim();
  for (const [what, v, re] of [
    ["mtime", mtimeStr, /^\d{0,12}$/],
    ["uid", h.toString("latin1", 28, 34).trim(), /^\d{0,6}$/],
    ["gid", h.toString("latin1", 34, 40).trim(), /^\d{0,6}$/],
    ["mode", h.toString("latin1", 40, 48).trim(), /^[0-7]{0,8}$/],
  ] as const)
    if (!re.test(v)) throw new CorruptArchiveError(`bad ${what} in ar member "${name}"`, subject);
  const mtime = Number(mtimeStr || "0");
  const offset = at + 60;
  if (offset + size > fileSize) throw new CorruptArchiveError(`ar member "${name}" is truncated (needs ${size} bytes, file ends first)`, subject);
  return { name, offset, size, mtime };
}

/** Lists the members of an ar file by reading only the headers. */
export async function listArFile(path: string): Promise<ArMember[]> {
  const fh = await open(path, "r");
  try {
    return await listAr(fh, path);
  } finally {
    await fh.close();
  }
}

/** Reads `length` bytes at `position`; returns fewer at the end of the file. */
export type ReadAt = (position: number, length: number) => Promise<Buffer>;

export function readAtHandle(fh: FileHandle): ReadAt {
  return async (position, length) => {
    const b = Buffer.alloc(length);
    const { bytesRead } = await fh.read(b, 0, length, position);
    return b.subarray(0, bytesRead);
  };
}

export function readAtBuffer(buf: Buffer): ReadAt {
  return async (position, length) => buf.subarray(position, position + length);
}

export async function listAr(fh: FileHandle, subject?: string): Promise<ArMember[]> {
  return listArAt(readAtHandle(fh), (await fh.stat()).size, subject);
}

export async function listArAt(read: ReadAt, fileSize: number, subject?: string): Promise<ArMember[]> {
  const magic = await read(0, 8);
  if (magic.length < 8 || !magic.equals(AR_MAGIC)) throw new CorruptArchiveError("not an ar archive (bad magic)", subject);
  const out: ArMember[] = [];
  let at = 8;
  while (at < fileSize) {
    const h = await read(at, 60);
    if (h.length === 0) break;
    if (h.length < 60) throw new CorruptArchiveError(`ar header truncated at byte ${at}`, subject);
    const m = parseHeader(h, at, fileSize, subject);
    out.push(m);
    at = m.offset + m.size + (m.size % 2);
  }
  return out;
}

export async function readMember(read: ReadAt, m: ArMember): Promise<Buffer> {
  const b = await read(m.offset, m.size);
  if (b.length !== m.size) throw new CorruptArchiveError(`ar member "${m.name}" is truncated`);
  return b;
}
