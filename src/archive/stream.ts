/** Small stream helpers shared by the package writers. */
import { createReadStream, createWriteStream } from "node:fs";
import { rename, rm } from "node:fs/promises";
import { Readable, type Duplex, type Writable } from "node:stream";
import { pipeline } from "node:stream/promises";

/** Pipes an async generator of chunks through a compressor into a file; resolves when the file is closed. */
export async function writeCompressed(gen: AsyncIterable<Buffer>, compressor: Duplex, file: string): Promise<void> {
  await pipeline(Readable.from(gen), compressor, createWriteStream(file));
}

/**
 * Streams bytes [start, start+size) of a file into a writable without ending it; `onChunk` sees
 * every chunk on its way (to hash what is written).
 */
export async function copyRange(file: string, start: number, size: number, out: Writable, onChunk?: (b: Buffer) => void): Promise<void> {
  if (size === 0) return;
  const rs = createReadStream(file, { start, end: start + size - 1, highWaterMark: 1 << 20 });
  for await (const chunk of rs) {
    onChunk?.(chunk as Buffer);
    if (!out.write(chunk)) await new Promise<void>((r) => out.once("drain", () => r()));
  }
}

/** Writes a file through a temporary name and renames it into place, so nobody sees half a file. */
export async function writeFileAtomic(file: string, produce: (out: Writable) => Promise<void>): Promise<void> {
  const tmp = `${file}.tmp-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const ws = createWriteStream(tmp);
  const closed = new Promise<void>((resolve, reject) => {
    ws.on("close", () => resolve());
    ws.on("error", reject);
  });
  // When produce fails, the stream may fail too (written after it was destroyed): that second
  // error is not the one to report, and must not surface as an unhandled rejection.
  closed.catch(() => undefined);
  try {
    await produce(ws);
    ws.end();
    await closed;
    await rename(tmp, file);
  } catch (e) {
    ws.destroy();
    await rm(tmp, { force: true });
    throw e;
  }
}
