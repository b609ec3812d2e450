/**
 * Tar in GNU format, written the way GNU tar writes it for dpkg-deb (`--format=gnu`): long names go
 * into `././@LongLink` entries, never PAX headers, because dpkg rejects PAX. The reader accepts
 * ustar, GNU and PAX so that it can read any package.
 */
import { CorruptArchiveError, LimitError } from "../errors.js";
import { describeLimit, LIMITS } from "./limits.js";

export type TarEntryType = "file" | "dir" | "symlink" | "hardlink" | "other";

export interface TarEntry {
  /** Name as stored; directories end with "/" when written by us. */
  name: string;
  type: TarEntryType;
  mode: number;
  size: number;
  mtime: number;
  linkname?: string;
  uid?: number;
  gid?: number;
  uname?: string;
  gname?: string;
}

const BLOCK = 512;
/** GNU tar pads the archive to whole records of 20 blocks. */
export const RECORD = 10240;

function writeOctal(buf: Buffer, offset: number, width: number, value: number): void {
  // width includes the terminating NUL, as GNU tar writes it.
  const digits = value.toString(8);
  if (digits.length > width - 1) {
    if (width !== 12) throw new RangeError(`value ${value} does not fit a ${width}-byte tar field`);
    // Base-256 for sizes and times beyond 8 GiB, as GNU tar does.
    buf[offset] = 0x80;
    let v = BigInt(value);
    for (let i = offset + width - 1; i > offset; i--) {
      buf[i] = Number(v & 0xffn);
      v >>= 8n;
    }
    return;
  }
  buf.write(digits.padStart(width - 1, "0"), offset, "latin1");
  buf[offset + width - 1] = 0;
}

function typeFlag(t: TarEntryType): string {
  switch (t) {
    case "file":
      return "0";
    case "dir":
      return "5";
    case "symlink":
      return "2";
    case "hardlink":
      return "1";
    default:
      throw new RangeError(`cannot write tar entry of type ${t}`);
  }
}

function rawHeader(
  nameBytes: Buffer,
  flag: string,
  mode: number,
  size: number,
  mtime: number,
  linkBytes: Buffer,
  uid: number,
  gid: number,
  uname: string,
  gname: string,
): Buffer {
  const h = Buffer.alloc(BLOCK);
  nameBytes.copy(h, 0, 0, Math.min(100, nameBytes.length));
  writeOctal(h, 100, 8, mode);
  writeOctal(h, 108, 8, uid);
  writeOctal(h, 116, 8, gid);
  writeOctal(h, 124, 12, size);
  writeOctal(h, 136, 12, mtime);
  h.write(flag, 156, "latin1");
  linkBytes.copy(h, 157, 0, Math.min(100, linkBytes.length));
  h.write("ustar  \0", 257, "latin1");
  h.write(uname, 265, 32, "utf8");
  h.write(gname, 297, 32, "utf8");
  h.fill(0x20, 148, 156);
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += h[i]!;
  h.write(sum.toString(8).padStart(6, "0"), 148, "latin1");
  h[154] = 0;
  h[155] = 0x20;
  return h;
}

function longLink(flag: "L" | "K", bytes: Buffer, uname: string, gname: string): Buffer {
  const data = Buffer.alloc(padded(bytes.length + 1));
  bytes.copy(data);
  const head = rawHeader(Buffer.from("././@LongLink"), flag, 0o644, bytes.length + 1, 0, Buffer.alloc(0), 0, 0, uname, gname);
  return Buffer.concat([head, data]);
}

export function padded(n: number): number {
  return Math.ceil(n / BLOCK) * BLOCK;
}

/** The header block(s) of one entry, GNU long-name entries included. Contents and padding follow. */
export function tarHeader(e: TarEntry): Buffer {
  const uname = e.uname ?? "root";
  const gname = e.gname ?? "root";
  const nameBytes = Buffer.from(e.name, "utf8");
  const linkBytes = Buffer.from(e.linkname ?? "", "utf8");
  const parts: Buffer[] = [];
  if (linkBytes.length > 100) parts.push(longLink("K", linkBytes, uname, gname));
  if (nameBytes.length > 100) parts.push(longLink("L", nameBytes, uname, gname));
  const size = e.type === "file" ? e.size : 0;
  parts.push(rawHeader(nameBytes, typeFlag(e.type), e.mode & 0o7777, size, e.mtime, linkBytes, e.uid ?? 0, e.gid ?? 0, uname, gname));
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
}

/** Zero bytes that follow a member's content to the next block. */
export function contentPadding(size: number): Buffer {
  return Buffer.alloc(padded(size) - size);
}

/** The end of archive: two zero blocks, then zeros up to the record size. */
export function tarTrailer(bytesSoFar: number): Buffer {
  const end = bytesSoFar + 2 * BLOCK;
  const total = Math.ceil(end / RECORD) * RECORD;
  return Buffer.alloc(total - bytesSoFar);
}

/** Builds a whole tar in memory; for small archives (control members, manifests). */
export function tarBuffer(entries: Array<TarEntry & { data?: Buffer }>): Buffer {
  const parts: Buffer[] = [];
  let n = 0;
  for (const e of entries) {
    const data = e.type === "file" ? (e.data ?? Buffer.alloc(0)) : undefined;
    const h = tarHeader({ ...e, size: data ? data.length : 0 });
    parts.push(h);
    n += h.length;
    if (data) {
      parts.push(data, contentPadding(data.length));
      n += padded(data.length);
    }
  }
  parts.push(tarTrailer(n));
  return Buffer.concat(parts);
}

// ---------------------------------------------------------------- reading

function readString(b: Buffer, off: number, len: number): string {
  const end = b.indexOf(0, off);
  return b.toString("utf8", off, end === -1 || end > off + len ? off + len : end);
}

/**
 * A numeric header field as dpkg's tar reader takes it: spaces before, octal digits, then only NULs
 * and spaces; or GNU base-256 (first byte 0x80). Anything else (a stray byte, a NUL before the
 * digits, a negative base-256 value) is refused, since dpkg-deb refuses such a package.
 */
function readNumber(b: Buffer, off: number, len: number, what: string): number {
  const end = off + len;
  if (b[off]! & 0x80) {
    if (b[off] !== 0x80) throw new CorruptArchiveError(`bad tar header: ${what} field is neither octal nor positive base-256`);
    let v = 0;
    for (let i = off + 1; i < end; i++) {
      v = v * 256 + b[i]!;
      if (v > Number.MAX_SAFE_INTEGER) throw new CorruptArchiveError(`bad tar header: ${what} field is out of range`);
    }
    return v;
  }
  // Parsed by hand: this runs six times per header, thousands of headers per run.
  let i = off;
  while (i < end && b[i] === 0x20) i++;
  const first = i;
  let v = 0;
  for (; i < end; i++) {
    const c = b[i]!;
    if (c === 0 || c === 0x20) break;
    if (c < 0x30 || c > 0x37) throw new CorruptArchiveError(`bad tar header: ${what} field is not octal`);
    v = v * 8 + (c - 0x30);
  }
  // GNU tar refuses a field of blanks ("Blanks in header"); one of NULs reads as 0.
  if (i === first && first > off) throw new CorruptArchiveError(`bad tar header: ${what} field is blank`);
  for (; i < end; i++) if (b[i] !== 0x20 && b[i] !== 0) throw new CorruptArchiveError(`bad tar header: ${what} field is not octal`);
  return v;
}

function checksumOk(h: Buffer): boolean {
  const stored = readNumber(h, 148, 8, "checksum");
  let sum = 8 * 0x20; // the checksum field counts as spaces
  for (let i = 0; i < 148; i++) sum += h[i]!;
  for (let i = 156; i < BLOCK; i++) sum += h[i]!;
  return sum === stored;
}

/** PAX keys whose values are numbers; each must be plain decimal ("1e3" is not 1000). */
const PAX_INTEGER = new Set(["size", "uid", "gid"]);
const PAX_TIME = new Set(["mtime", "atime", "ctime"]);

/**
 * PAX records, "LEN KEY=VALUE\n" each. A malformed record is refused rather than skipped: libarchive
 * skips it with a warning and then reads the entry with other values than we would.
 */
function parsePax(data: Buffer): Map<string, string> {
  const out = new Map<string, string>();
  let i = 0;
  while (i < data.length) {
    let j = i;
    let len = 0;
    while (j < data.length && data[j]! >= 0x30 && data[j]! <= 0x39 && j - i < 8) len = len * 10 + (data[j++]! - 0x30);
    if (j === i || data[j] !== 0x20) throw new CorruptArchiveError("bad PAX header: a record does not start with its decimal length");
    if (len <= j - i + 1 || i + len > data.length || data[i + len - 1] !== 0x0a) throw new CorruptArchiveError("bad PAX header: a record's length does not fit it");
    const rec = data.subarray(j + 1, i + len - 1);
    const eq = rec.indexOf(0x3d);
    if (eq <= 0) throw new CorruptArchiveError("bad PAX header: a record has no KEY=");
    const key = rec.toString("utf8", 0, eq);
    const value = rec.toString("utf8", eq + 1);
    if (PAX_INTEGER.has(key) && (!/^\d{1,16}$/.test(value) || Number(value) > Number.MAX_SAFE_INTEGER))
      throw new CorruptArchiveError(`bad PAX header: ${key} "${value.slice(0, 40)}" is not a decimal number`);
    if (PAX_TIME.has(key) && !/^-?\d{1,20}(\.\d{1,20})?$/.test(value)) throw new CorruptArchiveError(`bad PAX header: ${key} "${value.slice(0, 40)}" is not a decimal time`);
    out.set(key, value);
    i += len;
  }
  return out;
}

export interface TarReadEntry extends TarEntry {
  /** Whether the archive used a PAX header for this entry (dpkg rejects those). */
  pax: boolean;
  /** The header's type flag as written ("0", "5", "3", …; "\0" for old files). */
  flag: string;
}

export interface TarLimits {
  /** Most entries (headers other than long names and PAX) the archive may hold. */
  entries: number;
  /** Longest name or link target, in bytes. */
  name: number;
  /** Largest GNU long-name record or PAX header block. */
  extended: number;
}

const DEFAULT_LIMITS: TarLimits = { entries: LIMITS.entries, name: LIMITS.tarName, extended: LIMITS.tarExtended };

/**
 * Incremental tar parser: feed it chunks, it calls `onEntry` with each header and `onData` with
 * the content bytes. Memory stays bounded by the chunk size, whatever the archive's size.
 */
export class TarParser {
  private buf: Buffer = Buffer.alloc(0);
  private remaining = 0; // content bytes of the current entry still to come
  private pad = 0;
  private current: TarReadEntry | null = null;
  private longName: string | null = null;
  private longLinkName: string | null = null;
  private pax: Map<string, string> | null = null;
  private globalPax = new Map<string, string>();
  private special: { kind: "L" | "K" | "x" | "g"; chunks: Buffer[]; left: number } | null = null;
  private done = false;
  private sawEnd = false;
  private count = 0;
  private readonly limits: TarLimits;

  constructor(
    private readonly onEntry: (e: TarReadEntry) => void,
    private readonly onData?: (e: TarReadEntry, chunk: Buffer) => void,
    limits: Partial<TarLimits> = {},
  ) {
    this.limits = { ...DEFAULT_LIMITS, ...limits };
  }


  get finishedCleanly(): boolean {
    return this.sawEnd || (this.remaining === 0 && this.pad === 0 && this.special === null && this.buf.length === 0);
  }

  write(chunk: Buffer): void {
    if (this.done) return;
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    for (;;) {
      if (this.remaining > 0) {
        if (this.buf.length === 0) return;
        const n = Math.min(this.remaining, this.buf.length);
        const part = this.buf.subarray(0, n);
        this.buf = this.buf.subarray(n);
        this.remaining -= n;
        if (this.special) {
          this.special.chunks.push(Buffer.from(part));
          if (this.remaining === 0) this.finishSpecial();
        } else if (this.current && this.onData) this.onData(this.current, part);
        continue;
      }
      if (this.pad > 0) {
        const n = Math.min(this.pad, this.buf.length);
        this.buf = this.buf.subarray(n);
        this.pad -= n;
        if (this.pad > 0) return;
        continue;
      }
      if (this.buf.length < BLOCK) return;
      const h = this.buf.subarray(0, BLOCK);
      this.buf = this.buf.subarray(BLOCK);
      if (h.every((x) => x === 0)) {
        this.sawEnd = true;
        this.done = true;
        return;
      }
      if (!checksumOk(h)) throw new CorruptArchiveError("bad tar header checksum");
      this.header(h);
    }
  }

  end(): void {
    if (!this.done && !this.finishedCleanly) throw new CorruptArchiveError("tar archive is truncated");
    if (!this.done && this.remaining > 0) throw new CorruptArchiveError("tar archive is truncated");
  }

  private finishSpecial(): void {
    const s = this.special!;
    this.special = null;
    const data = Buffer.concat(s.chunks);
    if (s.kind === "L") this.longName = readString(data, 0, data.length);
    else if (s.kind === "K") this.longLinkName = readString(data, 0, data.length);
    else if (s.kind === "x") this.pax = parsePax(data);
    else for (const [k, v] of parsePax(data)) this.globalPax.set(k, v);
  }

  private header(h: Buffer): void {
    const flag = String.fromCharCode(h[156]!);
    const size = readNumber(h, 124, 12, "size");
    if (flag === "L" || flag === "K" || flag === "x" || flag === "g") {
      if (size > this.limits.extended)
        throw new LimitError("tarExtended", `a tar ${flag === "L" || flag === "K" ? "long-name record" : "PAX header"} is larger than ${describeLimit(this.limits.extended)}`);
      this.special = { kind: flag, chunks: [], left: size };
      this.remaining = size;
      this.pad = padded(size) - size;
      if (size === 0) this.finishSpecial();
      return;
    }
    const magic = h.toString("latin1", 257, 263);
    let name = readString(h, 0, 100);
    if (magic === "ustar\0") {
      const prefix = readString(h, 345, 155);
      if (prefix) name = `${prefix}/${name}`;
    }
    let linkname = readString(h, 157, 100);
    const pax = this.pax;
    if (this.longName !== null) name = this.longName;
    if (this.longLinkName !== null) linkname = this.longLinkName;
    let entrySize = size;
    const usedPax = pax !== null || this.globalPax.size > 0;
    if (usedPax) {
      const px = new Map([...this.globalPax, ...(pax ?? [])]);
      if (px.has("path")) name = px.get("path")!;
      if (px.has("linkpath")) linkname = px.get("linkpath")!;
      if (px.has("size")) entrySize = Number(px.get("size"));
    }
    for (const n of [name, linkname])
      if (n.length > this.limits.name / 3 && Buffer.byteLength(n) > this.limits.name)
        throw new LimitError("tarName", `a tar entry's name or link target is longer than ${this.limits.name} bytes`);
    if (++this.count > this.limits.entries) throw new LimitError("entries", `the archive holds more than ${this.limits.entries} entries`);
    this.longName = this.longLinkName = null;
    this.pax = null;
    let type: TarEntryType;
    switch (flag) {
      case "0":
      case "\0":
      case "7":
        type = "file";
        break;
      case "5":
        type = "dir";
        break;
      case "2":
        type = "symlink";
        break;
      case "1":
        type = "hardlink";
        break;
      default:
        type = "other";
    }
    const entry: TarReadEntry = {
      name,
      type,
      mode: readNumber(h, 100, 8, "mode"),
      uid: readNumber(h, 108, 8, "uid"),
      gid: readNumber(h, 116, 8, "gid"),
      size: type === "file" ? entrySize : 0,
      mtime: readNumber(h, 136, 12, "mtime"),
      linkname: linkname || undefined,
      uname: readString(h, 265, 32),
      gname: readString(h, 297, 32),
      pax: usedPax,
      flag,
    };
    this.current = entry;
    this.onEntry(entry);
    const dataSize = type === "file" || type === "other" ? entrySize : 0;
    this.remaining = dataSize;
    this.pad = padded(dataSize) - dataSize;
  }
}

/** Reads a whole (small) tar held in memory, with each file's content. */
export function readTarBuffer(buf: Buffer): Array<TarReadEntry & { data?: Buffer }> {
  const out: Array<TarReadEntry & { data?: Buffer; chunks?: Buffer[] }> = [];
  const p = new TarParser(
    (e) => out.push({ ...e, chunks: [] }),
    (_e, chunk) => out[out.length - 1]!.chunks!.push(Buffer.from(chunk)),
  );
  p.write(buf);
  p.end();
  return out.map(({ chunks, ...e }) => (e.type === "file" ? { ...e, data: Buffer.concat(chunks ?? []) } : e));
}
