/**
 * A synchronous xz decoder for members already in memory (the control and data members of the
 * typical .deb are a few KiB). liblzma through lzma-native costs a stream object, a thread-pool round
 * trip and an 8 MiB dictionary per call, which made reading 2000 small packages take most of a cold
 * run; decoding here, into one buffer sized from the xz index, costs only the decoding itself.
 *
 * Covers what xz, dpkg-deb and pkg write: one stream (trailing stream padding allowed), LZMA2 as the
 * only filter, checks none, CRC32, CRC64 and SHA-256. Anything else returns null and the caller uses
 * liblzma, which also stays the decoder for members too large to hold.
 */
import { createHash } from "node:crypto";
import zlib from "node:zlib";

export class XzFormatError extends Error {}

const MAGIC = [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00];
const CHECK_SIZE: Record<number, number> = { 0: 0, 1: 4, 4: 8, 10: 32 };

function fail(msg: string): never {
  throw new XzFormatError(msg);
}

function crc32(b: Uint8Array): number {
  return zlib.crc32(b) >>> 0;
}

/**
 * CRC-64/XZ (ECMA-182, reflected), slicing by eight over 32-bit halves to stay off BigInt: the check
 * covers every decoded byte, so it has to be about as fast as the decoding.
 */
const CRC64_LO = new Uint32Array(8 * 256);
const CRC64_HI = new Uint32Array(8 * 256);
{
  for (let i = 0; i < 256; i++) {
    let lo = i;
    let hi = 0;
    for (let k = 0; k < 8; k++) {
      const bit = lo & 1;
      lo = ((lo >>> 1) | ((hi & 1) << 31)) >>> 0;
      hi = hi >>> 1;
      if (bit) {
        lo = (lo ^ 0xd7870f42) >>> 0;
        hi = (hi ^ 0xc96c5795) >>> 0;
      }
    }
    CRC64_LO[i] = lo;
    CRC64_HI[i] = hi;
  }
  for (let t = 1; t < 8; t++) {
    for (let i = 0; i < 256; i++) {
      const plo = CRC64_LO[(t - 1) * 256 + i]!;
      const phi = CRC64_HI[(t - 1) * 256 + i]!;
      const j = plo & 0xff;
      CRC64_LO[t * 256 + i] = (((plo >>> 8) | (phi << 24)) ^ CRC64_LO[j]!) >>> 0;
      CRC64_HI[t * 256 + i] = ((phi >>> 8) ^ CRC64_HI[j]!) >>> 0;
    }
  }
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

function crc64(b: Uint8Array, start: number, end: number): [number, number] {
  const L = CRC64_LO;
  const H = CRC64_HI;
  let lo = 0xffffffff | 0;
  let hi = 0xffffffff | 0;
  let i = start;
  // Bytes one at a time up to a 4-byte boundary of the underlying memory, then words through a
  // Uint32Array view (little-endian machines only, which is every machine Node runs on but s390x).
  for (; i < end && (b.byteOffset + i) & 3; i++) {
    const t = (lo ^ b[i]!) & 0xff;
    lo = ((lo >>> 8) | (hi << 24)) ^ L[t]!;
    hi = (hi >>> 8) ^ H[t]!;
  }
  const words = LITTLE_ENDIAN ? new Uint32Array(b.buffer, b.byteOffset + i, (end - i) >>> 2) : null;
  for (let w = 0; words && i + 8 <= end; i += 8, w += 2) {
    const a = lo ^ words[w]!;
    const c = hi ^ words[w + 1]!;
    const i7 = 7 * 256 + (a & 0xff);
    const i6 = 6 * 256 + ((a >>> 8) & 0xff);
    const i5 = 5 * 256 + ((a >>> 16) & 0xff);
    const i4 = 4 * 256 + (a >>> 24);
    const i3 = 3 * 256 + (c & 0xff);
    const i2 = 2 * 256 + ((c >>> 8) & 0xff);
    const i1 = 256 + ((c >>> 16) & 0xff);
    const i0 = c >>> 24;
    lo = L[i7]! ^ L[i6]! ^ L[i5]! ^ L[i4]! ^ L[i3]! ^ L[i2]! ^ L[i1]! ^ L[i0]!;
    hi = H[i7]! ^ H[i6]! ^ H[i5]! ^ H[i4]! ^ H[i3]! ^ H[i2]! ^ H[i1]! ^ H[i0]!;
  }
  for (; i < end; i++) {
    const t = (lo ^ b[i]!) & 0xff;
    lo = ((lo >>> 8) | (hi << 24)) ^ L[t]!;
    hi = (hi >>> 8) ^ H[t]!;
  }
  return [~lo >>> 0, ~hi >>> 0];
}

function readU32(b: Uint8Array, o: number): number {
  return (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0;
}

/** xz's variable-length integer; returns [value, next offset]. Values beyond 2^53 are refused. */
function varint(b: Uint8Array, o: number, end: number): [number, number] {
  let v = 0;
  let mul = 1;
  for (let i = 0; i < 9; i++) {
    if (o >= end) fail("truncated integer");
    const byte = b[o++]!;
    v += (byte & 0x7f) * mul;
    if (!(byte & 0x80)) {
      if (byte === 0 && i > 0) fail("integer not in shortest form");
      if (v > Number.MAX_SAFE_INTEGER) fail("integer too large");
      return [v, o];
    }
    mul *= 128;
  }
  return fail("integer too long");
}

interface IndexRecord {
  unpadded: number;
  uncompressed: number;
}

/**
 * Decodes a whole xz file held in memory. Returns null for a valid-looking file this decoder does not
 * cover (other filters, several streams) or whose output would exceed `limit` bytes. Throws
 * XzFormatError for a corrupt one.
 */
/**
 * Output buffer reused by `scratch` calls: listing a data member needs its bytes only until the tar
 * headers are read, and thousands of fresh 10–100 KiB buffers per run are what grows the process.
 */
let scratchBuf = Buffer.allocUnsafe(0);
const SCRATCH_KEEP = 4 << 20;

function outputBuffer(size: number, scratch: boolean): Buffer {
  if (!scratch || size > SCRATCH_KEEP) return Buffer.allocUnsafe(size);
  if (scratchBuf.length < size) scratchBuf = Buffer.allocUnsafe(Math.max(size, 64 << 10));
  return scratchBuf.subarray(0, size);
}

/**
 * With `scratch`, the result is a view of a buffer that the next scratch call overwrites: the caller
 * must be done with it before decoding again.
 */
export function decodeXzSync(input: Uint8Array, limit: number, opts: { scratch?: boolean } = {}): Buffer | null {
  let end = input.length;
  // Stream padding: zero bytes in multiples of four after the footer.
  while (end >= 4 && readU32(input, end - 4) === 0) end -= 4;
  if (end < 24) fail("file too short");
  for (let i = 0; i < 6; i++) if (input[i] !== MAGIC[i]) fail("not xz data");
  const flags0 = input[6]!;
  const check = input[7]!;
  if (flags0 !== 0 || (check & 0xf0) !== 0) fail("unsupported stream flags");
  if (crc32(input.subarray(6, 8)) !== readU32(input, 8)) fail("stream header CRC32 mismatch");
  const checkSize = CHECK_SIZE[check];
  if (checkSize === undefined) return null;

  const f = end - 12;
  if (input[f + 10] !== 0x59 || input[f + 11] !== 0x5a) fail("stream footer magic missing");
  if (crc32(input.subarray(f + 4, f + 10)) !== readU32(input, f)) fail("stream footer CRC32 mismatch");
  if (input[f + 8] !== flags0 || input[f + 9] !== check) fail("stream footer flags differ from header");
  const indexSize = (readU32(input, f + 4) + 1) * 4;
  const indexStart = f - indexSize;
  if (indexStart < 12) fail("index size out of range");
  if (input[indexStart] !== 0) fail("index indicator missing");
  if (crc32(input.subarray(indexStart, f - 4)) !== readU32(input, f - 4)) fail("index CRC32 mismatch");
  let [count, o] = varint(input, indexStart + 1, f - 4);
  const records: IndexRecord[] = [];
  let total = 0;
  let blocksEnd = 12;
  for (let i = 0; i < count; i++) {
    let unpadded: number;
    let uncompressed: number;
    [unpadded, o] = varint(input, o, f - 4);
    [uncompressed, o] = varint(input, o, f - 4);
    if (unpadded < 5 + checkSize) fail("index record out of range");
    records.push({ unpadded, uncompressed });
    total += uncompressed;
    blocksEnd += Math.ceil(unpadded / 4) * 4;
  }
  while (o < f - 4) if (input[o++] !== 0) fail("index padding not zero");
  if (blocksEnd !== indexStart) return null; // several streams, or a layout this decoder does not cover
  if (total > limit) return null;

  const out = outputBuffer(total, opts.scratch === true);
  let inPos = 12;
  let outPos = 0;
  for (const r of records) {
    const blockStart = inPos;
    const headerSize = (input[inPos]! + 1) * 4;
    if (input[inPos] === 0) fail("block expected, index found");
    const hEnd = inPos + headerSize;
    if (hEnd > indexStart) fail("block header out of range");
    if (crc32(input.subarray(inPos, hEnd - 4)) !== readU32(input, hEnd - 4)) fail("block header CRC32 mismatch");
    const bflags = input[inPos + 1]!;
    if (bflags & 0x3c) fail("unsupported block flags");
    if ((bflags & 0x03) !== 0) return null; // more than one filter (BCJ, delta)
    let p = inPos + 2;
    let declaredPacked = -1;
    let declaredSize = -1;
    if (bflags & 0x40) [declaredPacked, p] = varint(input, p, hEnd - 4);
    if (bflags & 0x80) [declaredSize, p] = varint(input, p, hEnd - 4);
    let id: number;
    let propsSize: number;
    [id, p] = varint(input, p, hEnd - 4);
    [propsSize, p] = varint(input, p, hEnd - 4);
    if (id !== 0x21) return null;
    if (propsSize !== 1 || p >= hEnd - 4) fail("bad LZMA2 properties");
    const dictByte = input[p++]!;
    if (dictByte > 40) fail("bad LZMA2 dictionary size");
    while (p < hEnd - 4) if (input[p++] !== 0) fail("block header padding not zero");
    const packedEnd = blockStart + r.unpadded - checkSize;
    if (packedEnd > indexStart || packedEnd <= hEnd) fail("block out of range");
    if (declaredPacked >= 0 && hEnd + declaredPacked !== packedEnd) fail("block size differs from the index");
    if (declaredSize >= 0 && declaredSize !== r.uncompressed) fail("block size differs from the index");
    const blockOut = outPos;
    const used = decodeLzma2(input, hEnd, packedEnd, out, outPos, outPos + r.uncompressed);
    if (used !== packedEnd) fail("LZMA2 data does not end where the block does");
    outPos += r.uncompressed;
    let q = packedEnd;
    while (q & 3) if (input[q++] !== 0) fail("block padding not zero");
    // the padding is counted from the stream start, which is at offset 0 here
    const c = q;
    if (check === 1) {
      if (crc32(out.subarray(blockOut, outPos)) !== readU32(input, c)) fail("CRC32 mismatch");
    } else if (check === 4) {
      const [lo, hi] = crc64(out, blockOut, outPos);
      if (lo !== readU32(input, c) || hi !== readU32(input, c + 4)) fail("CRC64 mismatch");
    } else if (check === 10) {
      const h = createHash("sha256").update(out.subarray(blockOut, outPos)).digest();
      if (!h.equals(input.subarray(c, c + 32))) fail("SHA-256 mismatch");
    }
    inPos = c + checkSize;
  }
  if (inPos !== indexStart) fail("blocks do not end where the index starts");
  return out;
}

// ---------------------------------------------------------------------------------- LZMA2 / LZMA

const NUM_STATES = 12;
const POS_STATES_MAX = 16;
const LEN_LOW = 0; // 16 × 8
const LEN_MID = 128; // 16 × 8
const LEN_HIGH = 256; // 256
const LEN_CHOICE = 512;
const LEN_CHOICE2 = 513;
const LEN_PROBS = 514;

/** Probability array offsets, one flat Uint16Array per decoder. */
const IS_MATCH = 0;
const IS_REP = IS_MATCH + NUM_STATES * POS_STATES_MAX;
const IS_REP_G0 = IS_REP + NUM_STATES;
const IS_REP_G1 = IS_REP_G0 + NUM_STATES;
const IS_REP_G2 = IS_REP_G1 + NUM_STATES;
const IS_REP0_LONG = IS_REP_G2 + NUM_STATES;
const POS_SLOT = IS_REP0_LONG + NUM_STATES * POS_STATES_MAX; // 4 × 64
const SPEC_POS = POS_SLOT + 4 * 64; // 114 (full distances 128 − end pos model index 14)
const ALIGN = SPEC_POS + 114; // 16
const LEN = ALIGN + 16;
const REP_LEN = LEN + LEN_PROBS;
const LITERAL = REP_LEN + LEN_PROBS;

class Lzma2Decoder {
  probs = new Uint16Array(LITERAL + 0x300 * 16); // lc + lp ≤ 4 in LZMA2
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
  input: Uint8Array = new Uint8Array(0);

  resetState(): void {
    this.probs.fill(1024, 0, LITERAL + (0x300 << (this.lc + this.lp)));
    this.state = 0;
    this.rep0 = this.rep1 = this.rep2 = this.rep3 = 0;
  }

  initRange(pos: number, end: number): void {
    if (end - pos < 5 || this.input[pos] !== 0) fail("bad LZMA range coder start");
    this.code = readU32BE(this.input, pos + 1);
    this.range = 0xffffffff;
    this.inPos = pos + 5;
    this.inEnd = end;
    if (this.code === 0xffffffff) fail("bad LZMA range coder start");
  }

  bit(i: number): number {
    const probs = this.probs;
    const p = probs[i]!;
    const bound = (this.range >>> 11) * p;
    let r: number;
    if (this.code < bound) {
      this.range = bound;
      probs[i] = p + ((2048 - p) >>> 5);
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
  normalize(): void {
    if (this.range < 0x1000000) {
      if (this.inPos >= this.inEnd) fail("LZMA chunk truncated");
      this.range = (this.range * 256) >>> 0;
      this.code = (this.code * 256 + this.input[this.inPos++]!) >>> 0;
    }
  }

  tree(base: number, bits: number): number {
    let m = 1;
    for (let i = 0; i < bits; i++) m = (m << 1) | this.bit(base + m);
    return m - (1 << bits);
  }

  reverse(base: number, bits: number): number {
    let m = 1;
    let r = 0;
    for (let i = 0; i < bits; i++) {
      const b = this.bit(base + m);
      m = (m << 1) | b;
      r |= b << i;
    }
    return r;
  }

  direct(bits: number): number {
    let r = 0;
    for (let i = 0; i < bits; i++) {
      this.range >>>= 1;
      let b = 0;
      if (this.code >= this.range) {
        this.code -= this.range;
        b = 1;
      }
      r = ((r << 1) | b) >>> 0;
      this.normalize();
    }
    return r;
  }

  len(base: number, posState: number): number {
    if (!this.bit(base + LEN_CHOICE)) return this.tree(base + LEN_LOW + posState * 8, 3);
    if (!this.bit(base + LEN_CHOICE2)) return 8 + this.tree(base + LEN_MID + posState * 8, 3);
    return 16 + this.tree(base + LEN_HIGH, 8);
  }

  /** Decodes one LZMA chunk into out[pos, end); dictStart is where the dictionary was last reset. */
  chunk(out: Buffer, pos: number, end: number, dictStart: number): void {
    const pbMask = (1 << this.pb) - 1;
    const lpMask = (1 << this.lp) - 1;
    const lc = this.lc;
    while (pos < end) {
      const posState = (pos - dictStart) & pbMask;
      const s = this.state;
      if (!this.bit(IS_MATCH + (s << 4) + posState)) {
        const prev = pos > dictStart ? out[pos - 1]! : 0;
        const base = LITERAL + 0x300 * ((((pos - dictStart) & lpMask) << lc) + (prev >>> (8 - lc)));
        let sym = 1;
        if (s < 7) {
          // The hottest loop of a decode (text and tar headers are mostly literals): the range
          // coder lives in locals here rather than in fields.
          const probs = this.probs;
          const input = this.input;
          const inEnd = this.inEnd;
          let range = this.range;
          let code = this.code;
          let inPos = this.inPos;
          while (sym < 0x100) {
            const i = base + sym;
            const p = probs[i]!;
            const bound = (range >>> 11) * p;
            if (code < bound) {
              range = bound;
              probs[i] = p + ((2048 - p) >>> 5);
              sym <<= 1;
            } else {
              range -= bound;
              code -= bound;
              probs[i] = p - (p >>> 5);
              sym = (sym << 1) | 1;
            }
            if (range < 0x1000000) {
              if (inPos >= inEnd) fail("LZMA chunk truncated");
              range = (range * 256) >>> 0;
              code = (code * 256 + input[inPos++]!) >>> 0;
            }
          }
          this.range = range;
          this.code = code;
          this.inPos = inPos;
        } else {
          const mpos = pos - this.rep0 - 1;
          if (mpos < dictStart) fail("LZMA distance beyond the dictionary");
          let match = out[mpos]!;
          while (sym < 0x100) {
            const mbit = (match >>> 7) & 1;
            match <<= 1;
            const b = this.bit(base + 0x100 + (mbit << 8) + sym);
            sym = (sym << 1) | b;
            if (b !== mbit) {
              while (sym < 0x100) sym = (sym << 1) | this.bit(base + sym);
              break;
            }
          }
        }
        out[pos++] = sym & 0xff;
        this.state = s < 4 ? 0 : s < 10 ? s - 3 : s - 6;
        continue;
      }
      let len: number;
      if (this.bit(IS_REP + s)) {
        if (pos === dictStart) fail("LZMA repeat before any data");
        if (!this.bit(IS_REP_G0 + s)) {
          if (!this.bit(IS_REP0_LONG + (s << 4) + posState)) {
            this.state = s < 7 ? 9 : 11;
            const mpos = pos - this.rep0 - 1;
            if (mpos < dictStart) fail("LZMA distance beyond the dictionary");
            out[pos] = out[mpos]!;
            pos++;
            continue;
          }
        } else {
          let dist: number;
          if (!this.bit(IS_REP_G1 + s)) dist = this.rep1;
          else {
            if (!this.bit(IS_REP_G2 + s)) dist = this.rep2;
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
        let dist: number;
        if (slot < 4) dist = slot;
        else {
          const direct = (slot >>> 1) - 1;
          dist = ((2 | (slot & 1)) << direct) >>> 0;
          if (slot < 14) dist += this.reverse(SPEC_POS + dist - slot - 1, direct);
          else {
            dist = (dist + this.direct(direct - 4) * 16) >>> 0;
            dist = (dist + this.reverse(ALIGN, 4)) >>> 0;
            if (dist === 0xffffffff) fail("LZMA end marker inside an LZMA2 chunk");
          }
        }
        this.rep0 = dist;
      }
      len += 2;
      const from = pos - this.rep0 - 1;
      if (from < dictStart) fail("LZMA distance beyond the dictionary");
      if (pos + len > end) fail("LZMA match runs past the chunk");
      // Long runs (tar padding) go through native fill/copy; short ones are cheaper in a loop.
      if (len < 32) for (let i = 0; i < len; i++) out[pos + i] = out[from + i]!;
      else if (this.rep0 === 0) out.fill(out[from]!, pos, pos + len);
      else if (this.rep0 + 1 >= len) out.copyWithin(pos, from, from + len);
      else for (let i = 0; i < len; i++) out[pos + i] = out[from + i]!;
      pos += len;
    }
  }
}

function readU32BE(b: Uint8Array, o: number): number {
  return ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
}

/** Decodes LZMA2 chunks from input[pos, end) into out[outPos, outEnd); returns the end of the chunks. */
const EMPTY = new Uint8Array(0);

/** One decoder reused by every call: decoding is synchronous, and its tables are 28 KiB to set up. */
const shared = new Lzma2Decoder();

function decodeLzma2(input: Uint8Array, pos: number, end: number, out: Buffer, outPos: number, outEnd: number): number {
  const d = shared;
  d.input = input;
  let dictStart = outPos;
  let needDictReset = true;
  let needProps = true;
  for (;;) {
    if (pos >= end) fail("LZMA2 data truncated");
    const control = input[pos++]!;
    if (control === 0) break;
    if (control === 1 || control === 2) {
      if (end - pos < 2) fail("LZMA2 data truncated");
      const size = ((input[pos]! << 8) | input[pos + 1]!) + 1;
      pos += 2;
      if (control === 1) {
        // as in liblzma: after a dictionary reset the next LZMA chunk must bring properties
        dictStart = outPos;
        needDictReset = false;
        needProps = true;
      } else if (needDictReset) fail("LZMA2 first chunk does not reset the dictionary");
      if (end - pos < size || outEnd - outPos < size) fail("LZMA2 uncompressed chunk out of range");
      out.set(input.subarray(pos, pos + size), outPos);
      pos += size;
      outPos += size;
      continue;
    }
    if (control < 0x80) fail("bad LZMA2 control byte");
    if (end - pos < 4) fail("LZMA2 data truncated");
    const unpacked = ((control & 0x1f) << 16) + ((input[pos]! << 8) | input[pos + 1]!) + 1;
    const packed = ((input[pos + 2]! << 8) | input[pos + 3]!) + 1;
    pos += 4;
    const reset = (control >>> 5) & 3;
    if (reset === 3) {
      dictStart = outPos;
      needDictReset = false;
    } else if (needDictReset) fail("LZMA2 first chunk does not reset the dictionary");
    if (reset >= 2) {
      if (pos >= end) fail("LZMA2 data truncated");
      let props = input[pos++]!;
      if (props >= 9 * 5 * 5) fail("bad LZMA properties");
      d.lc = props % 9;
      props = (props / 9) | 0;
      d.lp = props % 5;
      d.pb = (props / 5) | 0;
      if (d.lc + d.lp > 4) fail("bad LZMA properties");
      needProps = false;
    } else if (needProps) fail("LZMA2 chunk without properties");
    if (reset >= 1) d.resetState();
    if (end - pos < packed || outEnd - outPos < unpacked) fail("LZMA2 chunk out of range");
    d.initRange(pos, pos + packed);
    d.chunk(out, outPos, outPos + unpacked, dictStart);
    if (d.inPos !== pos + packed || d.code !== 0) fail("LZMA2 chunk does not end cleanly");
    pos += packed;
    outPos += unpacked;
  }
  if (outPos !== outEnd) fail("LZMA2 data shorter than the index says");
  d.input = EMPTY;
  return pos;
}
