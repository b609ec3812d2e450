/**
 * The state folder's cache: file digests and package results, so that a run with little to do costs
 * little. It can be deleted at any time: everything in it is rebuilt from the builds and the tree.
 */
import { existsSync } from "node:fs";
import { readFile, mkdir } from "node:fs/promises";
import path from "node:path";
import { writeFileAtomic } from "../archive/stream.js";
import type { HashCache } from "../builds/scan.js";

/** The retention clock's file in the state folder. */
const RETENTION = "retention.json";

export interface CachedPackage {
  family: "debian" | "freebsd";
  name: string;
  upstream: string;
  version: string;
  arch: string;
  /** SHA-256 of the main binary (for trees: of the package built with the upstream version). */
  mainSha256: string;
  /** Relative to the output root, e.g. apt/pool/main/h/hello/hello_1.0_amd64.deb */
  pool: string;
  size: number;
  sha256: string;
  /**
   * The package's index entry, ready to use: Debian, its Packages paragraph (with Filename, Size and
   * SHA256); FreeBSD, its compact manifest as JSON. One string per package keeps the state small in
   * memory even with ten thousand packages.
   */
  entry: string;
  /** Debian section, for Contents. */
  section?: string;
  /** The files it installs, without leading "/", one per line (for Contents). */
  files: string;
  /** Its configuration files (absolute paths), for the web pages. */
  conffiles?: string[];
  /** Its changelog as published (relative to the output root), for `apt-get changelog`. */
  changelog?: string;
}

interface StateData {
  version: 2;
  hashes: Record<string, [number, number, number, string]>;
  packages: Record<string, CachedPackage>;
  /** Output-relative path → epoch seconds at which a run first found it unreferenced. */
  dropped: Record<string, number>;
  /** Folder listings and build.json texts by path: [stat key, text]. */
  texts: Record<string, [string, string]>;
}

export class State implements HashCache {
  private data: StateData = { version: 2, hashes: {}, packages: {}, dropped: {}, texts: {} };
  private usedHashes = new Set<string>();
  private usedTexts = new Set<string>();
  private usedPackages = new Set<string>();
  /** Whether this run added or changed an entry. */
  private dirty = false;
  private loaded = false;
  private loadedDropped = "{}";

  constructor(readonly dir: string) {}

  async load(): Promise<void> {
    try {
      const d = JSON.parse(await readFile(path.join(this.dir, "state.json"), "utf8")) as StateData;
      if (d.version === 2) {
        this.data = { version: 2, hashes: d.hashes ?? {}, packages: d.packages ?? {}, dropped: d.dropped ?? {}, texts: d.texts ?? {} };
        this.loaded = true;
      }
    } catch {
      // missing or damaged state: start afresh, it is only a cache
    }
    try {
      // The retention clock lives in a file of its own (older versions kept it in state.json).
      const r = JSON.parse(await readFile(path.join(this.dir, RETENTION), "utf8")) as { dropped?: Record<string, number> };
      if (r.dropped && typeof r.dropped === "object") this.data.dropped = r.dropped;
    } catch {
      // none yet
    }
    this.loadedDropped = JSON.stringify(this.data.dropped);
  }

  get(file: string, size: number, mtimeMs: number, ino: number): string | undefined {
    const h = this.data.hashes[file];
    if (h && h[0] === size && h[1] === mtimeMs && h[2] === ino) {
      this.usedHashes.add(file);
      return h[3];
    }
    return undefined;
  }

  set(file: string, size: number, mtimeMs: number, ino: number, sha256: string): void {
    this.data.hashes[file] = [size, mtimeMs, ino, sha256];
    this.usedHashes.add(file);
    this.dirty = true;
  }

  text(file: string, key: string): string | undefined {
    const t = this.data.texts[file];
    if (t && t[0] === key) {
      this.usedTexts.add(file);
      return t[1];
    }
    return undefined;
  }

  setText(file: string, key: string, text: string): void {
    this.data.texts[file] = [key, text];
    this.usedTexts.add(file);
    this.dirty = true;
  }

  getPackage(key: string): CachedPackage | undefined {
    const p = this.data.packages[key];
    if (p) this.usedPackages.add(key);
    return p;
  }

  setPackage(key: string, p: CachedPackage): void {
    if (this.data.packages[key] !== p) this.dirty = true;
    this.data.packages[key] = p;
    this.usedPackages.add(key);
  }

  get dropped(): Record<string, number> {
    return this.data.dropped;
  }

  /**
   * Writes the retention clock (which files were first found unreferenced when), after retention
   * has run. Small, and separate from the caches so that those can be saved earlier (saveCaches).
   */
  async saveRetention(): Promise<void> {
    const dropped = JSON.stringify(this.data.dropped);
    if (dropped === this.loadedDropped && existsSync(path.join(this.dir, RETENTION))) return;
    await mkdir(this.dir, { recursive: true });
    await writeFileAtomic(path.join(this.dir, RETENTION), async (ws) => {
      ws.write(`{"dropped":${dropped}}\n`);
    });
  }

  /**
   * Writes the caches (digests, listings, packages). Their content is final once packaging is done,
   * so generate saves them while the indexes are compressed.
   */
  async saveCaches(): Promise<void> {
    // Keep only what this run used, so the cache does not grow with builds that are gone.
    const hashes: StateData["hashes"] = {};
    for (const k of this.usedHashes) if (this.data.hashes[k]) hashes[k] = this.data.hashes[k]!;
    const packages: StateData["packages"] = {};
    for (const k of this.usedPackages) if (this.data.packages[k]) packages[k] = this.data.packages[k]!;
    // A run that learnt nothing new and used everything it loaded leaves the file as it is.
    const unchanged =
      this.loaded &&
      !this.dirty &&
      this.usedHashes.size === Object.keys(this.data.hashes).length &&
      this.usedPackages.size === Object.keys(this.data.packages).length &&
      this.usedTexts.size === Object.keys(this.data.texts).length;
    if (unchanged) return;
    await mkdir(this.dir, { recursive: true });
    // Written piece by piece (one JSON.stringify of ten thousand packages was the run's peak
    // memory), in chunks of about 256 KiB (a write per entry was most of the save's time).
    await writeFileAtomic(path.join(this.dir, "state.json"), async (ws) => {
      let parts: string[] = [];
      let size = 0;
      const flush = async () => {
        if (!ws.write(parts.join(""))) await new Promise<void>((r) => ws.once("drain", () => r()));
        parts = [];
        size = 0;
      };
      const put = async (s: string) => {
        parts.push(s);
        size += s.length;
        if (size >= 256 << 10) await flush();
      };
      await put(`{"version":2,"hashes":{`);
      let first = true;
      for (const [k, v] of Object.entries(hashes)) {
        await put(`${first ? "" : ","}${JSON.stringify(k)}:${JSON.stringify(v)}`);
        first = false;
      }
      await put(`},"texts":{`);
      first = true;
      for (const k of this.usedTexts) {
        const v = this.data.texts[k];
        if (!v) continue;
        await put(`${first ? "" : ","}${JSON.stringify(k)}:${JSON.stringify(v)}`);
        first = false;
      }
      await put(`},"packages":{`);
      first = true;
      for (const [k, v] of Object.entries(packages)) {
        await put(`${first ? "" : ","}${JSON.stringify(k)}:${JSON.stringify(v)}`);
        first = false;
      }
      await put("}}");
      await flush();
    });
  }
}
