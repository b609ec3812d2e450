/**
 * The APT repository's index files for one suite, as bytes: Packages (+ .gz/.xz), the per-arch
 * Release, Contents-ARCH.gz, and the suite's Release text. Pure: no clock, no file system.
 */
import { createHash } from "node:crypto";
import zlib from "node:zlib";
import { promisify } from "node:util";
import { compressIndexXz, decompressBuffer } from "../archive/compress.js";
import { serialise, type Paragraph } from "./control.js";
import { compareDebVersions } from "./version.js";

/** A package as the indexes need it. */
export interface AptPackage {
  name: string;
  version: string;
  arch: string;
  /** Its Packages paragraph, serialised (see packagesParagraph). */
  entry: string;
  section: string;
  /** Regular files and symlinks the package installs, without leading "/". */
  files: string[];
}

/** What a Packages paragraph is made from. */
export interface PackageFacts {
  name: string;
  version: string;
  arch: string;
  /** Path relative to the apt/ root: pool/main/h/hello/hello_1.0_amd64.deb */
  filename: string;
  size: number;
  sha256: string;
  control: Paragraph;
  files: string[];
}

export interface IndexFile {
  /** Relative to dists/SUITE/. */
  path: string;
  data: Buffer;
  sha256: string;
  /**
   * Written to the tree (by-hash and under its name). The uncompressed Contents is only listed in
   * Release, beside its .gz, as Debian's archive does: apt's Contents-deb target (apt-file) is only
   * fetched when Release names the uncompressed file, and then it downloads the .gz.
   */
  served: boolean;
}

export interface SuiteOptions {
  suite: string;
  origin: string;
  label: string;
  description: string;
  /** Extra fields from [apt.suites.SUITE], e.g. Codename. */
  extra: Record<string, string>;
  indexCompression: Array<"gz" | "xz">;
  contents: boolean;
  /** The Changelogs URL template (apt-get changelog), if any. */
  changelogs?: string;
}

/** pool/main/L/NAME/: L is the first letter, or lib + letter for lib* names. */
export function poolDir(name: string): string {
  const l = name.startsWith("lib") && name.length > 3 ? name.slice(0, 4) : name[0]!;
  return `pool/main/${l}/${name}`;
}

// apt-ftparchive's order for the fields it knows; others follow in their own order.
const ORDER = [
  "Package", "Package-Type", "Architecture", "Subarchitecture", "Version", "Multi-Arch", "Priority", "Essential",
  "Section", "Origin", "Maintainer", "Original-Maintainer", "Bugs", "Installed-Size", "Provides", "Pre-Depends",
  "Depends", "Recommends", "Suggests", "Conflicts", "Breaks", "Replaces", "Enhances", "Built-Using", "Source",
];
const TAIL = ["Filename", "Size", "SHA256", "Homepage", "Description"];
const DROP = ["filename", "size", "md5sum", "sha1", "sha256", "sha512", "status", "conffiles", "installed-size-md5"];

const ORDER_LC = new Set(ORDER.map((k) => k.toLowerCase()));
const TAIL_LC = new Set(TAIL.map((k) => k.toLowerCase()));

export function packagesParagraph(p: PackageFacts): Paragraph {
  // One lowercase lookup table per package (field names are case-insensitive).
  const byName = new Map<string, [string, string]>();
  const fields: Array<[string, string]> = [];
  for (const f of p.control) {
    const lc = f[0].toLowerCase();
    if (DROP.includes(lc)) continue;
    fields.push(f);
    if (!byName.has(lc)) byName.set(lc, f);
  }
  const take = (name: string) => byName.get(name.toLowerCase());
  const out: Paragraph = [];
  for (const k of ORDER) {
    const f = take(k);
    if (f) out.push(k === "Version" ? [f[0], p.version] : f);
  }
  for (const f of fields) {
    const lc = f[0].toLowerCase();
    if (!ORDER_LC.has(lc) && !TAIL_LC.has(lc)) out.push(f);
  }
  out.push(["Filename", p.filename], ["Size", String(p.size)], ["SHA256", p.sha256]);
  const hp = take("Homepage");
  if (hp) out.push(hp);
  const d = take("Description");
  if (d) out.push(d);
  return out;
}

export function sortPackages(ps: AptPackage[]): AptPackage[] {
  return [...ps].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : compareDebVersions(a.version, b.version) || (a.arch < b.arch ? -1 : a.arch > b.arch ? 1 : 0)));
}

export function packagesText(ps: AptPackage[]): string {
  return sortPackages(ps)
    .map((p) => p.entry)
    .join("\n");
}

export function contentsText(ps: AptPackage[]): string {
  // Most paths belong to one package: a bare string until a second one shares it (a Set per path
  // was most of the memory of a 100 000-package suite's Contents).
  const byPath = new Map<string, string | Set<string>>();
  for (const p of ps) {
    const qualified = `${p.section}/${p.name}`;
    for (const f of p.files) {
      const had = byPath.get(f);
      if (had === undefined) byPath.set(f, qualified);
      else if (typeof had === "string") {
        if (had !== qualified) byPath.set(f, new Set([had, qualified]));
      } else had.add(qualified);
    }
  }
  // Byte order of the UTF-8 names, as apt-ftparchive sorts: each name's UTF-8 bytes as a latin1
  // string compare the same way, without a Buffer per comparison (an ASCII name is its own key).
  const paths = [...byPath.keys()]
    .map((p) => ({ p, k: /^[\x00-\x7f]*$/.test(p) ? p : Buffer.from(p, "utf8").toString("latin1") }))
    .sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : 0));
  const lines: string[] = [];
  for (const { p: f } of paths) {
    const q = byPath.get(f)!;
    lines.push(`${f.padEnd(59)} ${typeof q === "string" ? q : [...q].sort().join(",")}\n`);
  }
  return lines.join("");
}

function sha256(b: Buffer): string {
  return createHash("sha256").update(b).digest("hex");
}

function file(path: string, data: Buffer, served = true): IndexFile {
  return { path, data, sha256: sha256(data), served };
}

/** The concrete architectures of a suite; `all` packages are listed under each of them. */
export function suiteArchitectures(ps: AptPackage[]): string[] {
  const arches = [...new Set(ps.map((p) => p.arch).filter((a) => a !== "all"))].sort();
  return arches.length ? arches : ["amd64"];
}

/** Reads a file of the suite as currently published (path relative to dists/SUITE/), or null. */
export type Previous = (path: string) => Promise<Buffer | null>;

/** The SHA256 list of a Release (or of the signed text in InRelease). */
export function releaseSha256List(body: string): Array<{ hex: string; size: number; path: string }> {
  const m = /^SHA256:\n((?:[ \t].*\n?)*)/m.exec(body);
  if (!m) return [];
  return m[1]!
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => {
      const [hex, size, p] = l.split(/\s+/);
      return { hex: hex!, size: Number(size), path: p! };
    });
}

/**
 * The compressed form of `data`: the published one when it still decompresses to exactly these
 * bytes (an unchanged index is not recompressed: xz of a large Packages is most of a quiet run),
 * else a new one. `listed` is the published Release's digests: when it names both the plain form,
 * with these bytes, and the compressed one as published, the two were written together and the
 * compressed one needs no decoding to be trusted (decoding Packages.xz was a tenth of a quiet run).
 */
async function compressedIndex(
  kind: "gz" | "xz",
  data: Buffer,
  name: string,
  previous?: Previous,
  plainChanged = false,
  listed?: { digests: Map<string, string>; plain: string; plainSha: string; oldPlain?: Buffer | null },
): Promise<Buffer> {
  // When the published uncompressed form already differs, the compressed ones cannot match; the
  // published xz is still read, for its blocks that hold unchanged text (compressIndexXz).
  const old = previous && (!plainChanged || kind === "xz") ? await previous(name) : null;
  if (old && !plainChanged) {
    if (listed && listed.digests.get(listed.plain) === listed.plainSha && listed.digests.get(name) === sha256(old)) return old;
    try {
      if ((await decompressBuffer(kind, old)).equals(data)) return old;
    } catch {
      // damaged: write a new one
    }
  }
  if (kind === "gz") return promisify(zlib.gzip)(data, { level: 9 }); // on libuv's pool: this thread goes on meanwhile
  // The published Release names the published plain and xz forms: they were written together, so
  // the xz holds the plain form's chunks, and its blocks need not be decoded to be told apart.
  const before = old && listed?.oldPlain && listed.digests.get(listed.plain) === sha256(listed.oldPlain) && listed.digests.get(name) === sha256(old) ? listed.oldPlain : undefined;
  return compressIndexXz(data, old, before);
}

export async function suiteIndexes(ps: AptPackage[], o: SuiteOptions, previous?: Previous): Promise<{ files: IndexFile[]; architectures: string[] }> {
  const architectures = suiteArchitectures(ps);
  const files: Array<Promise<IndexFile>> = [];
  const oldRelease = previous ? await previous("Release") : null;
  const digests = new Map(oldRelease ? releaseSha256List(oldRelease.toString("utf8")).map((f) => [f.path, f.hex]) : []);
  // Every index is started before any is awaited: xz runs in its own process (on the other core)
  // while gzip and the Contents text are made here.
  for (const arch of architectures) {
    const mine = ps.filter((p) => p.arch === arch || p.arch === "all");
    const dir = `main/binary-${arch}`;
    const packages = Buffer.from(packagesText(mine), "utf8");
    const oldPlain = previous ? await previous(`${dir}/Packages`) : null;
    const plainChanged = !oldPlain || !oldPlain.equals(packages);
    const plainFile = file(`${dir}/Packages`, packages);
    const listed = { digests, plain: plainFile.path, plainSha: plainFile.sha256, oldPlain };
    const compressed = (kind: "gz" | "xz") =>
      compressedIndex(kind, packages, `${dir}/Packages.${kind}`, previous, plainChanged, listed).then((b) => file(`${dir}/Packages.${kind}`, b));
    const xz = o.indexCompression.includes("xz") ? compressed("xz") : null;
    files.push(Promise.resolve(plainFile));
    if (o.indexCompression.includes("gz")) files.push(compressed("gz"));
    if (xz) files.push(xz);
    const rel = `Archive: ${o.suite}\nOrigin: ${o.origin}\nLabel: ${o.label}\nAcquire-By-Hash: yes\nComponent: main\nArchitecture: ${arch}\n`;
    files.push(Promise.resolve(file(`${dir}/Release`, Buffer.from(rel, "utf8"))));
    if (o.contents) {
      const contents = Buffer.from(contentsText(mine), "utf8");
      files.push(Promise.resolve(file(`main/Contents-${arch}`, contents, false)));
      files.push(compressedIndex("gz", contents, `main/Contents-${arch}.gz`, previous).then((b) => file(`main/Contents-${arch}.gz`, b)));
    }
  }
  return { files: await Promise.all(files), architectures };
}

export function rfc2822(d: Date): string {
  return d.toUTCString().replace(/GMT$/, "UTC");
}

/** The Release text: header fields, then the SHA256 list of every index file. */
export function releaseText(files: IndexFile[], architectures: string[], o: SuiteOptions, date: Date, validDays: number): string {
  const f: Paragraph = [
    ["Origin", o.origin],
    ["Label", o.label],
    ["Suite", o.suite],
    ["Codename", o.extra.Codename ?? o.suite],
  ];
  for (const [k, v] of Object.entries(o.extra)) if (k !== "Codename") f.push([k, v]);
  f.push(["Date", rfc2822(date)]);
  if (validDays > 0) f.push(["Valid-Until", rfc2822(new Date(date.getTime() + validDays * 86400_000))]);
  f.push(["Architectures", architectures.join(" ")], ["Components", "main"], ["Description", o.description], ["Acquire-By-Hash", "yes"]);
  if (o.changelogs && !o.extra.Changelogs) f.push(["Changelogs", o.changelogs]);
  const sorted = [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const width = String(Math.max(...sorted.map((x) => x.data.length))).length;
  f.push(["SHA256", "\n" + sorted.map((x) => ` ${x.sha256} ${String(x.data.length).padStart(width)} ${x.path}`).join("\n")]);
  return serialise(f, o.suite);
}

/** Release fields apart from Date and Valid-Until, to tell whether a suite changed. */
export function releaseIdentity(text: string): string {
  return text
    .split("\n")
    .filter((l) => !/^(Date|Valid-Until):/.test(l))
    .join("\n");
}
