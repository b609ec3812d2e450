// dist/archive/stream.js
import { createReadStream, createWriteStream } from "node:fs";
import { rename, rm } from "node:fs/promises";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
async function writeCompressed(gen, compressor, file) {
  await pipeline(Readable.from(gen), compressor, createWriteStream(file));
}
async function copyRange(file, start, size, out, onChunk) {
  if (size === 0)
    return;
  const rs = createReadStream(file, { start, end: start + size - 1, highWaterMark: 1 << 20 });
  for await (const chunk of rs) {
    onChunk?.(chunk);
    if (!out.write(chunk))
      await new Promise((r) => out.once("drain", () => r()));
  }
}
async function writeFileAtomic(file, produce) {
  const tmp = `${file}.tmp-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const ws = createWriteStream(tmp);
  const closed = new Promise((resolve, reject) => {
    ws.on("close", () => resolve());
    ws.on("error", reject);
  });
  closed.catch(() => void 0);
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

export {
  writeCompressed,
  copyRange,
  writeFileAtomic
};
