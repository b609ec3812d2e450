/**
 * Compression filters as streams. xz settings match dpkg-deb's (preset 6, CRC64, the multi-threaded
 * encoder), so that our members are byte-identical to its output. zstd is read with fzstd (pure
 * JavaScript) and written with the system `zstd`, since Node 20's zlib has none.
 */
import { PassThrough, Transform, type TransformCallback } from "node:stream";
import { spawn } from "node:child_process";
import { accessSync, constants } from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { createRequire } from "node:module";
import type LzmaNative from "lzma-native";
import { Decompress as ZstdDecompress } from "fzstd";
import { CorruptArchiveError, UsageError } from "../errors.js";
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

class ZstdDecoder extends Transform {
  private readonly d: ZstdDecompress;
  constructor() {
    super();
    this.d = new ZstdDecompress((chunk) => {
      this.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    });
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    try {
      this.d.push(new Uint8Array(chunk));
      cb();
    } catch (e) {
      cb(new CorruptArchiveError(`zstd: ${(e as Error).message}`));
    }
  }
  override _flush(cb: TransformCallback): void {
    try {
      this.d.push(new Uint8Array(0), true);
      cb();
    } catch (e) {
      cb(new CorruptArchiveError(`zstd: ${(e as Error).message}`));
    }
  }
}

/** A child process as a transform stream: stdin in, stdout out. */
function processFilter(cmd: string, args: string[]): Transform {
  const child = spawn(cmd, args, { stdio: ["pipe", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const t = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      if (!child.stdin.write(chunk)) child.stdin.once("drain", () => cb());
      else cb();
    },
    flush(cb) {
      child.stdin.end();
      child.once("close", (code) => (code === 0 ? cb() : cb(new Error(`${cmd} exited ${code}: ${stderr.trim()}`))));
    },
  });
  child.stdout.on("data", (d: Buffer) => t.push(d));
  child.on("error", (e) => t.destroy(new UsageError(`cannot run ${cmd} (needed for zstd): ${e.message}`)));
  return t;
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
export function compressor(c: Compression, level?: number, small = false, blockSize?: number): Transform {
  switch (c) {
    case "xz":
      if (!small && hasSystemXz())
        return processFilter("xz", [`-${level ?? 6}`, `-T${XZ_THREADS}`, "--check=crc64", "-c", "-q", ...(blockSize ? [`--block-size=${blockSize}`] : [])]);
      if (blockSize) return lzma().createCompressor({ preset: level ?? 6, check: lzma().CHECK_CRC64, threads: XZ_THREADS, blockSize });
      return lzma().createCompressor({ preset: level ?? 6, check: lzma().CHECK_CRC64, threads: XZ_THREADS });
    case "gz":
      // node:zlib writes mtime 0 and no name: deterministic.
      return zlib.createGzip({ level: level ?? 9 });
    case "zst":
      return processFilter("zstd", [`-${level ?? 19}`, "-q", "-c", "--no-progress"]);
    case "none":
      return new PassThrough();
    default:
      throw new UsageError(`cannot write ${c} compression`);
  }
}

export function decompressor(c: Compression): Transform {
  switch (c) {
    case "xz":
    case "lzma":
      return lzma().createDecompressor();
    case "gz":
      return zlib.createGunzip();
    case "zst":
      return new ZstdDecoder();
    case "bz2":
      return processFilter("bzip2", ["-d", "-c"]);
    case "none":
      return new PassThrough();
  }
}

async function collect(t: Transform, input: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    t.on("data", (d: Buffer) => chunks.push(d));
    t.on("end", () => resolve(Buffer.concat(chunks)));
    t.on("error", reject);
    t.end(input);
  });
}

export async function compressBuffer(c: Compression, input: Buffer, level?: number): Promise<Buffer> {
  if (c === "gz") return zlib.gzipSync(input, { level: level ?? 9 });
  if (c === "none") return input;
  // Starting a process costs a few milliseconds: worth it only for larger inputs.
  return collect(compressor(c, level, input.length < 256 << 10), input);
}

/**
 * An index file (Packages, catalogue) in xz: split in blocks so both cores compress it, at preset 6
 * with the dictionary no larger than a block. A dictionary beyond the block cannot find more
 * matches, and preset 6's 8 MiB one costs its set-up on every call (measured on a 1.1 MB Packages:
 * same 162 KB either way, 0.10 s → 0.07 s).
 */
export async function compressIndexXz(input: Buffer): Promise<Buffer> {
  const half = Math.ceil(input.length / XZ_THREADS / 65536) * 65536;
  const blockSize = input.length > 512 << 10 ? Math.max(256 << 10, half) : undefined;
  if (input.length < 256 << 10 || !hasSystemXz()) return collect(compressor("xz", 6, input.length < 256 << 10, blockSize), input);
  let dict = 64 << 10;
  while (dict < (blockSize ?? input.length) && dict < 8 << 20) dict *= 2;
  const args = [`--lzma2=preset=6,dict=${dict}`, `-T${XZ_THREADS}`, "--check=crc64", "-c", "-q", ...(blockSize ? [`--block-size=${blockSize}`] : [])];
  return collect(processFilter("xz", args), input);
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

export async function decompressBuffer(c: Compression, input: Buffer, subject?: string): Promise<Buffer> {
  try {
    if (c === "gz") return zlib.gunzipSync(input);
    if (c === "none") return input;
    if (c === "xz") {
      const out = decodeXzInMemory(input, subject);
      if (out) return out;
    }
    return await collect(decompressor(c), input);
  } catch (e) {
    if (e instanceof CorruptArchiveError) throw new CorruptArchiveError(e.message, subject ?? e.subject);
    throw new CorruptArchiveError(`cannot decompress ${c} data: ${(e as Error).message}`, subject);
  }
}
