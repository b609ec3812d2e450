/**
 * The .deb format: read one (control fields, scripts, conffiles, data file list), build one from a
 * spec and a staged tree exactly as `dpkg-deb --root-owner-group --build` would, and rewrite the
 * version of a ready one while copying its data member byte for byte.
 */
import { createHash } from "node:crypto";
import { closeSync, readSync, renameSync, writeFileSync } from "node:fs";
import { mkdtemp, rm, stat } from "node:fs/promises";
import os from "node:os";
import { Readable, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import path from "node:path";
import zlib from "node:zlib";
import { arHeader, arPadding, listArAt, readAtBuffer, readAtHandle, readMember, type ArMember, type ReadAt } from "../archive/ar.js";
import {
  compressBuffer,
  compressionFromName,
  compressor,
  decodeXzInMemory,
  decompressBuffer,
  decompressor,
  extensionOf,
  type Compression,
} from "../archive/compress.js";
import { copyRange, writeCompressed, writeFileAtomic } from "../archive/stream.js";
import { contentPadding, padded, readTarBuffer, tarBuffer, tarHeader, tarTrailer, TarParser, type TarReadEntry } from "../archive/tar.js";
import { CorruptArchiveError, FormatError, LimitError, UnsafePathError, UsageError } from "../errors.js";
import { describeLimit, LIMITS } from "../archive/limits.js";
import { openRegular, openRegularSync } from "../util/regular-file.js";
import type { PackageSpec, ScriptName } from "../spec.js";
import { collectStaged, readScript, scriptSource, stagedChunks, type StagedEntry } from "../stage.js";
import { checkPackageName, description, get, oneLine, parseControlFile, parseParagraph, replaceVersion, serialise, type Paragraph } from "./control.js";
import { parseRelations } from "./relations.js";
import { parseDebVersion, versionForFilename } from "./version.js";

export interface DebFile {
  /** Path as in the data tar, normalised to start with "/" ("/" for the root). */
  path: string;
  type: TarReadEntry["type"];
  mode: number;
  size: number;
  linkname?: string;
}

export interface DebInfo {
  file: string;
  size: number;
  control: Paragraph;
  name: string;
  version: string;
  arch: string;
  conffiles: string[];
  scripts: string[];
  controlMember: string;
  dataMember: string;
  /** Present when the data member was listed. */
  files?: DebFile[];
}

/** "./usr/bin/x", "usr/bin/x", "/usr/bin/x" → "/usr/bin/x"; refuses ".." components. */
export function normaliseDataPath(name: string, subject: string): string {
  let p = name.replace(/^\.\//, "").replace(/^\/+/, "").replace(/\/+$/, "");
  if (p === "." || p === "") return "/";
  if (p.split("/").some((c) => c === "..")) throw new UnsafePathError(`data member contains a path with "..": ${name}`, subject);
  p = p.replace(/\/\.\//g, "/");
  return "/" + p;
}

interface DebLayout {
  members: ArMember[];
  control: ArMember;
  data: ArMember;
  debianBinary: ArMember;
}

function layout(members: ArMember[], file: string): DebLayout {
  const [first] = members;
  if (!first || first.name !== "debian-binary") throw new CorruptArchiveError("not a .deb: the first member is not debian-binary", file);
  let control: ArMember | undefined;
  let data: ArMember | undefined;
  for (const m of members.slice(1)) {
    if (data) break; // anything after data.tar is ignored, as dpkg does
    if (m.name.startsWith("_")) continue;
    if (!control) {
      if (compressionFromName(m.name) === null || !m.name.startsWith("control.tar"))
        throw new CorruptArchiveError(`not a .deb: expected control.tar, found member "${m.name}"`, file);
      control = m;
    } else {
      if (compressionFromName(m.name) === null || !m.name.startsWith("data.tar"))
        throw new CorruptArchiveError(`not a .deb: expected data.tar, found member "${m.name}"`, file);
      data = m;
    }
  }
  if (!control) throw new CorruptArchiveError("not a .deb: no control.tar member", file);
  if (!data) throw new CorruptArchiveError("not a .deb: no data.tar member", file);
  return { members, control, data, debianBinary: first };
}

/**
 * An opened .deb. Small files (most packages) are read once into memory; larger ones are read by
 * position and their data member streamed, so memory stays bounded whatever the package's size.
 */
export interface DebSource {
  file: string;
  size: number;
  read: ReadAt;
  /** The whole file, when it was small enough to hold. */
  buf?: Buffer;
  /** Bytes [start, start + size) of the file as a stream, read from the file opened and checked once. */
  stream(start: number, size: number): Readable;
  /** The control member's entries, once decoded. */
  controlTar?: Array<TarReadEntry & { data?: Buffer }>;
  close(): Promise<void>;
}

const IN_MEMORY_LIMIT = 8 << 20;

const REGULAR = { cap: LIMITS.file, limit: "file", what: "package file" };

export async function openDeb(file: string, bytes?: Buffer): Promise<DebSource> {
  if (bytes) return inMemory(file, bytes);
  // Small files are read with synchronous calls: on a page-cached file that is a few microseconds,
  // where an async FileHandle's open, stat, read and close each cost a thread-pool round trip.
  // Either way the file is opened once, without blocking, and must be a regular file (a FIFO put
  // in its place would hang the run).
  const { fd, stat } = openRegularSync(file, REGULAR);
  if (stat.size <= IN_MEMORY_LIMIT) {
    let buf: Buffer;
    try {
      buf = Buffer.allocUnsafe(stat.size);
      let n = 0;
      while (n < buf.length) {
        const got = readSync(fd, buf, n, buf.length - n, n);
        if (got === 0) break;
        n += got;
      }
      buf = buf.subarray(0, n);
    } finally {
      closeSync(fd);
    }
    return inMemory(file, buf);
  }
  closeSync(fd);
  const { fh, stat: st } = await openRegular(file, REGULAR);
  return {
    file,
    size: st.size,
    read: readAtHandle(fh),
    stream: (start, size) => fh.createReadStream({ start, end: start + size - 1, highWaterMark: 1 << 20, autoClose: false }),
    close: () => fh.close(),
  };
}

function inMemory(file: string, buf: Buffer): DebSource {
  return { file, size: buf.length, buf, read: readAtBuffer(buf), stream: (start, size) => Readable.from([buf.subarray(start, start + size)]), close: async () => undefined };
}

async function readControlTar(src: DebSource, lay: DebLayout): Promise<Array<TarReadEntry & { data?: Buffer }>> {
  // Reading a package and then rewriting its version decodes the control member once.
  if (!src.controlTar) src.controlTar = await decodeControlTar(src, lay);
  return src.controlTar.map((e) => ({ ...e }));
}

/** The tar types dpkg's own extractor knows; it refuses a package with any other. */
const DPKG_TYPES = new Set(["\0", "0", "1", "2", "3", "4", "5", "6"]);

function checkDpkgType(e: TarReadEntry, member: string, file: string): void {
  if (!DPKG_TYPES.has(e.flag)) throw new CorruptArchiveError(`${member} entry "${e.name.slice(0, 200)}" has tar type ${JSON.stringify(e.flag)}, which dpkg does not read`, file);
}

/**
 * control.tar holds plain files beside its root folder and nothing else (FORMATS §1): dpkg-deb -I
 * fails on a root that is not a folder ("Cannot mkfifo"), and a sub-folder breaks installation.
 */
function checkControlEntry(e: TarReadEntry, file: string): void {
  checkDpkgType(e, "control.tar", file);
  const name = e.name.replace(/^\.\//, "").replace(/\/$/, "");
  if (name === "" || name === ".") {
    if (e.type !== "dir") throw new CorruptArchiveError(`control.tar's root "${e.name}" is not a folder`, file);
    return;
  }
  if (e.type !== "file" || name.includes("/"))
    throw new CorruptArchiveError(`control.tar entry "${e.name.slice(0, 200)}" is not a plain file at its top level (${e.type})`, file);
}

async function decodeControlTar(src: DebSource, lay: DebLayout) {
  const file = src.file;
  const limit = { bytes: LIMITS.controlMember, name: "controlMember", what: "the control member" };
  if (lay.control.size > limit.bytes) throw new LimitError(limit.name, `the control member is larger than ${describeLimit(limit.bytes)}`, file);
  const raw = await readMember(src.read, lay.control);
  const tar = await decompressBuffer(compressionFromName(lay.control.name)!, raw, file, limit);
  try {
    const entries = readTarBuffer(tar);
    for (const e of entries) checkControlEntry(e, file);
    return entries;
  } catch (e) {
    if (e instanceof LimitError) throw new LimitError(e.limit, `control.tar: ${e.detail}`, file);
    throw new CorruptArchiveError(`control.tar: ${(e as Error).message}`, file);
  }
}

function controlEntry(entries: Array<TarReadEntry & { data?: Buffer }>, name: string) {
  return entries.find((e) => e.name.replace(/^\.\//, "") === name && e.type === "file");
}

/**
 * Lists the data member by streaming it through the decompressor and a tar header parser: file
 * bodies pass through (to `onData` when given) and are dropped, so memory stays bounded whatever the
 * member decodes to. The whole member is decoded (not only up to the tar's end) so that its checks
 * are verified.
 */
async function listData(src: DebSource, data: ArMember, onData?: (e: TarReadEntry, chunk: Buffer) => void): Promise<DebFile[]> {
  const file = src.file;
  const files: DebFile[] = [];
  let listed = 0;
  const parser = new TarParser((e) => {
    if (e.pax) throw new CorruptArchiveError(`data.tar uses PAX headers (${e.name.slice(0, 200)}), which dpkg rejects`, file);
    checkDpkgType(e, "data.tar", file);
    listed += e.name.length + 1;
    if (listed > LIMITS.fileList) throw new LimitError("fileList", `the data member's file names add up to more than ${describeLimit(LIMITS.fileList)}`, file);
    files.push({ path: normaliseDataPath(e.name, file), type: e.type, mode: e.mode, size: e.size, linkname: e.linkname });
  }, onData);
  const comp = compressionFromName(data.name)!;
  try {
    const inMemory = src.buf?.subarray(data.offset, data.offset + data.size);
    // The scratch buffer is fine here: the parser keeps names and sizes, not bytes, and is done
    // with the data before anything else decodes.
    const decoded = inMemory && (comp === "none" ? inMemory : comp === "xz" ? decodeXzInMemory(inMemory, file, { scratch: true }) : null);
    if (decoded) parser.write(decoded);
    else {
      await pipeline(
        src.stream(data.offset, data.size),
        decompressor(comp),
        new Writable({
          write(chunk: Buffer, _enc, cb) {
            try {
              parser.write(chunk);
              cb();
            } catch (e) {
              cb(e as Error);
            }
          },
        }),
      );
    }
    parser.end();
  } catch (e) {
    if (e instanceof LimitError) throw new LimitError(e.limit, e.detail, file);
    if (e instanceof CorruptArchiveError || e instanceof UnsafePathError) throw new CorruptArchiveError(e.message, file);
    throw new CorruptArchiveError(`data member cannot be read: ${(e as Error).message}`, file);
  }
  return files;
}

/**
 * files: list the data member. onData: also see its file bodies stream past; it is asked for the
 * handler once the package's name is known (changelog.ts).
 */
export async function readDebFrom(
  src: DebSource,
  opts: { files?: boolean; onData?: (name: string) => (e: TarReadEntry, chunk: Buffer) => void } = {},
): Promise<DebInfo> {
  const file = src.file;
  const lay = layout(await listArAt(src.read, src.size, file), file);
  const db = (await readMember(src.read, lay.debianBinary)).toString("latin1");
  if (!/^2\.\d+\n/.test(db)) throw new CorruptArchiveError(`unsupported .deb format version "${db.trim()}"`, file);
  const entries = await readControlTar(src, lay);
  const ctl = controlEntry(entries, "control");
  if (!ctl?.data) throw new CorruptArchiveError("control.tar has no control file", file);
  const control = parseControlFile(ctl.data, file);
  const name = get(control, "Package");
  const version = get(control, "Version");
  const arch = get(control, "Architecture");
  if (!name || !version || !arch) throw new FormatError("control file lacks Package, Version or Architecture", file);
  checkPackageName(name, file);
  parseDebVersion(version, file);
  const conffiles = (controlEntry(entries, "conffiles")?.data?.toString("utf8") ?? "")
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);
  const scripts = entries
    .map((e) => e.name.replace(/^\.\//, ""))
    .filter((n) => ["preinst", "postinst", "prerm", "postrm", "config", "triggers"].includes(n));
  const info: DebInfo = { file, size: src.size, control, name, version, arch, conffiles, scripts, controlMember: lay.control.name, dataMember: lay.data.name };
  if (opts.files || opts.onData) info.files = await listData(src, lay.data, opts.onData?.(name));
  return info;
}

export async function readDeb(file: string, opts: { files?: boolean } = {}): Promise<DebInfo> {
  const src = await openDeb(file);
  try {
    return await readDebFrom(src, opts);
  } finally {
    await src.close();
  }
}

export interface RewriteResult {
  file: string;
  control: Paragraph;
  size: number;
  sha256: string;
}

/**
 * Rewrites a .deb with a new Version: only the control member changes (same entries, written as
 * control.tar.gz, with the control file's Version line replaced and nothing else); debian-binary and the data member are copied byte for byte. The SHA-256 of the
 * result is computed while it is written.
 */
export async function rewriteDebFrom(src: DebSource, version: string, out: string, opts: { privateOut?: boolean } = {}): Promise<RewriteResult> {
  const file = src.file;
  parseDebVersion(version, file);
  const lay = layout(await listArAt(src.read, src.size, file), file);
  const entries = await readControlTar(src, lay);
  const ctl = controlEntry(entries, "control");
  if (!ctl?.data) throw new CorruptArchiveError("control.tar has no control file", file);
  // Only the Version line changes: every other byte of the control file (trailing spaces, field
  // order, folding) and every other control member file stays as the package's author wrote it.
  const text = replaceVersion(ctl.data.toString("utf8"), version, file);
  const control = parseParagraph(text, file);
  ctl.data = Buffer.from(text, "utf8");
  const tar = tarBuffer(entries.map((e) => ({ ...e, type: e.type === "other" ? "file" : e.type })));
  // The new control member is always control.tar.gz: every dpkg reads it, and zlib compresses a
  // few KiB in microseconds where each liblzma stream costs a millisecond or more to set up.
  const newControl = zlib.gzipSync(tar, { level: 6 });
  const controlName = "control.tar.gz";
  const members = lay.members.filter((m) => m.offset <= lay.data.offset);
  if (src.buf) {
    // A package held in memory is put together in memory and written with one call. A `privateOut`
    // (generate's work folder, published later by a rename) needs no temporary name of its own.
    const parts: Buffer[] = [Buffer.from("!<arch>\n", "latin1")];
    for (const m of members) {
      const body = m === lay.control ? newControl : src.buf.subarray(m.offset, m.offset + m.size);
      parts.push(arHeader(m === lay.control ? controlName : m.name, body.length, m.mtime), body, arPadding(body.length));
    }
    const whole = Buffer.concat(parts);
    if (opts.privateOut) writeFileSync(out, whole);
    else {
      const tmp = `${out}.tmp-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
      writeFileSync(tmp, whole);
      renameSync(tmp, out);
    }
    return { file: out, control, size: whole.length, sha256: createHash("sha256").update(whole).digest("hex") };
  }
  const hash = createHash("sha256");
  let size = 0;
  await writeFileAtomic(out, async (ws) => {
    const put = (b: Buffer) => {
      hash.update(b);
      size += b.length;
      return ws.write(b);
    };
    put(Buffer.from("!<arch>\n", "latin1"));
    for (const m of members) {
      if (m === lay.control) {
        put(arHeader(controlName, newControl.length, m.mtime));
        put(newControl);
        put(arPadding(newControl.length));
      } else {
        put(arHeader(m.name, m.size, m.mtime));
        await copyRange(file, m.offset, m.size, ws, (b) => {
          hash.update(b);
          size += b.length;
        });
        put(arPadding(m.size));
      }
    }
  });
  return { file: out, control, size, sha256: hash.digest("hex") };
}

export async function rewriteDebVersion(file: string, version: string, out: string): Promise<RewriteResult> {
  const src = await openDeb(file);
  try {
    return await rewriteDebFrom(src, version, out);
  } finally {
    await src.close();
  }
}

// ------------------------------------------------------------------ building

interface DataObject {
  path: string; // "/" for the root
  type: "file" | "dir" | "symlink";
  mode: number;
  size: number;
  source?: string;
  data?: Buffer;
  target?: string;
  config?: boolean;
}

const SCRIPT_FILES: Record<ScriptName, string> = {
  preinstall: "preinst",
  postinstall: "postinst",
  preremove: "prerm",
  postremove: "postrm",
};

export interface DebBuildOptions {
  arch: string;
  /** Overrides the spec's version. */
  version?: string;
  /** mtime of every entry and member, and the date in the generated changelog. */
  mtime: number;
  compression?: Compression;
  /** Where the .deb goes; a folder. */
  outDir: string;
  /**
   * Whether the version that will be published has no Debian revision. Defaults to the build
   * version's; generate sets it when it rewrites the version afterwards, so the changelog's name
   * fits the published package.
   */
  publishedNative?: boolean;
}

function rfc2822(epoch: number): string {
  const d = new Date(epoch * 1000);
  const day = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"][d.getUTCDay()];
  const mon = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"][d.getUTCMonth()];
  const p = (n: number) => String(n).padStart(2, "0");
  return `${day}, ${p(d.getUTCDate())} ${mon} ${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}

/** The copyright file (machine-readable format) for a spec that ships none. */
export function copyrightText(spec: PackageSpec, mtime: number): string {
  const year = new Date(mtime * 1000).getUTCFullYear();
  const lic = spec.license ?? "unknown";
  let s = "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n";
  s += `Upstream-Name: ${spec.name}\n`;
  s += `Upstream-Contact: ${spec.maintainer}\n`;
  if (spec.homepage) s += `Source: ${spec.homepage}\n`;
  s += `\nFiles: *\nCopyright: ${year} ${spec.maintainer}\nLicense: ${lic}\n`;
  s += ` This package was built by repogen from a package spec. The license of the\n software is ${lic}`;
  s += spec.homepage ? `; see ${spec.homepage} for its full text.\n` : ".\n";
  return s;
}

export function changelogText(spec: PackageSpec, version: string, mtime: number): string {
  return `${spec.name} (${version}) unstable; urgency=medium\n\n  * Package built by repogen.\n\n -- ${spec.maintainer}  ${rfc2822(mtime)}\n`;
}

/** dpkg-gencontrol's Installed-Size: KiB per file or symlink, rounded up, plus one per other object. */
export function installedSize(objects: Array<Pick<DataObject, "type" | "size" | "target">>): number {
  let kib = 0;
  for (const o of objects) {
    if (o.type === "file") kib += Math.ceil(o.size / 1024);
    else if (o.type === "symlink") kib += Math.ceil(Buffer.byteLength(o.target ?? "") / 1024);
    else kib += 1;
  }
  return kib;
}

function byteCompare(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}

/** dpkg-deb's order: depth first, each folder's entries sorted bytewise, all symlinks at the end. */
export function dpkgOrder(objects: DataObject[]): DataObject[] {
  const children = new Map<string, DataObject[]>();
  const byPath = new Map(objects.map((o) => [o.path, o]));
  for (const o of objects) {
    if (o.path === "/") continue;
    const parent = path.posix.dirname(o.path);
    if (!children.has(parent)) children.set(parent, []);
    children.get(parent)!.push(o);
  }
  const out: DataObject[] = [];
  const links: DataObject[] = [];
  const visit = (o: DataObject) => {
    if (o.type === "symlink") {
      links.push(o);
      return;
    }
    out.push(o);
    if (o.type === "dir") {
      const kids = (children.get(o.path) ?? []).sort((a, b) => byteCompare(path.posix.basename(a.path), path.posix.basename(b.path)));
      for (const k of kids) visit(k);
    }
  };
  visit(byPath.get("/")!);
  return [...out, ...links];
}

function tarName(p: string, type: DataObject["type"]): string {
  if (p === "/") return "./";
  return "." + p + (type === "dir" ? "/" : "");
}

/** Adds the parent folders that no entry names. */
function withParents(objects: DataObject[]): DataObject[] {
  const byPath = new Map(objects.map((o) => [o.path, o]));
  for (const o of objects) {
    let p = o.path;
    while (p !== "/") {
      p = path.posix.dirname(p);
      const existing = byPath.get(p);
      if (existing && existing.type !== "dir") throw new UsageError(`"${p}" is both a folder and a ${existing.type}`);
      if (!existing) byPath.set(p, { path: p, type: "dir", mode: 0o755, size: 0 });
    }
  }
  if (!byPath.has("/")) byPath.set("/", { path: "/", type: "dir", mode: 0o755, size: 0 });
  return [...byPath.values()];
}

async function* dataTar(ordered: DataObject[], mtime: number, md5s: Map<string, string>, subject: string): AsyncGenerator<Buffer> {
  let n = 0;
  for (const o of ordered) {
    const h = tarHeader({ name: tarName(o.path, o.type), type: o.type, mode: o.mode, size: o.size, mtime, linkname: o.target });
    n += h.length;
    yield h;
    if (o.type !== "file") continue;
    const md5 = createHash("md5");
    let got = 0;
    if (o.data) {
      md5.update(o.data);
      got = o.data.length;
      yield o.data;
    } else {
      for await (const b of stagedChunks(o.source!, subject)) {
        got += b.length;
        if (got > o.size) break;
        md5.update(b);
        yield b;
      }
    }
    if (got !== o.size) throw new UsageError(`file changed size while being packaged: ${o.source ?? o.path}`, subject);
    md5s.set(o.path, md5.digest("hex"));
    n += padded(o.size);
    yield contentPadding(o.size);
  }
  yield tarTrailer(n);
}

function arch(a: string): string {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(a)) throw new UsageError(`bad architecture "${a}"`);
  return a;
}

export interface BuiltDeb {
  file: string;
  name: string;
  version: string;
  arch: string;
  control: Paragraph;
  files: DebFile[];
}

export async function buildDeb(spec: PackageSpec, root: string, opts: DebBuildOptions): Promise<BuiltDeb> {
  const subject = root;
  const name = checkPackageName(spec.name, subject);
  const version = opts.version ?? spec.version;
  parseDebVersion(version, subject);
  const architecture = arch(opts.arch);
  const compression = opts.compression ?? "xz";
  const mtime = opts.mtime;
  if (!Number.isInteger(mtime) || mtime <= 0) throw new UsageError(`bad mtime ${mtime}`);

  const staged: StagedEntry[] = await collectStaged(spec, root);
  const objects: DataObject[] = staged.map((e) =>
    e.type === "file"
      ? { path: e.path, type: "file", mode: e.mode, size: e.size, source: e.source, config: e.config }
      : e.type === "symlink"
        ? { path: e.path, type: "symlink", mode: 0o777, size: 0, target: e.target }
        : { path: e.path, type: "dir", mode: e.mode, size: 0 },
  );
  const doc = `/usr/share/doc/${name}`;
  const has = (p: string) => objects.some((o) => o.path === p);
  if (!has(`${doc}/copyright`)) {
    const data = Buffer.from(copyrightText(spec, mtime), "utf8");
    objects.push({ path: `${doc}/copyright`, type: "file", mode: 0o644, size: data.length, data });
  }
  if (!has(`${doc}/changelog.Debian.gz`) && !has(`${doc}/changelog.gz`)) {
    const data = zlib.gzipSync(Buffer.from(changelogText(spec, version, mtime), "utf8"), { level: 9 });
    // lintian wants changelog.gz for a native version (no revision), changelog.Debian.gz otherwise.
    const native = opts.publishedNative ?? parseDebVersion(version).revision === "";
    const name = native ? "changelog.gz" : "changelog.Debian.gz";
    objects.push({ path: `${doc}/${name}`, type: "file", mode: 0o644, size: data.length, data });
  }
  const all = withParents(objects);
  const ordered = dpkgOrder(all);

  const conffiles = ordered.filter((o) => o.type === "file" && o.config).map((o) => o.path);
  const control: Paragraph = [
    ["Package", name],
    ["Version", version],
    ["Architecture", architecture],
    ["Maintainer", oneLine("maintainer", spec.maintainer, subject)],
    ["Installed-Size", String(installedSize(all))],
  ];
  if (spec.depends.length) {
    const entries = spec.depends.map((d, i) => {
      const v = oneLine(`depends[${i}]`, d, subject);
      // Checked one by one so that the message names the entry; the joined field is what dpkg reads.
      try {
        parseRelations("Depends", v);
      } catch (e) {
        throw new UsageError(`depends[${i}] ${JSON.stringify(v.slice(0, 200))}: ${(e as Error).message}`, subject);
      }
      return v;
    });
    control.push(["Depends", entries.join(", ")]);
  }
  if (spec.section) control.push(["Section", spec.section]);
  control.push(["Priority", "optional"]);
  if (spec.homepage) control.push(["Homepage", spec.homepage]);
  control.push(["Description", description(spec.summary, spec.description, subject)]);
  const controlText = serialise(control, subject);

  const scripts: Array<{ name: string; data: Buffer }> = [];
  for (const [k, rel] of Object.entries(spec.scripts) as Array<[ScriptName, string]>) {
    const src = await scriptSource(root, rel);
    scripts.push({ name: SCRIPT_FILES[k], data: await readScript(src, subject) });
  }

  const tmpDir = await mkdtemp(path.join(os.tmpdir(), "repogen-deb-"));
  try {
    const dataFile = path.join(tmpDir, "data");
    const md5s = new Map<string, string>();
    await writeCompressed(dataTar(ordered, mtime, md5s, subject), compressor(compression), dataFile);
    const md5text = ordered
      .filter((o) => o.type === "file")
      .map((o) => `${md5s.get(o.path)}  ${o.path.slice(1)}\n`)
      .join("");
    const ctlFiles: Array<{ name: string; data: Buffer; mode: number }> = [
      { name: "control", data: Buffer.from(controlText, "utf8"), mode: 0o644 },
      { name: "md5sums", data: Buffer.from(md5text, "utf8"), mode: 0o644 },
      ...scripts.map((s) => ({ ...s, mode: 0o755 })),
    ];
    if (conffiles.length) ctlFiles.push({ name: "conffiles", data: Buffer.from(conffiles.join("\n") + "\n"), mode: 0o644 });
    ctlFiles.sort((a, b) => byteCompare(a.name, b.name));
    const ctlTar = tarBuffer([
      { name: "./", type: "dir", mode: 0o755, size: 0, mtime },
      ...ctlFiles.map((f) => ({ name: `./${f.name}`, type: "file" as const, mode: f.mode, size: f.data.length, mtime, data: f.data })),
    ]);
    const ctlData = await compressBuffer(compression, ctlTar);
    const dataSize = (await stat(dataFile)).size;
    const ext = extensionOf(compression);
    const out = path.join(opts.outDir, `${name}_${versionForFilename(version)}_${architecture}.deb`);
    await writeFileAtomic(out, async (ws) => {
      ws.write(Buffer.from("!<arch>\n", "latin1"));
      ws.write(arHeader("debian-binary", 4, mtime));
      ws.write("2.0\n");
      ws.write(arHeader(`control.tar${ext}`, ctlData.length, mtime));
      ws.write(ctlData);
      ws.write(arPadding(ctlData.length));
      ws.write(arHeader(`data.tar${ext}`, dataSize, mtime));
      await copyRange(dataFile, 0, dataSize, ws);
      ws.write(arPadding(dataSize));
    });
    const files: DebFile[] = ordered.map((o) => ({ path: o.path, type: o.type, mode: o.mode, size: o.size, linkname: o.target }));
    return { file: out, name, version, arch: architecture, control, files };
  } finally {
    await rm(tmpDir, { recursive: true, force: true });
  }
}
