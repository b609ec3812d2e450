/**
 * Compression filters as streams. xz settings match dpkg-deb's (preset 6, CRC64, the multi-threaded
 * encoder), so that our members are byte-identical to its output. zstd is read and written with the
 * system `zstd` (Node 20's zlib has none; a JavaScript decoder we tried skipped the frame checksums
 * and allocated whatever window a frame header asked for). Streams that may be large are decoded by
 * the system `xz`, `zstd` and `bzip2` processes, whose output waits in the pipe while we are busy.
 */
import { Duplex, PassThrough, Readable, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { spawn } from "node:child_process";
import { accessSync, constants } from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { createHash } from "node:crypto";
import { assembleXz, indexChunks, parseXzBlocks, type XzBlock } from "./xz-blocks.js";
import { createRequire } from "node:module";
import type LzmaNative from "lzma-native";
import { CorruptArchiveError, LimitError, UsageError } from "../errors.js";
import { describeLimit } from "./limits.js";
import { decodeXzSync, XzFormatError } from "./xz.js";

export type Compression = "xz" | "gz" | "zst" | "bz2" | "lzma" | "none";

// liblzma is loaded on first use: most runs decode in JavaScript (xz.ts) and compress with the
// system xz, and loading the addon is a noticeable part of a quiet run's start-up.
const requireCjs = createRequire(import.meta.url);
let lzmaModule: typeof LzmaNative | undefined;
function lzma(): typeof LzmaNative {
  lzmaModule ??= requireCjs("lzma-native") as typeof LzmaNative;
  return lzmaModule;
}

/** Thread count fixed (not the core count) so that output does not depend on the machine. */
const XZ_THREADS = 2;

export function extensionOf(c: Compression): string {
  return c === "none" ? "" : `.${c}`;
}

/** The compression named by a member's extension: `data.tar.xz` → xz. */
export function compressionFromName(name: string): Compression | null {
  const m = /\.tar(?:\.(xz|gz|zst|bz2|lzma))?$/.exec(name);
  if (!m) return null;
  return (m[1] as Compression | undefined) ?? "none";
}

/** Detects a compression from the first bytes of a stream. */
export function detectCompression(head: Buffer): Compression {
  if (head.length >= 6 && head.subarray(0, 6).equals(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]))) return "xz";
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return "gz";
  if (head.length >= 4 && head.readUInt32LE(0) === 0xfd2fb528) return "zst";
  if (head.length >= 3 && head.toString("latin1", 0, 3) === "BZh") return "bz2";
  return "none";
}

/**
 * A child process as a stream: stdin in, stdout out, with backpressure both ways (its stdout is
 * paused while the consumer is full, so a bomb decoding to gigabytes waits in the child instead of
 * piling up here). A non-zero exit is the stream's error, with the child's first words on stderr.
 */
function processFilter(cmd: string, args: string[], purpose: string): Duplex {
  const child = spawn(cmd, args, { stdio: ["pipe", "pipe", "pipe"] });
  let stderr = "";
  let stdinGone = false;
  child.stderr.on("data", (d: Buffer) => {
    if (stderr.length < 2000) stderr += d.toString();
  });
  // Writing to a child that has exited fails with EPIPE: its exit status tells what went wrong.
  child.stdin.on("error", () => (stdinGone = true));
  const d = new Duplex({
    write(chunk: Buffer, _enc, cb) {
      if (stdinGone) return cb();
      if (child.stdin.write(chunk)) cb();
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
      if (!stdinGone) child.stdin.end();
      cb();
    },
    read() {
      child.stdout.resume();
    },
    destroy(err, cb) {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      cb(err);
    },
  });
  child.stdout.on("data", (c: Buffer) => {
    if (!d.push(c)) child.stdout.pause();
  });
  child.on("close", (code, signal) => {
    if (d.destroyed) return;
    if (code === 0) d.push(null);
    else d.destroy(new CorruptArchiveError(`${cmd} ${signal ? `was killed (${signal})` : `exited ${code}`}: ${stderr.trim().split("\n")[0] ?? ""}`));
  });
  child.on("error", (e) => d.destroy(new UsageError(`cannot run ${cmd} (needed for ${purpose}): ${e.message}`)));
  return d;
}

let systemXz: boolean | undefined;
/**
 * Debian's own `xz` (liblzma 5.4) is about twice as fast as the liblzma bundled with lzma-native
 * and, with the same settings, writes the same bytes; it is used for large data when present.
 */
function hasSystemXz(): boolean {
  // Looked up on PATH rather than by running `xz --version`: a process start costs more than the
  // rest of a quiet run's compression decisions.
  systemXz ??= !process.env.REPOGEN_NO_SYSTEM_XZ && onPath("xz");
  return systemXz;
}

function onPath(cmd: string): boolean {
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    if (!dir) continue;
    try {
      accessSync(path.join(dir, cmd), constants.X_OK);
      return true;
    } catch {
      // not here
    }
  }
  return false;
}

/**
 * `blockSize`: split the input into xz blocks of this size so that both threads work on an input
 * smaller than xz's default block (3 × the dictionary, 24 MiB). Used for index files, where the
 * exact bytes do not matter; package members keep the default so they match dpkg-deb's.
 */
export function compressor(c: Compression, level?: number, small = false, blockSize?: number): Duplex {
  switch (c) {
    case "xz":
      if (!small && hasSystemXz())
        return processFilter("xz", [`-${level ?? 6}`, `-T${XZ_THREADS}`, "--check=crc64", "-c", "-q", ...(blockSize ? [`--block-size=${blockSize}`] : [])], "xz");
      if (blockSize) return lzma().createCompressor({ preset: level ?? 6, check: lzma().CHECK_CRC64, threads: XZ_THREADS, blockSize });
      return lzma().createCompressor({ preset: level ?? 6, check: lzma().CHECK_CRC64, threads: XZ_THREADS });
    case "gz":
      // node:zlib writes mtime 0 and no name: deterministic.
      return zlib.createGzip({ level: level ?? 9 });
    case "zst":
      return processFilter("zstd", [`-${level ?? 19}`, "-q", "-c", "--no-progress"], "zstd");
    case "none":
      return new PassThrough();
    default:
      throw new UsageError(`cannot write ${c} compression`);
  }
}

/**
 * The memory a decoder may take for its dictionary or window: xz's and zstd's presets up to -9 and
 * -19 need at most 65 MiB; a header asking for more is refused instead of being allocated.
 */
const DECODER_MEMORY = "128MiB";

export function decompressor(c: Compression): Duplex {
  switch (c) {
    case "xz":
    case "lzma":
      // liblzma through lzma-native decodes each input chunk whole, whatever the consumer takes:
      // 200 KB of xz held 2 GB. It stays only for machines without xz.
      if (hasSystemXz()) return processFilter("xz", ["-d", "-c", "-q", `--memlimit-decompress=${DECODER_MEMORY}`, ...(c === "lzma" ? ["--format=lzma"] : [])], "xz");
      return lzma().createDecompressor();
    case "gz":
      return zlib.createGunzip();
    case "zst":
      // zstd checks every frame's checksum and refuses windows past its memory limit.
      return processFilter("zstd", ["-d", "-c", "-q", "--no-progress", `--memory=${DECODER_MEMORY}`], "zstd");
    case "bz2":
      return processFilter("bzip2", ["-d", "-c"], "bzip2");
    case "none":
      return new PassThrough();
  }
}

/** A limit on decoded bytes: how many, and the limit's name for the rejection. */
export interface DecodeLimit {
  bytes: number;
  name: string;
  /** What is decoded, for the message: "control member". */
  what: string;
}

function overLimit(l: DecodeLimit, subject?: string): LimitError {
  return new LimitError(l.name, `${l.what} decodes to more than ${describeLimit(l.bytes)}`, subject);
}

async function collect(t: Duplex, input: Buffer, limit?: DecodeLimit, subject?: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let n = 0;
  // The input goes in slices, so that a limit stops the decoder early instead of after the whole input.
  const slices: Buffer[] = [];
  for (let i = 0; i < input.length; i += 1 << 16) slices.push(input.subarray(i, i + (1 << 16)));
  await pipeline(
    Readable.from(slices),
    t,
    new Writable({
      write(chunk: Buffer, _enc, cb) {
        n += chunk.length;
        if (limit && n > limit.bytes) return cb(overLimit(limit, subject));
        chunks.push(chunk);
        cb();
      },
    }),
  );
  return Buffer.concat(chunks, n);
}

export async function compressBuffer(c: Compression, input: Buffer, level?: number): Promise<Buffer> {
  if (c === "gz") return zlib.gzipSync(input, { level: level ?? 9 });
  if (c === "none") return input;
  // Starting a process costs a few milliseconds: worth it only for larger inputs.
  return collect(compressor(c, level, input.length < 256 << 10), input);
}

/**
 * An index file (Packages) in xz, one block per chunk of its text (xz-blocks.ts), at preset 6 with
 * the dictionary no larger than a chunk (a larger one finds no more matches and costs its set-up):
 * both cores compress blocks at once, and the blocks of `previous` (the published file) whose bytes
 * are an unchanged chunk are kept, so a new build recompresses the chunk it is in, not the whole
 * index. Chunks of 64-512 KiB cost about 3 % in size against one block (1.1 MB Packages: 166 KB
 * instead of 161 KB).
 */
export async function compressIndexXz(input: Buffer, previous?: Buffer | null, previousText?: Buffer): Promise<Buffer> {
  const chunks = indexChunks(input);
  const digest = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");
  // The published file's blocks, by the digest of what each decodes to (decoding checks each block's
  // CRC64 too): only a block whose bytes are proven to be an unchanged chunk is reused. When the
  // caller vouches that `previous` is `previousText` compressed (the published Release names both),
  // and its blocks are exactly that text's chunks, each block is known without decoding it.
  const have = new Map<string, XzBlock>();
  const sizes = new Set(chunks.map((c) => c.length));
  const old = (previous && parseXzBlocks(previous)) ?? [];
  const oldChunks = previousText ? indexChunks(previousText) : [];
  if (oldChunks.length && oldChunks.length === old.length && old.every((b, i) => b.uncompressed === oldChunks[i]!.length)) {
    for (const [i, b] of old.entries()) if (sizes.has(b.uncompressed)) have.set(digest(oldChunks[i]!), b);
  } else for (const b of old) {
    if (!sizes.has(b.uncompressed)) continue;
    try {
      const decoded = decodeXzSync(assembleXz([b]), b.uncompressed);
      if (decoded && decoded.length === b.uncompressed) have.set(digest(decoded), b);
    } catch {
      // a damaged block is not reused
    }
  }
  const keys = chunks.map(digest);
  const need = chunks.filter((_, i) => !have.has(keys[i]!));
  const made = need.length ? await compressChunks(need) : [];
  let k = 0;
  return assembleXz(chunks.map((_, i) => have.get(keys[i]!) ?? made[k++]!));
}

/** Below this much text to compress, liblzma in this process beats starting xz. */
const IN_PROCESS_XZ = 256 << 10;

/** Each chunk as one xz block (CRC64 check), in order. */
async function compressChunks(chunks: Buffer[]): Promise<XzBlock[]> {
  const total = chunks.reduce((n, c) => n + c.length, 0);
  if (total >= IN_PROCESS_XZ && hasSystemXz()) {
    const biggest = Math.max(...chunks.map((c) => c.length));
    let dict = 64 << 10;
    while (dict < biggest && dict < 8 << 20) dict *= 2;
    // One process for all of them: --block-list ends a block exactly where each chunk ends.
    const args = [`--lzma2=preset=6,dict=${dict}`, `-T${XZ_THREADS}`, "--check=crc64", `--block-list=${chunks.map((c) => c.length).join(",")}`, "-c", "-q"];
    const blocks = parseXzBlocks(await collect(processFilter("xz", args, "xz"), Buffer.concat(chunks)));
    if (blocks && blocks.length === chunks.length && blocks.every((b, i) => b.uncompressed === chunks[i]!.length)) return blocks;
    throw new Error("xz did not write one block per chunk");
  }
  const out: XzBlock[] = [];
  for (const c of chunks) {
    // The dictionary no larger than the chunk: preset 6's 8 MiB one is most of the encoder's set-up.
    let dict = 64 << 10;
    while (dict < c.length && dict < 8 << 20) dict *= 2;
    const z = lzma();
    const enc = z.createStream("streamEncoder", { filters: [{ id: z.FILTER_LZMA2, options: { preset: 6, dictSize: dict } }], check: z.CHECK_CRC64 });
    const blocks = parseXzBlocks(await collect(enc, c));
    if (!blocks || blocks.length !== 1 || blocks[0]!.uncompressed !== c.length) throw new Error("liblzma did not write one block");
    out.push(blocks[0]!);
  }
  return out;
}

/** Output size up to which xz held in memory is decoded synchronously in JavaScript (see xz.ts). */
const SYNC_XZ_LIMIT = 16 << 20;

/**
 * xz data held in memory, decoded in this thread when its output is at most `limit` bytes; null when
 * it has to go through liblzma instead (too large, or a filter the JavaScript decoder lacks). With
 * `scratch`, the result is only valid until the next scratch decode (see decodeXzSync).
 */
export function decodeXzInMemory(input: Uint8Array, subject?: string, opts: { scratch?: boolean; limit?: number } = {}): Buffer | null {
  try {
    return decodeXzSync(input, opts.limit ?? SYNC_XZ_LIMIT, { scratch: opts.scratch });
  } catch (e) {
    if (e instanceof XzFormatError) throw new CorruptArchiveError(`cannot decompress xz data: ${e.message}`, subject);
    throw e;
  }
}

/** Decodes data held in memory; with `limit`, refuses output past it without holding more. */
export async function decompressBuffer(c: Compression, input: Buffer, subject?: string, limit?: DecodeLimit): Promise<Buffer> {
  try {
    if (c === "gz") {
      try {
        return zlib.gunzipSync(input, limit ? { maxOutputLength: limit.bytes } : {});
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE" && limit) throw overLimit(limit, subject);
        throw e;
      }
    }
    if (c === "none") {
      if (limit && input.length > limit.bytes) throw overLimit(limit, subject);
      return input;
    }
    if (c === "xz") {
      const out = decodeXzInMemory(input, subject, { limit: Math.min(SYNC_XZ_LIMIT, limit?.bytes ?? Infinity) });
      if (out) return out;
    }
    return await collect(decompressor(c), input, limit, subject);
  } catch (e) {
    if (e instanceof LimitError) throw e;
    if (e instanceof CorruptArchiveError) throw new CorruptArchiveError(e.message, subject ?? e.subject);
    if (e instanceof UsageError) throw e;
    throw new CorruptArchiveError(`cannot decompress ${c} data: ${(e as Error).message}`, subject);
  }
}
