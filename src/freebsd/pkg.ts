/**
 * The FreeBSD .pkg: a compressed tar whose first members are +COMPACT_MANIFEST and +MANIFEST, then
 * files and symlinks under absolute names, then directories. Read (any compression, detected),
 * build from a spec and a staged tree, and rewrite the version of a ready one.
 */
import { createHash } from "node:crypto";
import type { FileHandle } from "node:fs/promises";
import path from "node:path";
import { Transform, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { compressor, decompressor, detectCompression, type Compression } from "../archive/compress.js";
import { writeCompressed, writeFileAtomic } from "../archive/stream.js";
import { contentPadding, padded, tarHeader, tarTrailer, TarParser, type TarReadEntry } from "../archive/tar.js";
import { CorruptArchiveError, LimitError, UsageError } from "../errors.js";
import { describeLimit, LIMITS } from "../archive/limits.js";
import { openRegular } from "../util/regular-file.js";
import type { PackageSpec, ScriptName } from "../spec.js";
import { collectStaged, readScript, scriptSource, stagedChunks } from "../stage.js";
import { legacyArch, manifestJson, parseManifest, type Manifest, type ManifestFile } from "./manifest.js";
import { checkFreebsdVersion } from "./version.js";

export interface PkgEntry {
  name: string;
  type: TarReadEntry["type"];
  mode: number;
  size: number;
  linkname?: string;
  uname?: string;
  gname?: string;
}

export interface PkgInfo {
  file: string;
  compression: Compression;
  manifest: Manifest;
  compactText: string;
  manifestText: string;
  entries: PkgEntry[];
}

const REGULAR = { cap: LIMITS.file, limit: "file", what: "package file" };

async function headOf(fh: FileHandle): Promise<Buffer> {
  const b = Buffer.alloc(8);
  const { bytesRead } = await fh.read(b, 0, 8, 0);
  return b.subarray(0, bytesRead);
}

/** Names inside a .pkg must be absolute and free of ".." (relative names make install fail). */
export function checkMemberName(name: string, subject: string): void {
  if (name.startsWith("+")) return;
  if (!name.startsWith("/")) throw new CorruptArchiveError(`member "${name}" is not an absolute path`, subject);
  if (name.split("/").includes("..")) throw new CorruptArchiveError(`member "${name}" contains ".."`, subject);
}

/** The tar types pkg writes: files, folders, symlinks and hard links. */
const PKG_TYPES = new Set(["file", "dir", "symlink", "hardlink"]);

export async function readPkg(file: string): Promise<PkgInfo> {
  // Opened once, without blocking, and checked to be a regular file: a FIFO would hang the run.
  const { fh } = await openRegular(file, REGULAR);
  try {
    return await readPkgFrom(fh, file);
  } finally {
    await fh.close();
  }
}

async function readPkgFrom(fh: FileHandle, file: string): Promise<PkgInfo> {
  const compression = detectCompression(await headOf(fh));
  const entries: PkgEntry[] = [];
  const meta: Record<string, Buffer[]> = {};
  let order = 0;
  let names = 0;
  const parser = new TarParser(
    (e) => {
      if (e.name === "+COMPACT_MANIFEST" || e.name === "+MANIFEST") {
        if (order > 1) throw new CorruptArchiveError(`${e.name} is not among the first two members`, file);
        if (meta[e.name]) throw new CorruptArchiveError(`${e.name} appears twice`, file);
        if (e.flag !== "0" && e.flag !== "\0") throw new CorruptArchiveError(`${e.name} is not a regular file (tar type ${JSON.stringify(e.flag)})`, file);
        if (e.size > LIMITS.manifest) throw new LimitError("manifest", `${e.name} is larger than ${describeLimit(LIMITS.manifest)}`, file);
        meta[e.name] = [];
      } else {
        checkMemberName(e.name, file);
        if (!PKG_TYPES.has(e.type)) throw new CorruptArchiveError(`member "${e.name.slice(0, 200)}" has tar type ${JSON.stringify(e.flag)}, which pkg does not write`, file);
        names += e.name.length + 1;
        if (names > LIMITS.fileList) throw new LimitError("fileList", `the package's file names add up to more than ${describeLimit(LIMITS.fileList)}`, file);
        entries.push({ name: e.name.replace(/\/$/, ""), type: e.type, mode: e.mode, size: e.size, linkname: e.linkname, uname: e.uname, gname: e.gname });
      }
      order++;
    },
    (e, chunk) => {
      if (meta[e.name]) meta[e.name]!.push(Buffer.from(chunk));
    },
  );
  try {
    await pipeline(
      fh.createReadStream({ start: 0, highWaterMark: 1 << 20, autoClose: false }),
      decompressor(compression),
      new Writable({
        write(chunk: Buffer, _e, cb) {
          try {
            parser.write(chunk);
            cb();
          } catch (err) {
            cb(err as Error);
          }
        },
      }),
    );
    parser.end();
  } catch (e) {
    if (e instanceof LimitError) throw new LimitError(e.limit, e.detail, file);
    if (e instanceof CorruptArchiveError) throw new CorruptArchiveError(e.message, file);
    throw new CorruptArchiveError(`not a readable .pkg: ${(e as Error).message}`, file);
  }
  const full = meta["+MANIFEST"] ? Buffer.concat(meta["+MANIFEST"]).toString("utf8") : undefined;
  const compact = meta["+COMPACT_MANIFEST"] ? Buffer.concat(meta["+COMPACT_MANIFEST"]).toString("utf8") : undefined;
  if (!full && !compact) throw new CorruptArchiveError("not a .pkg: no +MANIFEST", file);
  const manifest = parseManifest(full ?? compact!, true, file);
  const listed = new Set(Object.keys(manifest.files ?? {}));
  for (const e of entries) {
    if ((e.type === "file" || e.type === "symlink") && !listed.has(e.name)) throw new CorruptArchiveError(`member "${e.name}" is not listed in the manifest`, file);
  }
  return { file, compression, manifest, compactText: compact ?? "", manifestText: full ?? "", entries };
}

// ------------------------------------------------------------------ building

export interface PkgBuildOptions {
  /** FreeBSD:N:ARCH */
  abi: string;
  version?: string;
  mtime: number;
  compression?: Compression;
  outDir: string;
}

const SCRIPT_KEYS: Record<ScriptName, string> = {
  preinstall: "pre-install",
  postinstall: "post-install",
  preremove: "pre-deinstall",
  postremove: "post-deinstall",
};

function sha256(b: Buffer | string): string {
  return createHash("sha256").update(b).digest("hex");
}

async function sha256Staged(file: string, subject: string): Promise<string> {
  const h = createHash("sha256");
  for await (const c of stagedChunks(file, subject)) h.update(c);
  return h.digest("hex");
}

/** "name", "name>=1.0", "category/name", "category/name>=1.0" → a manifest dependency. */
export function parseFreebsdDep(d: string, subject?: string): [string, { origin: string; version: string }] {
  const m = /^(?:([A-Za-z0-9_.+-]+)\/)?([A-Za-z0-9_.+-]+?)(?:\s*(?:>=|=)\s*([^\s<>=]+))?$/.exec(d.trim());
  if (!m) throw new UsageError(`dependency "${d}" is not "name", "name>=VERSION" or "category/name>=VERSION"`, subject);
  const name = m[2]!;
  return [name, { origin: `${m[1] ?? "local"}/${name}`, version: m[3] ?? "0" }];
}

export async function buildPkg(spec: PackageSpec, root: string, o: PkgBuildOptions): Promise<{ file: string; name: string; version: string; manifest: Manifest }> {
  const subject = root;
  const version = checkFreebsdVersion(o.version ?? spec.version, subject);
  if (!/^FreeBSD:\d+:[A-Za-z0-9_*]+$/.test(o.abi)) throw new UsageError(`bad ABI "${o.abi}"`);
  const staged = await collectStaged(spec, root);
  const files: Record<string, ManifestFile> = {};
  const directories: Record<string, { uname: string; gname: string; perm: string }> = {};
  let flatsize = 0;
  const sorted = [...staged].sort((a, b) => Buffer.compare(Buffer.from(a.path), Buffer.from(b.path)));
  for (const e of sorted) {
    if (e.type === "file") {
      files[e.path] = { sum: `1$${await sha256Staged(e.source, subject)}`, uname: "root", gname: "wheel", perm: e.mode.toString(8).padStart(4, "0") };
      flatsize += e.size;
    } else if (e.type === "symlink") {
      files[e.path] = { sum: `1$${sha256(e.target)}`, uname: "root", gname: "wheel", perm: "0777", symlink_target: e.target };
      flatsize += Buffer.byteLength(e.target);
    } else directories[e.path] = { uname: "root", gname: "wheel", perm: e.mode.toString(8).padStart(4, "0") };
  }
  const scripts: Record<string, string> = {};
  for (const [k, rel] of Object.entries(spec.scripts) as Array<[ScriptName, string]>) scripts[SCRIPT_KEYS[k]] = (await readScript(await scriptSource(root, rel), subject)).toString("utf8");
  const desc = spec.description.trim() ? spec.description.replace(/^\n+/, "").replace(/\s+$/, "") : spec.summary;
  const manifest: Manifest = {
    name: spec.name,
    origin: spec.freebsd.origin ?? `local/${spec.name}`,
    version,
    comment: spec.summary,
    maintainer: spec.maintainer,
    www: spec.homepage ?? "",
    abi: o.abi,
    arch: legacyArch(o.abi),
    prefix: "/usr/local",
    flatsize,
    licenselogic: "single",
    licenses: spec.license ? [spec.license] : [],
    desc,
    deps: Object.fromEntries(spec.depends.map((d) => parseFreebsdDep(d, subject))),
    categories: spec.freebsd.categories ?? [spec.section ?? "misc"],
    files,
  };
  if (Object.keys(directories).length) manifest.directories = directories;
  const config = sorted.filter((e) => e.type === "file" && e.config).map((e) => e.path);
  if (config.length) manifest.config = config;
  if (Object.keys(scripts).length) manifest.scripts = scripts;

  const compact = Buffer.from(manifestJson(manifest, true));
  const full = Buffer.from(manifestJson(manifest, false));
  const mtime = o.mtime;
  async function* body(): AsyncGenerator<Buffer> {
    let n = 0;
    for (const [name, data] of [
      ["+COMPACT_MANIFEST", compact],
      ["+MANIFEST", full],
    ] as const) {
      const h = tarHeader({ name, type: "file", mode: 0o644, size: data.length, mtime, uname: "root", gname: "wheel" });
      yield h;
      yield data;
      yield contentPadding(data.length);
      n += h.length + padded(data.length);
    }
    for (const e of sorted) {
      if (e.type === "dir") continue;
      const h = tarHeader(
        e.type === "file"
          ? { name: e.path, type: "file", mode: e.mode, size: e.size, mtime, uname: "root", gname: "wheel" }
          : { name: e.path, type: "symlink", mode: 0o777, size: 0, mtime, linkname: e.target, uname: "root", gname: "wheel" },
      );
      yield h;
      n += h.length;
      if (e.type === "file") {
        let got = 0;
        for await (const c of stagedChunks(e.source, subject)) {
          got += c.length;
          if (got > e.size) break;
          yield c;
        }
        if (got !== e.size) throw new UsageError(`file changed size while being packaged: ${e.source}`, subject);
        yield contentPadding(e.size);
        n += padded(e.size);
      }
    }
    for (const e of sorted) {
      if (e.type !== "dir") continue;
      const h = tarHeader({ name: `${e.path}/`, type: "dir", mode: e.mode, size: 0, mtime, uname: "root", gname: "wheel" });
      yield h;
      n += h.length;
    }
    yield tarTrailer(n);
  }
  const out = path.join(o.outDir, `${manifest.name}-${version}.pkg`);
  const tmp = `${out}.tmp-${process.pid}`;
  await writeCompressed(body(), compressor(o.compression ?? "zst"), tmp);
  const { rename } = await import("node:fs/promises");
  await rename(tmp, out);
  return { file: out, name: manifest.name, version, manifest };
}

/**
 * Rewrites a .pkg with a new version: both manifests change, every other member is streamed through
 * unchanged (names, modes, owners, contents), recompressed with the original's compression.
 */
export interface PkgRewrite {
  info: PkgInfo;
  size: number;
  sha256: string;
}

/** `read`: the original as readPkg returned it, when the caller has it already. */
export async function rewritePkgVersion(file: string, version: string, out: string, compression?: Compression, read?: PkgInfo): Promise<PkgRewrite> {
  checkFreebsdVersion(version, file);
  const info = read ?? (await readPkg(file));
  const newManifest = { ...info.manifest, version };
  const replaced: Record<string, Buffer> = {
    "+COMPACT_MANIFEST": Buffer.from(manifestJson(newManifest, true)),
    "+MANIFEST": Buffer.from(manifestJson(newManifest, false)),
  };
  let total = 0;
  let pending: { entry: TarReadEntry; skip: boolean } | null = null;
  const finish = (t: Transform) => {
    if (pending && !pending.skip && pending.entry.type === "file") {
      t.push(contentPadding(pending.entry.size));
      total += padded(pending.entry.size);
    }
    pending = null;
  };
  const rewriter = new Transform({
    transform(chunk: Buffer, _e, cb) {
      try {
        parser.write(chunk);
        cb();
      } catch (err) {
        cb(err as Error);
      }
    },
    flush(cb) {
      try {
        parser.end();
        finish(this);
        this.push(tarTrailer(total));
        cb();
      } catch (err) {
        cb(err as Error);
      }
    },
  });
  const parser = new TarParser(
    (e) => {
      finish(rewriter);
      const data = replaced[e.name];
      if (data) {
        const h = tarHeader({ ...e, size: data.length });
        rewriter.push(h);
        rewriter.push(data);
        rewriter.push(contentPadding(data.length));
        total += h.length + padded(data.length);
        pending = { entry: e, skip: true };
        return;
      }
      const h = tarHeader(e);
      rewriter.push(h);
      total += h.length;
      pending = { entry: e, skip: false };
    },
    (_e, chunk) => {
      if (pending && !pending.skip) rewriter.push(Buffer.from(chunk));
    },
  );
  // The result is hashed as it is written, not read back.
  const hash = createHash("sha256");
  let size = 0;
  const tee = new Transform({
    transform(chunk: Buffer, _e, cb) {
      hash.update(chunk);
      size += chunk.length;
      cb(null, chunk);
    },
  });
  const outCompression = compression ?? info.compression;
  const { fh } = await openRegular(file, REGULAR);
  try {
    await writeFileAtomic(out, async (ws) => {
      await pipeline(fh.createReadStream({ start: 0, highWaterMark: 1 << 20, autoClose: false }), decompressor(info.compression), rewriter, compressor(outCompression), tee, ws, { end: false });
    });
  } finally {
    await fh.close();
  }
  const compactText = replaced["+COMPACT_MANIFEST"]!.toString("utf8");
  const manifestText = replaced["+MANIFEST"]!.toString("utf8");
  return { info: { ...info, file: out, compression: outCompression, manifest: newManifest, compactText, manifestText }, size, sha256: hash.digest("hex") };
}

