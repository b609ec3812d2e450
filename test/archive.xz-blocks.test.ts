// Packages.xz made of one block per chunk of the text, with the blocks of the published file reused
// where their text did not change: judged by the real `xz` (-t, -l, -d) and by apt's own reader
// (apt-helper cat-file), on files xz wrote and on damaged ones.
import { describe, expect, it } from "vitest";
import { execFileSync, spawnSync } from "node:child_process";
import { assembleXz, indexChunks, parseXzBlocks } from "../src/archive/xz-blocks.js";
import { compressIndexXz } from "../src/archive/compress.js";
import { rng } from "./helpers.js";

const xzDecode = (data: Buffer) => execFileSync("xz", ["-dc"], { input: data, maxBuffer: 1 << 28 });
const xzAccepts = (data: Buffer) => spawnSync("xz", ["-t", "-c"], { input: data }).status === 0;
/** Block count as `xz --robot -l` reports it. */
function xzBlocks(data: Buffer): number {
  const r = spawnSync("bash", ["-c", "f=$(mktemp) && cat > $f.xz && xz --robot -l $f.xz; rm -f $f $f.xz"], { input: data, encoding: "utf8" });
  const line = r.stdout.split("\n").find((l) => l.startsWith("file\t"))!;
  return Number(line.split("\t")[2]);
}
/** apt's own decompression (FileFd), as apt-get reads Packages.xz. */
function aptReads(data: Buffer): Buffer {
  return execFileSync("bash", ["-c", "f=$(mktemp -d) && cat > $f/Packages.xz && /usr/lib/apt/apt-helper cat-file $f/Packages.xz; rm -rf $f"], { input: data, maxBuffer: 1 << 28 });
}

/** A Packages-like text of n paragraphs, sorted by name. */
function packages(n: number, seed = 1, skip = new Set<number>()): Buffer {
  const r = rng(seed);
  const paras: string[] = [];
  for (let i = 0; i < n; i++) {
    const name = `pkg${String(i).padStart(5, "0")}`;
    const para =
      `Package: ${name}\nVersion: 1.${i % 9}-1\nArchitecture: amd64\nMaintainer: Bench <b@example.org>\nInstalled-Size: ${Math.floor(r() * 900)}\n` +
        `Filename: pool/main/p/${name}/${name}_1.${i % 9}-1_amd64.deb\nSize: ${Math.floor(r() * 1e6)}\nSHA256: ${Array.from({ length: 64 }, () => "0123456789abcdef"[Math.floor(r() * 16)]).join("")}\n` +
        `Description: package ${i}\n A package of the test, described at some length.\n`;
    // Drawn for every paragraph, so that the ones kept read the same whichever are skipped.
    if (!skip.has(i)) paras.push(para);
  }
  return Buffer.from(paras.join("\n"));
}

describe("xz files of independent blocks", () => {
  it("parses and reassembles byte for byte what xz -T writes in several blocks", () => {
    const text = packages(3000);
    for (const args of [["-6", "-T2", "--block-size=100KiB"], ["-1", "-T1", "--block-size=64KiB"], ["-6", "--block-list=1000,50000,7,200000"]]) {
      const file = execFileSync("xz", ["-c", "--check=crc64", ...args], { input: text, maxBuffer: 1 << 28 });
      const blocks = parseXzBlocks(file);
      expect(blocks, args.join(" ")).not.toBeNull();
      expect(blocks!.length).toBe(xzBlocks(file));
      expect(assembleXz(blocks!).equals(file)).toBe(true);
      // Any subset of the blocks, in any order, is a valid file of those blocks' text.
      const some = [blocks!.at(-1)!, blocks![0]!];
      const sub = assembleXz(some);
      expect(xzAccepts(sub)).toBe(true);
      expect(xzDecode(sub).length).toBe(some[0]!.uncompressed + some[1]!.uncompressed);
    }
    expect(xzAccepts(assembleXz([]))).toBe(true);
    expect(xzDecode(assembleXz([])).length).toBe(0);
  });

  it("refuses to parse what it does not cover: other checks, several streams, damaged indexes", () => {
    const text = packages(500);
    const crc32 = execFileSync("xz", ["-c", "--check=crc32"], { input: text });
    expect(parseXzBlocks(crc32)).toBeNull();
    const one = execFileSync("xz", ["-c", "--check=crc64"], { input: text });
    expect(parseXzBlocks(Buffer.concat([one, one]))).toBeNull();
    for (const at of [one.length - 1, one.length - 9, one.length - 14, 7]) {
      const bad = Buffer.from(one);
      bad[at] ^= 0x40;
      expect(parseXzBlocks(bad), `byte ${at}`).toBeNull();
    }
  });

  it("cuts a text at paragraph starts that an insertion or a removal elsewhere does not move", () => {
    const a = packages(4000);
    const chunks = indexChunks(a);
    expect(chunks.length).toBeGreaterThan(10);
    expect(Buffer.concat(chunks).equals(a)).toBe(true);
    for (const c of chunks.slice(1)) expect(c.subarray(0, 9).toString()).toBe("Package: ");
    for (const c of chunks) expect(c.length).toBeLessThanOrEqual(1 << 20);
    // Without paragraphs 1000 and 3000: the chunks not holding them are the same chunks.
    const b = packages(4000, 1, new Set([1000, 3000]));
    const before = new Set(chunks.map((c) => c.toString("latin1")));
    const after = indexChunks(b);
    const same = after.filter((c) => before.has(c.toString("latin1"))).length;
    expect(same).toBeGreaterThanOrEqual(after.length - 4);
  });

  it("reuses the published blocks of unchanged text, and apt and xz read the result as the new text", async () => {
    const r = rng(7);
    let text = packages(4000);
    let file = await compressIndexXz(text);
    expect(xzBlocks(file)).toBe(indexChunks(text).length);
    expect(aptReads(file).equals(text)).toBe(true);
    for (let round = 0; round < 4; round++) {
      const skip = new Set(Array.from({ length: 3 }, () => Math.floor(r() * 4000)));
      const next = packages(4000, 1, skip);
      const old = new Set(parseXzBlocks(file)!.map((b) => b.bytes.toString("latin1")));
      const made = await compressIndexXz(next, file);
      // Told the text the published file was made from, it knows the blocks without decoding them:
      // the same file comes out.
      expect((await compressIndexXz(next, file, text)).equals(made)).toBe(true);
      expect(xzAccepts(made)).toBe(true);
      expect(xzDecode(made).equals(next)).toBe(true);
      expect(aptReads(made).equals(next)).toBe(true);
      const blocks = parseXzBlocks(made)!;
      const reused = blocks.filter((b) => old.has(b.bytes.toString("latin1"))).length;
      // Three paragraphs gone: at most a few chunks (and their neighbours) are made again.
      expect(reused).toBeGreaterThanOrEqual(blocks.length - 7);
      expect(reused).toBeLessThan(blocks.length);
      text = next;
      file = made;
    }
    // The same text again: the same file, not one byte recompressed.
    expect((await compressIndexXz(text, file)).equals(file)).toBe(true);
  });

  it("never reuses a block whose bytes are not the text: damaged, or another text with the same length", async () => {
    const text = packages(3000);
    const file = await compressIndexXz(text);
    const blocks = parseXzBlocks(file)!;
    // A byte of a block's compressed data flipped, the index left alone: that block is made again.
    const damaged = Buffer.from(file);
    damaged[12 + blocks[0]!.bytes.length + 40] ^= 0x01;
    const fromDamaged = await compressIndexXz(text, damaged);
    expect(xzDecode(fromDamaged).equals(text)).toBe(true);
    // Same lengths, other bytes (a digit changed in every paragraph): nothing is reused.
    const other = Buffer.from(text.toString("latin1").replace(/Version: 1\./g, "Version: 2."), "latin1");
    expect(other.length).toBe(text.length);
    const fromOther = await compressIndexXz(other, file);
    expect(xzDecode(fromOther).equals(other)).toBe(true);
    const oldBlocks = new Set(blocks.map((b) => b.bytes.toString("latin1")));
    expect(parseXzBlocks(fromOther)!.some((b) => oldBlocks.has(b.bytes.toString("latin1")))).toBe(false);
    // Not an xz file at all: compressed afresh.
    expect(xzDecode(await compressIndexXz(text, Buffer.from("not xz"))).equals(text)).toBe(true);
  });
});
