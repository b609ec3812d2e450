import {
  CorruptArchiveError,
  LimitError,
  UnsafePathError,
  UsageError
} from "./chunk-URTPPSHB.js";

// dist/archive/limits.js
var MiB = 1 << 20;
var GiB = 1 << 30;
var LIMITS = {
  /** Decoded control.tar of a .deb (control, md5sums, scripts, conffiles). */
  controlMember: 16 * MiB,
  /** Each of +MANIFEST and +COMPACT_MANIFEST of a .pkg. */
  manifest: 16 * MiB,
  /** One path or link target in a tar (Linux's PATH_MAX). */
  tarName: 4096,
  /** One GNU long-name record or PAX header block. */
  tarExtended: 64 << 10,
  /** Entries listed from one package's data. */
  entries: 2e5,
  /** Bytes of all the paths listed from one package's data (what Contents and the state keep). */
  fileList: 32 * MiB,
  /** A package spec (package.toml). */
  spec: 1 * MiB,
  /** build.json. */
  buildJson: 1 * MiB,
  /** A maintainer script. */
  script: 1 * MiB,
  /** One artifact, and one staged file. */
  file: 8 * GiB
};
function describeLimit(n) {
  if (n >= GiB && n % GiB === 0)
    return `${n / GiB} GiB`;
  if (n >= MiB && n % MiB === 0)
    return `${n / MiB} MiB`;
  if (n >= 1024 && n % 1024 === 0)
    return `${n / 1024} KiB`;
  return String(n);
}

// dist/util/regular-file.js
import { createHash } from "node:crypto";
import { closeSync, constants, fstatSync, openSync, readSync } from "node:fs";
import { open } from "node:fs/promises";
var FLAGS = constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW;
function kind(st) {
  if (st.isFIFO())
    return "a FIFO";
  if (st.isSocket())
    return "a socket";
  if (st.isCharacterDevice() || st.isBlockDevice())
    return "a device";
  if (st.isDirectory())
    return "a folder";
  if (st.isSymbolicLink())
    return "a symlink";
  return "not a regular file";
}
function openError(e, file, o) {
  if (e.code === "ELOOP")
    return new UnsafePathError(`${o.what} is a symlink (not followed)`, o.subject ?? file);
  return new UsageError(`cannot open ${o.what}: ${e.code ?? e.message}`, o.subject ?? file);
}
function check(st, file, o) {
  if (!st.isFile())
    throw new UnsafePathError(`${o.what} is ${kind(st)}, not a regular file`, o.subject ?? file);
  if (st.size > o.cap)
    throw new LimitError(o.limit, `${o.what} is larger than ${describeLimit(o.cap)}`, o.subject ?? file);
}
async function openRegular(file, o) {
  let fh;
  try {
    fh = await open(file, FLAGS);
  } catch (e) {
    throw openError(e, file, o);
  }
  try {
    const stat = await fh.stat();
    check(stat, file, o);
    return { fh, stat };
  } catch (e) {
    await fh.close();
    throw e;
  }
}
function openRegularSync(file, o) {
  let fd;
  try {
    fd = openSync(file, FLAGS);
  } catch (e) {
    throw openError(e, file, o);
  }
  try {
    const stat = fstatSync(fd);
    check(stat, file, o);
    return { fd, stat };
  } catch (e) {
    closeSync(fd);
    throw e;
  }
}
function readAllSync(fd, size, file, o) {
  let buf = Buffer.allocUnsafe(Math.min(o.cap, size) + 1);
  let n = 0;
  for (; ; ) {
    if (n === buf.length) {
      if (n > o.cap)
        throw new LimitError(o.limit, `${o.what} is larger than ${describeLimit(o.cap)}`, o.subject ?? file);
      const bigger = Buffer.allocUnsafe(Math.min(o.cap + 1, buf.length * 2));
      buf.copy(bigger, 0, 0, n);
      buf = bigger;
    }
    const got = readSync(fd, buf, n, buf.length - n, null);
    if (got === 0)
      break;
    n += got;
  }
  if (n > o.cap)
    throw new LimitError(o.limit, `${o.what} is larger than ${describeLimit(o.cap)}`, o.subject ?? file);
  return buf.subarray(0, n);
}
function readRegularFileSync(file, o) {
  const { fd, stat } = openRegularSync(file, o);
  try {
    return readAllSync(fd, stat.size, file, o);
  } finally {
    closeSync(fd);
  }
}
async function readRegularFile(file, o) {
  const { fh, stat } = await openRegular(file, o);
  try {
    let buf = Buffer.allocUnsafe(Math.min(o.cap, stat.size) + 1);
    let n = 0;
    for (; ; ) {
      if (n === buf.length) {
        if (n > o.cap)
          break;
        const bigger = Buffer.allocUnsafe(Math.min(o.cap + 1, buf.length * 2));
        buf.copy(bigger, 0, 0, n);
        buf = bigger;
      }
      const { bytesRead } = await fh.read(buf, n, buf.length - n, null);
      if (bytesRead === 0)
        break;
      n += bytesRead;
    }
    if (n > o.cap)
      throw new LimitError(o.limit, `${o.what} is larger than ${describeLimit(o.cap)}`, o.subject ?? file);
    return buf.subarray(0, n);
  } finally {
    await fh.close();
  }
}
async function hashRegularFile(file, o) {
  const { fh, stat } = await openRegular(file, o);
  const h = createHash("sha256");
  let n = 0;
  try {
    const buf = Buffer.allocUnsafe(1 << 20);
    for (; ; ) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, null);
      if (bytesRead === 0)
        break;
      n += bytesRead;
      if (n > o.cap)
        throw new LimitError(o.limit, `${o.what} is larger than ${describeLimit(o.cap)}`, o.subject ?? file);
      h.update(buf.subarray(0, bytesRead));
    }
  } finally {
    await fh.close();
  }
  return { sha256: h.digest("hex"), stat };
}
function hashRegularFileSync(file, o) {
  const { fd, stat } = openRegularSync(file, o);
  try {
    return { sha256: createHash("sha256").update(readAllSync(fd, stat.size, file, o)).digest("hex"), stat };
  } finally {
    closeSync(fd);
  }
}

// dist/archive/compress.js
import { Duplex, PassThrough, Readable, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { spawn } from "node:child_process";
import { accessSync, constants as constants2 } from "node:fs";
import path from "node:path";
import zlib3 from "node:zlib";
import { createHash as createHash3 } from "node:crypto";

// dist/archive/xz-blocks.js
import zlib from "node:zlib";
var MAGIC = Buffer.from([253, 55, 122, 88, 90, 0]);
var FOOTER_MAGIC = Buffer.from([89, 90]);
var CHECK_CRC64 = 4;
function crc32(b) {
  return zlib.crc32(b) >>> 0;
}
function u32(n) {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0);
  return b;
}
function varint(n) {
  const out = [];
  while (n >= 128) {
    out.push(n % 128 | 128);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return out;
}
function readVarint(b, o, end) {
  let v = 0;
  let mul = 1;
  for (let i = 0; i < 9 && o < end; i++) {
    const byte = b[o++];
    v += (byte & 127) * mul;
    if (!(byte & 128))
      return [v, o];
    mul *= 128;
  }
  return null;
}
function parseXzBlocks(file, check2 = CHECK_CRC64) {
  if (file.length < 24 || !file.subarray(0, 6).equals(MAGIC))
    return null;
  if (file[6] !== 0 || file[7] !== check2 || crc32(file.subarray(6, 8)) !== file.readUInt32LE(8))
    return null;
  const f = file.length - 12;
  if (!file.subarray(f + 10).equals(FOOTER_MAGIC) || file[f + 8] !== 0 || file[f + 9] !== check2)
    return null;
  if (crc32(file.subarray(f + 4, f + 10)) !== file.readUInt32LE(f))
    return null;
  const indexStart = f - (file.readUInt32LE(f + 4) + 1) * 4;
  if (indexStart < 12 || file[indexStart] !== 0 || crc32(file.subarray(indexStart, f - 4)) !== file.readUInt32LE(f - 4))
    return null;
  const first = readVarint(file, indexStart + 1, f - 4);
  if (!first)
    return null;
  let [count, o] = first;
  const blocks = [];
  let at = 12;
  for (let i = 0; i < count; i++) {
    const a = readVarint(file, o, f - 4);
    const b = a && readVarint(file, a[1], f - 4);
    if (!a || !b)
      return null;
    o = b[1];
    const size = Math.ceil(a[0] / 4) * 4;
    if (at + size > indexStart)
      return null;
    blocks.push({ bytes: file.subarray(at, at + size), unpadded: a[0], uncompressed: b[0] });
    at += size;
  }
  return at === indexStart ? blocks : null;
}
function assembleXz(blocks, check2 = CHECK_CRC64) {
  const flags = Buffer.from([0, check2]);
  const header = Buffer.concat([MAGIC, flags, u32(crc32(flags))]);
  const records = [0, ...varint(blocks.length)];
  for (const b of blocks)
    records.push(...varint(b.unpadded), ...varint(b.uncompressed));
  while (records.length % 4)
    records.push(0);
  const body = Buffer.from(records);
  const index = Buffer.concat([body, u32(crc32(body))]);
  const tail = Buffer.concat([u32(index.length / 4 - 1), flags]);
  const footer = Buffer.concat([u32(crc32(tail)), tail, FOOTER_MAGIC]);
  return Buffer.concat([header, ...blocks.map((b) => b.bytes), index, footer]);
}
var MIN_CHUNK = 64 << 10;
var MAX_CHUNK = 512 << 10;
var CUT_EVERY = 128;
function fnv1a(b, start, end) {
  let h = 2166136261;
  for (let i = start; i < end; i++)
    h = Math.imul(h ^ b[i], 16777619) >>> 0;
  return h;
}
function indexChunks(text) {
  const out = [];
  let start = 0;
  let p = text.indexOf("\n\n", 0);
  while (p !== -1) {
    const para = p + 2;
    if (para >= text.length)
      break;
    const len = para - start;
    let cut = len >= MAX_CHUNK;
    if (!cut && len >= MIN_CHUNK) {
      const eol = text.indexOf("\n", para);
      cut = fnv1a(text, para, eol === -1 ? text.length : eol) % CUT_EVERY === 0;
    }
    if (cut) {
      out.push(text.subarray(start, para));
      start = para;
    }
    p = text.indexOf("\n\n", para);
  }
  if (start < text.length)
    out.push(text.subarray(start));
  return out.flatMap((c) => {
    if (c.length <= MAX_CHUNK * 2)
      return [c];
    const parts = [];
    for (let i = 0; i < c.length; i += MAX_CHUNK)
      parts.push(c.subarray(i, i + MAX_CHUNK));
    return parts;
  });
}

// dist/archive/compress.js
import { createRequire } from "node:module";

// dist/archive/xz.js
import { createHash as createHash2 } from "node:crypto";
import zlib2 from "node:zlib";
var XzFormatError = class extends Error {
};
var MAGIC2 = [253, 55, 122, 88, 90, 0];
var CHECK_SIZE = { 0: 0, 1: 4, 4: 8, 10: 32 };
function fail(msg) {
  throw new XzFormatError(msg);
}
function crc322(b) {
  return zlib2.crc32(b) >>> 0;
}
var CRC64_LO = new Uint32Array(8 * 256);
var CRC64_HI = new Uint32Array(8 * 256);
{
  for (let i = 0; i < 256; i++) {
    let lo = i;
    let hi = 0;
    for (let k = 0; k < 8; k++) {
      const bit = lo & 1;
      lo = (lo >>> 1 | (hi & 1) << 31) >>> 0;
      hi = hi >>> 1;
      if (bit) {
        lo = (lo ^ 3615952706) >>> 0;
        hi = (hi ^ 3379320725) >>> 0;
      }
    }
    CRC64_LO[i] = lo;
    CRC64_HI[i] = hi;
  }
  for (let t = 1; t < 8; t++) {
    for (let i = 0; i < 256; i++) {
      const plo = CRC64_LO[(t - 1) * 256 + i];
      const phi = CRC64_HI[(t - 1) * 256 + i];
      const j = plo & 255;
      CRC64_LO[t * 256 + i] = ((plo >>> 8 | phi << 24) ^ CRC64_LO[j]) >>> 0;
      CRC64_HI[t * 256 + i] = (phi >>> 8 ^ CRC64_HI[j]) >>> 0;
    }
  }
}
var LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
function crc64(b, start, end) {
  const L = CRC64_LO;
  const H = CRC64_HI;
  let lo = 4294967295 | 0;
  let hi = 4294967295 | 0;
  let i = start;
  for (; i < end && b.byteOffset + i & 3; i++) {
    const t = (lo ^ b[i]) & 255;
    lo = (lo >>> 8 | hi << 24) ^ L[t];
    hi = hi >>> 8 ^ H[t];
  }
  const words = LITTLE_ENDIAN ? new Uint32Array(b.buffer, b.byteOffset + i, end - i >>> 2) : null;
  for (let w = 0; words && i + 8 <= end; i += 8, w += 2) {
    const a = lo ^ words[w];
    const c = hi ^ words[w + 1];
    const i7 = 7 * 256 + (a & 255);
    const i6 = 6 * 256 + (a >>> 8 & 255);
    const i5 = 5 * 256 + (a >>> 16 & 255);
    const i4 = 4 * 256 + (a >>> 24);
    const i3 = 3 * 256 + (c & 255);
    const i2 = 2 * 256 + (c >>> 8 & 255);
    const i1 = 256 + (c >>> 16 & 255);
    const i0 = c >>> 24;
    lo = L[i7] ^ L[i6] ^ L[i5] ^ L[i4] ^ L[i3] ^ L[i2] ^ L[i1] ^ L[i0];
    hi = H[i7] ^ H[i6] ^ H[i5] ^ H[i4] ^ H[i3] ^ H[i2] ^ H[i1] ^ H[i0];
  }
  for (; i < end; i++) {
    const t = (lo ^ b[i]) & 255;
    lo = (lo >>> 8 | hi << 24) ^ L[t];
    hi = hi >>> 8 ^ H[t];
  }
  return [~lo >>> 0, ~hi >>> 0];
}
function readU32(b, o) {
  return (b[o] | b[o + 1] << 8 | b[o + 2] << 16 | b[o + 3] << 24) >>> 0;
}
function varint2(b, o, end) {
  let v = 0;
  let mul = 1;
  for (let i = 0; i < 9; i++) {
    if (o >= end)
      fail("truncated integer");
    const byte = b[o++];
    v += (byte & 127) * mul;
    if (!(byte & 128)) {
      if (byte === 0 && i > 0)
        fail("integer not in shortest form");
      if (v > Number.MAX_SAFE_INTEGER)
        fail("integer too large");
      return [v, o];
    }
    mul *= 128;
  }
  return fail("integer too long");
}
var scratchBuf = Buffer.allocUnsafe(0);
var SCRATCH_KEEP = 4 << 20;
function outputBuffer(size, scratch) {
  if (!scratch || size > SCRATCH_KEEP)
    return Buffer.allocUnsafe(size);
  if (scratchBuf.length < size)
    scratchBuf = Buffer.allocUnsafe(Math.max(size, 64 << 10));
  return scratchBuf.subarray(0, size);
}
function decodeXzSync(input, limit, opts = {}) {
  let end = input.length;
  while (end >= 4 && readU32(input, end - 4) === 0)
    end -= 4;
  if (end < 24)
    fail("file too short");
  for (let i = 0; i < 6; i++)
    if (input[i] !== MAGIC2[i])
      fail("not xz data");
  const flags0 = input[6];
  const check2 = input[7];
  if (flags0 !== 0 || (check2 & 240) !== 0)
    fail("unsupported stream flags");
  if (crc322(input.subarray(6, 8)) !== readU32(input, 8))
    fail("stream header CRC32 mismatch");
  const checkSize = CHECK_SIZE[check2];
  if (checkSize === void 0)
    return null;
  const f = end - 12;
  if (input[f + 10] !== 89 || input[f + 11] !== 90)
    fail("stream footer magic missing");
  if (crc322(input.subarray(f + 4, f + 10)) !== readU32(input, f))
    fail("stream footer CRC32 mismatch");
  if (input[f + 8] !== flags0 || input[f + 9] !== check2)
    fail("stream footer flags differ from header");
  const indexSize = (readU32(input, f + 4) + 1) * 4;
  const indexStart = f - indexSize;
  if (indexStart < 12)
    fail("index size out of range");
  if (input[indexStart] !== 0)
    fail("index indicator missing");
  if (crc322(input.subarray(indexStart, f - 4)) !== readU32(input, f - 4))
    fail("index CRC32 mismatch");
  let [count, o] = varint2(input, indexStart + 1, f - 4);
  const records = [];
  let total = 0;
  let blocksEnd = 12;
  for (let i = 0; i < count; i++) {
    let unpadded;
    let uncompressed;
    [unpadded, o] = varint2(input, o, f - 4);
    [uncompressed, o] = varint2(input, o, f - 4);
    if (unpadded < 5 + checkSize)
      fail("index record out of range");
    records.push({ unpadded, uncompressed });
    total += uncompressed;
    blocksEnd += Math.ceil(unpadded / 4) * 4;
  }
  while (o < f - 4)
    if (input[o++] !== 0)
      fail("index padding not zero");
  if (blocksEnd !== indexStart)
    return null;
  if (total > limit)
    return null;
  const out = outputBuffer(total, opts.scratch === true);
  let inPos = 12;
  let outPos = 0;
  for (const r of records) {
    const blockStart = inPos;
    const headerSize = (input[inPos] + 1) * 4;
    if (input[inPos] === 0)
      fail("block expected, index found");
    const hEnd = inPos + headerSize;
    if (hEnd > indexStart)
      fail("block header out of range");
    if (crc322(input.subarray(inPos, hEnd - 4)) !== readU32(input, hEnd - 4))
      fail("block header CRC32 mismatch");
    const bflags = input[inPos + 1];
    if (bflags & 60)
      fail("unsupported block flags");
    if ((bflags & 3) !== 0)
      return null;
    let p = inPos + 2;
    let declaredPacked = -1;
    let declaredSize = -1;
    if (bflags & 64)
      [declaredPacked, p] = varint2(input, p, hEnd - 4);
    if (bflags & 128)
      [declaredSize, p] = varint2(input, p, hEnd - 4);
    let id;
    let propsSize;
    [id, p] = varint2(input, p, hEnd - 4);
    [propsSize, p] = varint2(input, p, hEnd - 4);
    if (id !== 33)
      return null;
    if (propsSize !== 1 || p >= hEnd - 4)
      fail("bad LZMA2 properties");
    const dictByte = input[p++];
    if (dictByte > 40)
      fail("bad LZMA2 dictionary size");
    while (p < hEnd - 4)
      if (input[p++] !== 0)
        fail("block header padding not zero");
    const packedEnd = blockStart + r.unpadded - checkSize;
    if (packedEnd > indexStart || packedEnd <= hEnd)
      fail("block out of range");
    if (declaredPacked >= 0 && hEnd + declaredPacked !== packedEnd)
      fail("block size differs from the index");
    if (declaredSize >= 0 && declaredSize !== r.uncompressed)
      fail("block size differs from the index");
    const blockOut = outPos;
    const used = decodeLzma2(input, hEnd, packedEnd, out, outPos, outPos + r.uncompressed);
    if (used !== packedEnd)
      fail("LZMA2 data does not end where the block does");
    outPos += r.uncompressed;
    let q = packedEnd;
    while (q & 3)
      if (input[q++] !== 0)
        fail("block padding not zero");
    const c = q;
    if (check2 === 1) {
      if (crc322(out.subarray(blockOut, outPos)) !== readU32(input, c))
        fail("CRC32 mismatch");
    } else if (check2 === 4) {
      const [lo, hi] = crc64(out, blockOut, outPos);
      if (lo !== readU32(input, c) || hi !== readU32(input, c + 4))
        fail("CRC64 mismatch");
    } else if (check2 === 10) {
      const h = createHash2("sha256").update(out.subarray(blockOut, outPos)).digest();
      if (!h.equals(input.subarray(c, c + 32)))
        fail("SHA-256 mismatch");
    }
    inPos = c + checkSize;
  }
  if (inPos !== indexStart)
    fail("blocks do not end where the index starts");
  return out;
}
var NUM_STATES = 12;
var POS_STATES_MAX = 16;
var LEN_LOW = 0;
var LEN_MID = 128;
var LEN_HIGH = 256;
var LEN_CHOICE = 512;
var LEN_CHOICE2 = 513;
var LEN_PROBS = 514;
var IS_MATCH = 0;
var IS_REP = IS_MATCH + NUM_STATES * POS_STATES_MAX;
var IS_REP_G0 = IS_REP + NUM_STATES;
var IS_REP_G1 = IS_REP_G0 + NUM_STATES;
var IS_REP_G2 = IS_REP_G1 + NUM_STATES;
var IS_REP0_LONG = IS_REP_G2 + NUM_STATES;
var POS_SLOT = IS_REP0_LONG + NUM_STATES * POS_STATES_MAX;
var SPEC_POS = POS_SLOT + 4 * 64;
var ALIGN = SPEC_POS + 114;
var LEN = ALIGN + 16;
var REP_LEN = LEN + LEN_PROBS;
var LITERAL = REP_LEN + LEN_PROBS;
var Lzma2Decoder = class {
  probs = new Uint16Array(LITERAL + 768 * 16);
  // lc + lp ≤ 4 in LZMA2
  lc = 0;
  lp = 0;
  pb = 0;
  state = 0;
  rep0 = 0;
  rep1 = 0;
  rep2 = 0;
  rep3 = 0;
  range = 0;
  code = 0;
  inPos = 0;
  inEnd = 0;
  input = new Uint8Array(0);
  resetState() {
    this.probs.fill(1024, 0, LITERAL + (768 << this.lc + this.lp));
    this.state = 0;
    this.rep0 = this.rep1 = this.rep2 = this.rep3 = 0;
  }
  initRange(pos, end) {
    if (end - pos < 5 || this.input[pos] !== 0)
      fail("bad LZMA range coder start");
    this.code = readU32BE(this.input, pos + 1);
    this.range = 4294967295;
    this.inPos = pos + 5;
    this.inEnd = end;
    if (this.code === 4294967295)
      fail("bad LZMA range coder start");
  }
  bit(i) {
    const probs = this.probs;
    const p = probs[i];
    const bound = (this.range >>> 11) * p;
    let r;
    if (this.code < bound) {
      this.range = bound;
      probs[i] = p + (2048 - p >>> 5);
      r = 0;
    } else {
      this.range -= bound;
      this.code -= bound;
      probs[i] = p - (p >>> 5);
      r = 1;
    }
    this.normalize();
    return r;
  }
  /** Shifts in the next input byte once the range has shrunk below 2^24. */
  normalize() {
    if (this.range < 16777216) {
      if (this.inPos >= this.inEnd)
        fail("LZMA chunk truncated");
      this.range = this.range * 256 >>> 0;
      this.code = this.code * 256 + this.input[this.inPos++] >>> 0;
    }
  }
  tree(base, bits) {
    let m = 1;
    for (let i = 0; i < bits; i++)
      m = m << 1 | this.bit(base + m);
    return m - (1 << bits);
  }
  reverse(base, bits) {
    let m = 1;
    let r = 0;
    for (let i = 0; i < bits; i++) {
      const b = this.bit(base + m);
      m = m << 1 | b;
      r |= b << i;
    }
    return r;
  }
  direct(bits) {
    let r = 0;
    for (let i = 0; i < bits; i++) {
      this.range >>>= 1;
      let b = 0;
      if (this.code >= this.range) {
        this.code -= this.range;
        b = 1;
      }
      r = (r << 1 | b) >>> 0;
      this.normalize();
    }
    return r;
  }
  len(base, posState) {
    if (!this.bit(base + LEN_CHOICE))
      return this.tree(base + LEN_LOW + posState * 8, 3);
    if (!this.bit(base + LEN_CHOICE2))
      return 8 + this.tree(base + LEN_MID + posState * 8, 3);
    return 16 + this.tree(base + LEN_HIGH, 8);
  }
  /** Decodes one LZMA chunk into out[pos, end); dictStart is where the dictionary was last reset. */
  chunk(out, pos, end, dictStart) {
    const pbMask = (1 << this.pb) - 1;
    const lpMask = (1 << this.lp) - 1;
    const lc = this.lc;
    while (pos < end) {
      const posState = pos - dictStart & pbMask;
      const s = this.state;
      if (!this.bit(IS_MATCH + (s << 4) + posState)) {
        const prev = pos > dictStart ? out[pos - 1] : 0;
        const base = LITERAL + 768 * (((pos - dictStart & lpMask) << lc) + (prev >>> 8 - lc));
        let sym = 1;
        if (s < 7) {
          const probs = this.probs;
          const input = this.input;
          const inEnd = this.inEnd;
          let range = this.range;
          let code = this.code;
          let inPos = this.inPos;
          while (sym < 256) {
            const i = base + sym;
            const p = probs[i];
            const bound = (range >>> 11) * p;
            if (code < bound) {
              range = bound;
              probs[i] = p + (2048 - p >>> 5);
              sym <<= 1;
            } else {
              range -= bound;
              code -= bound;
              probs[i] = p - (p >>> 5);
              sym = sym << 1 | 1;
            }
            if (range < 16777216) {
              if (inPos >= inEnd)
                fail("LZMA chunk truncated");
              range = range * 256 >>> 0;
              code = code * 256 + input[inPos++] >>> 0;
            }
          }
          this.range = range;
          this.code = code;
          this.inPos = inPos;
        } else {
          const mpos = pos - this.rep0 - 1;
          if (mpos < dictStart)
            fail("LZMA distance beyond the dictionary");
          let match = out[mpos];
          while (sym < 256) {
            const mbit = match >>> 7 & 1;
            match <<= 1;
            const b = this.bit(base + 256 + (mbit << 8) + sym);
            sym = sym << 1 | b;
            if (b !== mbit) {
              while (sym < 256)
                sym = sym << 1 | this.bit(base + sym);
              break;
            }
          }
        }
        out[pos++] = sym & 255;
        this.state = s < 4 ? 0 : s < 10 ? s - 3 : s - 6;
        continue;
      }
      let len;
      if (this.bit(IS_REP + s)) {
        if (pos === dictStart)
          fail("LZMA repeat before any data");
        if (!this.bit(IS_REP_G0 + s)) {
          if (!this.bit(IS_REP0_LONG + (s << 4) + posState)) {
            this.state = s < 7 ? 9 : 11;
            const mpos = pos - this.rep0 - 1;
            if (mpos < dictStart)
              fail("LZMA distance beyond the dictionary");
            out[pos] = out[mpos];
            pos++;
            continue;
          }
        } else {
          let dist;
          if (!this.bit(IS_REP_G1 + s))
            dist = this.rep1;
          else {
            if (!this.bit(IS_REP_G2 + s))
              dist = this.rep2;
            else {
              dist = this.rep3;
              this.rep3 = this.rep2;
            }
            this.rep2 = this.rep1;
          }
          this.rep1 = this.rep0;
          this.rep0 = dist;
        }
        len = this.len(REP_LEN, posState);
        this.state = s < 7 ? 8 : 11;
      } else {
        this.rep3 = this.rep2;
        this.rep2 = this.rep1;
        this.rep1 = this.rep0;
        len = this.len(LEN, posState);
        this.state = s < 7 ? 7 : 10;
        const lenState = len < 3 ? len : 3;
        const slot = this.tree(POS_SLOT + (lenState << 6), 6);
        let dist;
        if (slot < 4)
          dist = slot;
        else {
          const direct = (slot >>> 1) - 1;
          dist = (2 | slot & 1) << direct >>> 0;
          if (slot < 14)
            dist += this.reverse(SPEC_POS + dist - slot - 1, direct);
          else {
            dist = dist + this.direct(direct - 4) * 16 >>> 0;
            dist = dist + this.reverse(ALIGN, 4) >>> 0;
            if (dist === 4294967295)
              fail("LZMA end marker inside an LZMA2 chunk");
          }
        }
        this.rep0 = dist;
      }
      len += 2;
      const from = pos - this.rep0 - 1;
      if (from < dictStart)
        fail("LZMA distance beyond the dictionary");
      if (pos + len > end)
        fail("LZMA match runs past the chunk");
      if (len < 32)
        for (let i = 0; i < len; i++)
          out[pos + i] = out[from + i];
      else if (this.rep0 === 0)
        out.fill(out[from], pos, pos + len);
      else if (this.rep0 + 1 >= len)
        out.copyWithin(pos, from, from + len);
      else
        for (let i = 0; i < len; i++)
          out[pos + i] = out[from + i];
      pos += len;
    }
  }
};
function readU32BE(b, o) {
  return (b[o] << 24 | b[o + 1] << 16 | b[o + 2] << 8 | b[o + 3]) >>> 0;
}
var EMPTY = new Uint8Array(0);
var shared = new Lzma2Decoder();
function decodeLzma2(input, pos, end, out, outPos, outEnd) {
  const d = shared;
  d.input = input;
  let dictStart = outPos;
  let needDictReset = true;
  let needProps = true;
  for (; ; ) {
    if (pos >= end)
      fail("LZMA2 data truncated");
    const control = input[pos++];
    if (control === 0)
      break;
    if (control === 1 || control === 2) {
      if (end - pos < 2)
        fail("LZMA2 data truncated");
      const size = (input[pos] << 8 | input[pos + 1]) + 1;
      pos += 2;
      if (control === 1) {
        dictStart = outPos;
        needDictReset = false;
        needProps = true;
      } else if (needDictReset)
        fail("LZMA2 first chunk does not reset the dictionary");
      if (end - pos < size || outEnd - outPos < size)
        fail("LZMA2 uncompressed chunk out of range");
      out.set(input.subarray(pos, pos + size), outPos);
      pos += size;
      outPos += size;
      continue;
    }
    if (control < 128)
      fail("bad LZMA2 control byte");
    if (end - pos < 4)
      fail("LZMA2 data truncated");
    const unpacked = ((control & 31) << 16) + (input[pos] << 8 | input[pos + 1]) + 1;
    const packed = (input[pos + 2] << 8 | input[pos + 3]) + 1;
    pos += 4;
    const reset = control >>> 5 & 3;
    if (reset === 3) {
      dictStart = outPos;
      needDictReset = false;
    } else if (needDictReset)
      fail("LZMA2 first chunk does not reset the dictionary");
    if (reset >= 2) {
      if (pos >= end)
        fail("LZMA2 data truncated");
      let props = input[pos++];
      if (props >= 9 * 5 * 5)
        fail("bad LZMA properties");
      d.lc = props % 9;
      props = props / 9 | 0;
      d.lp = props % 5;
      d.pb = props / 5 | 0;
      if (d.lc + d.lp > 4)
        fail("bad LZMA properties");
      needProps = false;
    } else if (needProps)
      fail("LZMA2 chunk without properties");
    if (reset >= 1)
      d.resetState();
    if (end - pos < packed || outEnd - outPos < unpacked)
      fail("LZMA2 chunk out of range");
    d.initRange(pos, pos + packed);
    d.chunk(out, outPos, outPos + unpacked, dictStart);
    if (d.inPos !== pos + packed || d.code !== 0)
      fail("LZMA2 chunk does not end cleanly");
    pos += packed;
    outPos += unpacked;
  }
  if (outPos !== outEnd)
    fail("LZMA2 data shorter than the index says");
  d.input = EMPTY;
  return pos;
}

// dist/archive/compress.js
var requireCjs = createRequire(import.meta.url);
var lzmaModule;
function lzma() {
  lzmaModule ??= requireCjs("lzma-native");
  return lzmaModule;
}
var XZ_THREADS = 2;
function extensionOf(c) {
  return c === "none" ? "" : `.${c}`;
}
function compressionFromName(name) {
  const m = /\.tar(?:\.(xz|gz|zst|bz2|lzma))?$/.exec(name);
  if (!m)
    return null;
  return m[1] ?? "none";
}
function detectCompression(head) {
  if (head.length >= 6 && head.subarray(0, 6).equals(Buffer.from([253, 55, 122, 88, 90, 0])))
    return "xz";
  if (head.length >= 2 && head[0] === 31 && head[1] === 139)
    return "gz";
  if (head.length >= 4 && head.readUInt32LE(0) === 4247762216)
    return "zst";
  if (head.length >= 3 && head.toString("latin1", 0, 3) === "BZh")
    return "bz2";
  return "none";
}
function processFilter(cmd, args, purpose) {
  const child = spawn(cmd, args, { stdio: ["pipe", "pipe", "pipe"] });
  let stderr = "";
  let stdinGone = false;
  child.stderr.on("data", (d2) => {
    if (stderr.length < 2e3)
      stderr += d2.toString();
  });
  child.stdin.on("error", () => stdinGone = true);
  const d = new Duplex({
    write(chunk, _enc, cb) {
      if (stdinGone)
        return cb();
      if (child.stdin.write(chunk))
        cb();
      else {
        const go = () => {
          child.stdin.off("drain", go);
          child.stdin.off("close", go);
          cb();
        };
        child.stdin.once("drain", go);
        child.stdin.once("close", go);
      }
    },
    final(cb) {
      if (!stdinGone)
        child.stdin.end();
      cb();
    },
    read() {
      child.stdout.resume();
    },
    destroy(err, cb) {
      if (child.exitCode === null && child.signalCode === null)
        child.kill("SIGKILL");
      cb(err);
    }
  });
  child.stdout.on("data", (c) => {
    if (!d.push(c))
      child.stdout.pause();
  });
  child.on("close", (code, signal) => {
    if (d.destroyed)
      return;
    if (code === 0)
      d.push(null);
    else
      d.destroy(new CorruptArchiveError(`${cmd} ${signal ? `was killed (${signal})` : `exited ${code}`}: ${stderr.trim().split("\n")[0] ?? ""}`));
  });
  child.on("error", (e) => d.destroy(new UsageError(`cannot run ${cmd} (needed for ${purpose}): ${e.message}`)));
  return d;
}
var systemXz;
function hasSystemXz() {
  systemXz ??= !process.env.REPOGEN_NO_SYSTEM_XZ && onPath("xz");
  return systemXz;
}
function onPath(cmd) {
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    if (!dir)
      continue;
    try {
      accessSync(path.join(dir, cmd), constants2.X_OK);
      return true;
    } catch {
    }
  }
  return false;
}
function compressor(c, level, small = false, blockSize) {
  switch (c) {
    case "xz":
      if (!small && hasSystemXz())
        return processFilter("xz", [`-${level ?? 6}`, `-T${XZ_THREADS}`, "--check=crc64", "-c", "-q", ...blockSize ? [`--block-size=${blockSize}`] : []], "xz");
      if (blockSize)
        return lzma().createCompressor({ preset: level ?? 6, check: lzma().CHECK_CRC64, threads: XZ_THREADS, blockSize });
      return lzma().createCompressor({ preset: level ?? 6, check: lzma().CHECK_CRC64, threads: XZ_THREADS });
    case "gz":
      return zlib3.createGzip({ level: level ?? 9 });
    case "zst":
      return processFilter("zstd", [`-${level ?? 19}`, "-q", "-c", "--no-progress"], "zstd");
    case "none":
      return new PassThrough();
    default:
      throw new UsageError(`cannot write ${c} compression`);
  }
}
var DECODER_MEMORY = "128MiB";
function decompressor(c) {
  switch (c) {
    case "xz":
    case "lzma":
      if (hasSystemXz())
        return processFilter("xz", ["-d", "-c", "-q", `--memlimit-decompress=${DECODER_MEMORY}`, ...c === "lzma" ? ["--format=lzma"] : []], "xz");
      return lzma().createDecompressor();
    case "gz":
      return zlib3.createGunzip();
    case "zst":
      return processFilter("zstd", ["-d", "-c", "-q", "--no-progress", `--memory=${DECODER_MEMORY}`], "zstd");
    case "bz2":
      return processFilter("bzip2", ["-d", "-c"], "bzip2");
    case "none":
      return new PassThrough();
  }
}
function overLimit(l, subject) {
  return new LimitError(l.name, `${l.what} decodes to more than ${describeLimit(l.bytes)}`, subject);
}
async function collect(t, input, limit, subject) {
  const chunks = [];
  let n = 0;
  const slices = [];
  for (let i = 0; i < input.length; i += 1 << 16)
    slices.push(input.subarray(i, i + (1 << 16)));
  await pipeline(Readable.from(slices), t, new Writable({
    write(chunk, _enc, cb) {
      n += chunk.length;
      if (limit && n > limit.bytes)
        return cb(overLimit(limit, subject));
      chunks.push(chunk);
      cb();
    }
  }));
  return Buffer.concat(chunks, n);
}
async function compressBuffer(c, input, level) {
  if (c === "gz")
    return zlib3.gzipSync(input, { level: level ?? 9 });
  if (c === "none")
    return input;
  return collect(compressor(c, level, input.length < 256 << 10), input);
}
async function compressIndexXz(input, previous, previousText) {
  const chunks = indexChunks(input);
  const digest = (b) => createHash3("sha256").update(b).digest("hex");
  const have = /* @__PURE__ */ new Map();
  const sizes = new Set(chunks.map((c) => c.length));
  const old = (previous && parseXzBlocks(previous)) ?? [];
  const oldChunks = previousText ? indexChunks(previousText) : [];
  if (oldChunks.length && oldChunks.length === old.length && old.every((b, i) => b.uncompressed === oldChunks[i].length)) {
    for (const [i, b] of old.entries())
      if (sizes.has(b.uncompressed))
        have.set(digest(oldChunks[i]), b);
  } else
    for (const b of old) {
      if (!sizes.has(b.uncompressed))
        continue;
      try {
        const decoded = decodeXzSync(assembleXz([b]), b.uncompressed);
        if (decoded && decoded.length === b.uncompressed)
          have.set(digest(decoded), b);
      } catch {
      }
    }
  const keys = chunks.map(digest);
  const need = chunks.filter((_, i) => !have.has(keys[i]));
  const made = need.length ? await compressChunks(need) : [];
  let k = 0;
  return assembleXz(chunks.map((_, i) => have.get(keys[i]) ?? made[k++]));
}
var IN_PROCESS_XZ = 256 << 10;
async function compressChunks(chunks) {
  const total = chunks.reduce((n, c) => n + c.length, 0);
  if (total >= IN_PROCESS_XZ && hasSystemXz()) {
    const biggest = Math.max(...chunks.map((c) => c.length));
    let dict = 64 << 10;
    while (dict < biggest && dict < 8 << 20)
      dict *= 2;
    const args = [`--lzma2=preset=6,dict=${dict}`, `-T${XZ_THREADS}`, "--check=crc64", `--block-list=${chunks.map((c) => c.length).join(",")}`, "-c", "-q"];
    const blocks = parseXzBlocks(await collect(processFilter("xz", args, "xz"), Buffer.concat(chunks)));
    if (blocks && blocks.length === chunks.length && blocks.every((b, i) => b.uncompressed === chunks[i].length))
      return blocks;
    throw new Error("xz did not write one block per chunk");
  }
  const out = [];
  for (const c of chunks) {
    let dict = 64 << 10;
    while (dict < c.length && dict < 8 << 20)
      dict *= 2;
    const z = lzma();
    const enc = z.createStream("streamEncoder", { filters: [{ id: z.FILTER_LZMA2, options: { preset: 6, dictSize: dict } }], check: z.CHECK_CRC64 });
    const blocks = parseXzBlocks(await collect(enc, c));
    if (!blocks || blocks.length !== 1 || blocks[0].uncompressed !== c.length)
      throw new Error("liblzma did not write one block");
    out.push(blocks[0]);
  }
  return out;
}
var SYNC_XZ_LIMIT = 16 << 20;
function decodeXzInMemory(input, subject, opts = {}) {
  try {
    return decodeXzSync(input, opts.limit ?? SYNC_XZ_LIMIT, { scratch: opts.scratch });
  } catch (e) {
    if (e instanceof XzFormatError)
      throw new CorruptArchiveError(`cannot decompress xz data: ${e.message}`, subject);
    throw e;
  }
}
async function decompressBuffer(c, input, subject, limit) {
  try {
    if (c === "gz") {
      try {
        return zlib3.gunzipSync(input, limit ? { maxOutputLength: limit.bytes } : {});
      } catch (e) {
        if (e.code === "ERR_BUFFER_TOO_LARGE" && limit)
          throw overLimit(limit, subject);
        throw e;
      }
    }
    if (c === "none") {
      if (limit && input.length > limit.bytes)
        throw overLimit(limit, subject);
      return input;
    }
    if (c === "xz") {
      const out = decodeXzInMemory(input, subject, { limit: Math.min(SYNC_XZ_LIMIT, limit?.bytes ?? Infinity) });
      if (out)
        return out;
    }
    return await collect(decompressor(c), input, limit, subject);
  } catch (e) {
    if (e instanceof LimitError)
      throw e;
    if (e instanceof CorruptArchiveError)
      throw new CorruptArchiveError(e.message, subject ?? e.subject);
    if (e instanceof UsageError)
      throw e;
    throw new CorruptArchiveError(`cannot decompress ${c} data: ${e.message}`, subject);
  }
}

// dist/archive/tar.js
var BLOCK = 512;
var RECORD = 10240;
function writeOctal(buf, offset, width, value) {
  const digits = value.toString(8);
  if (digits.length > width - 1) {
    if (width !== 12)
      throw new RangeError(`value ${value} does not fit a ${width}-byte tar field`);
    buf[offset] = 128;
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
function typeFlag(t) {
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
function rawHeader(nameBytes, flag, mode, size, mtime, linkBytes, uid, gid, uname, gname) {
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
  h.fill(32, 148, 156);
  let sum = 0;
  for (let i = 0; i < BLOCK; i++)
    sum += h[i];
  h.write(sum.toString(8).padStart(6, "0"), 148, "latin1");
  h[154] = 0;
  h[155] = 32;
  return h;
}
function longLink(flag, bytes, uname, gname) {
  const data = Buffer.alloc(padded(bytes.length + 1));
  bytes.copy(data);
  const head = rawHeader(Buffer.from("././@LongLink"), flag, 420, bytes.length + 1, 0, Buffer.alloc(0), 0, 0, uname, gname);
  return Buffer.concat([head, data]);
}
function padded(n) {
  return Math.ceil(n / BLOCK) * BLOCK;
}
function tarHeader(e) {
  const uname = e.uname ?? "root";
  const gname = e.gname ?? "root";
  const nameBytes = Buffer.from(e.name, "utf8");
  const linkBytes = Buffer.from(e.linkname ?? "", "utf8");
  const parts = [];
  if (linkBytes.length > 100)
    parts.push(longLink("K", linkBytes, uname, gname));
  if (nameBytes.length > 100)
    parts.push(longLink("L", nameBytes, uname, gname));
  const size = e.type === "file" ? e.size : 0;
  parts.push(rawHeader(nameBytes, typeFlag(e.type), e.mode & 4095, size, e.mtime, linkBytes, e.uid ?? 0, e.gid ?? 0, uname, gname));
  return parts.length === 1 ? parts[0] : Buffer.concat(parts);
}
function contentPadding(size) {
  return Buffer.alloc(padded(size) - size);
}
function tarTrailer(bytesSoFar) {
  const end = bytesSoFar + 2 * BLOCK;
  const total = Math.ceil(end / RECORD) * RECORD;
  return Buffer.alloc(total - bytesSoFar);
}
function tarBuffer(entries) {
  const parts = [];
  let n = 0;
  for (const e of entries) {
    const data = e.type === "file" ? e.data ?? Buffer.alloc(0) : void 0;
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
function readString(b, off, len) {
  const end = b.indexOf(0, off);
  return b.toString("utf8", off, end === -1 || end > off + len ? off + len : end);
}
function readNumber(b, off, len, what) {
  const end = off + len;
  if (b[off] & 128) {
    if (b[off] !== 128)
      throw new CorruptArchiveError(`bad tar header: ${what} field is neither octal nor positive base-256`);
    let v2 = 0;
    for (let i2 = off + 1; i2 < end; i2++) {
      v2 = v2 * 256 + b[i2];
      if (v2 > Number.MAX_SAFE_INTEGER)
        throw new CorruptArchiveError(`bad tar header: ${what} field is out of range`);
    }
    return v2;
  }
  let i = off;
  while (i < end && b[i] === 32)
    i++;
  const first = i;
  let v = 0;
  for (; i < end; i++) {
    const c = b[i];
    if (c === 0 || c === 32)
      break;
    if (c < 48 || c > 55)
      throw new CorruptArchiveError(`bad tar header: ${what} field is not octal`);
    v = v * 8 + (c - 48);
  }
  if (i === first && first > off)
    throw new CorruptArchiveError(`bad tar header: ${what} field is blank`);
  for (; i < end; i++)
    if (b[i] !== 32 && b[i] !== 0)
      throw new CorruptArchiveError(`bad tar header: ${what} field is not octal`);
  return v;
}
function checksumOk(h) {
  const stored = readNumber(h, 148, 8, "checksum");
  let sum = 8 * 32;
  for (let i = 0; i < 148; i++)
    sum += h[i];
  for (let i = 156; i < BLOCK; i++)
    sum += h[i];
  return sum === stored;
}
var PAX_INTEGER = /* @__PURE__ */ new Set(["size", "uid", "gid"]);
var PAX_TIME = /* @__PURE__ */ new Set(["mtime", "atime", "ctime"]);
function parsePax(data) {
  const out = /* @__PURE__ */ new Map();
  let i = 0;
  while (i < data.length) {
    let j = i;
    let len = 0;
    while (j < data.length && data[j] >= 48 && data[j] <= 57 && j - i < 8)
      len = len * 10 + (data[j++] - 48);
    if (j === i || data[j] !== 32)
      throw new CorruptArchiveError("bad PAX header: a record does not start with its decimal length");
    if (len <= j - i + 1 || i + len > data.length || data[i + len - 1] !== 10)
      throw new CorruptArchiveError("bad PAX header: a record's length does not fit it");
    const rec = data.subarray(j + 1, i + len - 1);
    const eq = rec.indexOf(61);
    if (eq <= 0)
      throw new CorruptArchiveError("bad PAX header: a record has no KEY=");
    const key = rec.toString("utf8", 0, eq);
    const value = rec.toString("utf8", eq + 1);
    if (PAX_INTEGER.has(key) && (!/^\d{1,16}$/.test(value) || Number(value) > Number.MAX_SAFE_INTEGER))
      throw new CorruptArchiveError(`bad PAX header: ${key} "${value.slice(0, 40)}" is not a decimal number`);
    if (PAX_TIME.has(key) && !/^-?\d{1,20}(\.\d{1,20})?$/.test(value))
      throw new CorruptArchiveError(`bad PAX header: ${key} "${value.slice(0, 40)}" is not a decimal time`);
    out.set(key, value);
    i += len;
  }
  return out;
}
var DEFAULT_LIMITS = { entries: LIMITS.entries, name: LIMITS.tarName, extended: LIMITS.tarExtended };
var TarParser = class {
  onEntry;
  onData;
  buf = Buffer.alloc(0);
  remaining = 0;
  // content bytes of the current entry still to come
  pad = 0;
  current = null;
  longName = null;
  longLinkName = null;
  pax = null;
  globalPax = /* @__PURE__ */ new Map();
  special = null;
  done = false;
  sawEnd = false;
  count = 0;
  limits;
  constructor(onEntry, onData, limits = {}) {
    this.onEntry = onEntry;
    this.onData = onData;
    this.limits = { ...DEFAULT_LIMITS, ...limits };
  }
  get finishedCleanly() {
    return this.sawEnd || this.remaining === 0 && this.pad === 0 && this.special === null && this.buf.length === 0;
  }
  write(chunk) {
    if (this.done)
      return;
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    for (; ; ) {
      if (this.remaining > 0) {
        if (this.buf.length === 0)
          return;
        const n = Math.min(this.remaining, this.buf.length);
        const part = this.buf.subarray(0, n);
        this.buf = this.buf.subarray(n);
        this.remaining -= n;
        if (this.special) {
          this.special.chunks.push(Buffer.from(part));
          if (this.remaining === 0)
            this.finishSpecial();
        } else if (this.current && this.onData)
          this.onData(this.current, part);
        continue;
      }
      if (this.pad > 0) {
        const n = Math.min(this.pad, this.buf.length);
        this.buf = this.buf.subarray(n);
        this.pad -= n;
        if (this.pad > 0)
          return;
        continue;
      }
      if (this.buf.length < BLOCK)
        return;
      const h = this.buf.subarray(0, BLOCK);
      this.buf = this.buf.subarray(BLOCK);
      if (h.every((x) => x === 0)) {
        this.sawEnd = true;
        this.done = true;
        return;
      }
      if (!checksumOk(h))
        throw new CorruptArchiveError("bad tar header checksum");
      this.header(h);
    }
  }
  end() {
    if (!this.done && !this.finishedCleanly)
      throw new CorruptArchiveError("tar archive is truncated");
    if (!this.done && this.remaining > 0)
      throw new CorruptArchiveError("tar archive is truncated");
  }
  finishSpecial() {
    const s = this.special;
    this.special = null;
    const data = Buffer.concat(s.chunks);
    if (s.kind === "L")
      this.longName = readString(data, 0, data.length);
    else if (s.kind === "K")
      this.longLinkName = readString(data, 0, data.length);
    else if (s.kind === "x")
      this.pax = parsePax(data);
    else
      for (const [k, v] of parsePax(data))
        this.globalPax.set(k, v);
  }
  header(h) {
    const flag = String.fromCharCode(h[156]);
    const size = readNumber(h, 124, 12, "size");
    if (flag === "L" || flag === "K" || flag === "x" || flag === "g") {
      if (size > this.limits.extended)
        throw new LimitError("tarExtended", `a tar ${flag === "L" || flag === "K" ? "long-name record" : "PAX header"} is larger than ${describeLimit(this.limits.extended)}`);
      this.special = { kind: flag, chunks: [], left: size };
      this.remaining = size;
      this.pad = padded(size) - size;
      if (size === 0)
        this.finishSpecial();
      return;
    }
    const magic = h.toString("latin1", 257, 263);
    let name = readString(h, 0, 100);
    if (magic === "ustar\0") {
      const prefix = readString(h, 345, 155);
      if (prefix)
        name = `${prefix}/${name}`;
    }
    let linkname = readString(h, 157, 100);
    const pax = this.pax;
    if (this.longName !== null)
      name = this.longName;
    if (this.longLinkName !== null)
      linkname = this.longLinkName;
    let entrySize = size;
    const usedPax = pax !== null || this.globalPax.size > 0;
    if (usedPax) {
      const px = new Map([...this.globalPax, ...pax ?? []]);
      if (px.has("path"))
        name = px.get("path");
      if (px.has("linkpath"))
        linkname = px.get("linkpath");
      if (px.has("size"))
        entrySize = Number(px.get("size"));
    }
    for (const n of [name, linkname])
      if (n.length > this.limits.name / 3 && Buffer.byteLength(n) > this.limits.name)
        throw new LimitError("tarName", `a tar entry's name or link target is longer than ${this.limits.name} bytes`);
    if (++this.count > this.limits.entries)
      throw new LimitError("entries", `the archive holds more than ${this.limits.entries} entries`);
    this.longName = this.longLinkName = null;
    this.pax = null;
    let type;
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
    const entry = {
      name,
      type,
      mode: readNumber(h, 100, 8, "mode"),
      uid: readNumber(h, 108, 8, "uid"),
      gid: readNumber(h, 116, 8, "gid"),
      size: type === "file" ? entrySize : 0,
      mtime: readNumber(h, 136, 12, "mtime"),
      linkname: linkname || void 0,
      uname: readString(h, 265, 32),
      gname: readString(h, 297, 32),
      pax: usedPax,
      flag
    };
    this.current = entry;
    this.onEntry(entry);
    const dataSize = type === "file" || type === "other" ? entrySize : 0;
    this.remaining = dataSize;
    this.pad = padded(dataSize) - dataSize;
  }
};
function readTarBuffer(buf) {
  const out = [];
  const p = new TarParser((e) => out.push({ ...e, chunks: [] }), (_e, chunk) => out[out.length - 1].chunks.push(Buffer.from(chunk)));
  p.write(buf);
  p.end();
  return out.map(({ chunks, ...e }) => e.type === "file" ? { ...e, data: Buffer.concat(chunks ?? []) } : e);
}

// dist/stage.js
import { lstat, readdir, readlink, realpath } from "node:fs/promises";
import path2 from "node:path";
function inside(root, p) {
  const rel = path2.relative(root, p);
  return rel === "" || !rel.startsWith("..") && !path2.isAbsolute(rel);
}
async function resolveSource(root, rel, what) {
  const abs = path2.resolve(root, rel);
  if (!inside(root, abs))
    throw new UnsafePathError(`${what} "${rel}" is outside the staged tree`, root);
  let parentReal;
  try {
    parentReal = await realpath(path2.dirname(abs));
  } catch {
    throw new UsageError(`${what} "${rel}" does not exist in the staged tree`, root);
  }
  if (!inside(root, parentReal))
    throw new UnsafePathError(`${what} "${rel}" leads out of the staged tree through a symlink`, root);
  return path2.join(parentReal, path2.basename(abs));
}
async function checkLink(root, abs, rel) {
  const target = await readlink(abs);
  if (Buffer.byteLength(target) > LIMITS.tarName)
    throw new LimitError("tarName", `symlink "${rel}" has a target longer than ${LIMITS.tarName} bytes`, root);
  if (path2.isAbsolute(target) || !inside(root, path2.resolve(path2.dirname(abs), target)))
    throw new UnsafePathError(`symlink "${rel}" -> "${target}" leaves the staged tree`, root);
  if (/[\x00-\x1f\x7f]/.test(target))
    throw new UnsafePathError(`symlink "${rel}" has a control character in its target`, root);
  return target;
}
function fileMode(explicit, statMode) {
  if (explicit !== void 0)
    return explicit;
  return statMode & 73 ? 493 : 420;
}
async function collectStaged(spec, rootIn) {
  let root;
  try {
    root = await realpath(rootIn);
  } catch {
    throw new UsageError(`staged tree does not exist`, rootIn);
  }
  const out = /* @__PURE__ */ new Map();
  const add = (e) => {
    if (Buffer.byteLength(e.path) > LIMITS.tarName)
      throw new LimitError("tarName", `"${e.path.slice(0, 100)}\u2026" is longer than ${LIMITS.tarName} bytes`, root);
    if (out.size >= LIMITS.entries && !out.has(e.path))
      throw new LimitError("entries", `the staged tree holds more than ${LIMITS.entries} entries`, root);
    const prev = out.get(e.path);
    if (prev && !(prev.type === "dir" && e.type === "dir"))
      throw new UsageError(`two [[files]] entries install "${e.path}"`, root);
    out.set(e.path, e);
  };
  async function walk(abs, rel, dst, mode, config) {
    const st = await lstat(abs);
    if (st.isSymbolicLink()) {
      add({ type: "symlink", path: dst, target: await checkLink(root, abs, rel) });
    } else if (st.isDirectory()) {
      add({ type: "dir", path: dst, mode: 493 });
      const names = (await readdir(abs)).sort();
      for (const n of names)
        await walk(path2.join(abs, n), `${rel}/${n}`, `${dst}/${n}`, mode, config);
    } else if (st.isFile()) {
      if (/[\x00-\x1f\x7f\\]/.test(dst))
        throw new UsageError(`file name "${rel}" contains a control character or backslash`, root);
      if (st.size > LIMITS.file)
        throw new UsageError(`staged file "${rel}" is larger than the file limit`, root);
      add({ type: "file", path: dst, mode: fileMode(mode, st.mode), size: st.size, source: abs, config });
    } else {
      throw new UsageError(`"${rel}" is neither a file, a folder nor a symlink`, root);
    }
  }
  for (const f of spec.files) {
    const abs = await resolveSource(root, f.src, "source");
    try {
      await lstat(abs);
    } catch {
      throw new UsageError(`source "${f.src}" does not exist in the staged tree`, root);
    }
    await walk(abs, f.src, f.dst, f.mode, f.config);
  }
  return [...out.values()];
}
async function scriptSource(root, rel) {
  const r = await realpath(root);
  const abs = await resolveSource(r, rel, "script");
  let st;
  try {
    st = await lstat(abs);
  } catch {
    throw new UsageError(`script "${rel}" does not exist in the staged tree`, root);
  }
  if (!st.isFile())
    throw new UnsafePathError(`script "${rel}" is not a regular file (symlinks are not followed)`, root);
  if (st.size > 1 << 20)
    throw new UsageError(`script "${rel}" is larger than 1 MiB`, root);
  return abs;
}
async function readScript(abs, subject) {
  return readRegularFile(abs, { cap: LIMITS.script, limit: "script", what: "maintainer script", subject: `${subject}: ${abs}` });
}
async function* stagedChunks(abs, subject) {
  const { fh } = await openRegular(abs, { cap: LIMITS.file, limit: "file", what: "staged file", subject: `${subject}: ${abs}` });
  try {
    for (; ; ) {
      const buf = Buffer.allocUnsafe(1 << 20);
      const { bytesRead } = await fh.read(buf, 0, buf.length, null);
      if (bytesRead === 0)
        return;
      yield buf.subarray(0, bytesRead);
    }
  } finally {
    await fh.close();
  }
}

export {
  LIMITS,
  describeLimit,
  openRegular,
  openRegularSync,
  readRegularFileSync,
  readRegularFile,
  hashRegularFile,
  hashRegularFileSync,
  extensionOf,
  compressionFromName,
  detectCompression,
  compressor,
  decompressor,
  compressBuffer,
  compressIndexXz,
  decodeXzInMemory,
  decompressBuffer,
  padded,
  tarHeader,
  contentPadding,
  tarTrailer,
  tarBuffer,
  TarParser,
  readTarBuffer,
  collectStaged,
  scriptSource,
  readScript,
  stagedChunks
};
