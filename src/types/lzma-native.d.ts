// lzma-native ships no type declarations; these cover the part we use.
declare module "lzma-native" {
  import type { Transform } from "node:stream";
  export interface LzmaOptions {
    preset?: number;
    check?: number;
    threads?: number;
    memlimit?: number;
    blockSize?: number;
    /** streamEncoder: the filter chain, e.g. LZMA2 with a preset and a dictionary size. */
    filters?: Array<{ id: number; options?: { preset?: number; dictSize?: number } }>;
  }
  export function createCompressor(opts?: LzmaOptions): Transform;
  export function createDecompressor(opts?: LzmaOptions): Transform;
  export function createStream(kind: string, opts?: LzmaOptions): Transform;
  export const CHECK_CRC64: number;
  export const CHECK_CRC32: number;
  export const PRESET_EXTREME: number;
  export const FILTER_LZMA2: number;
  const lzma: {
    createCompressor: typeof createCompressor;
    createDecompressor: typeof createDecompressor;
    createStream: typeof createStream;
    CHECK_CRC64: number;
    CHECK_CRC32: number;
    FILTER_LZMA2: number;
  };
  export default lzma;
}
