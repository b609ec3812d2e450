/**
 * What `pkg repo` writes for one ABI, as bytes: meta.conf (and its legacy copy meta), packagesite.pkg
 * and data.pkg, each a tar of the signature and the catalogue. Pure: the clock and the key come in as
 * arguments.
 */
import type { KeyObject } from "node:crypto";
import { compressBuffer, type Compression } from "../archive/compress.js";
import { tarBuffer } from "../archive/tar.js";
import { signCatalogue } from "../signing/rsa.js";

export interface CatalogueEntry {
  /** The compact manifest object as in the package (URL-encoded where pkg encodes). */
  compact: Record<string, unknown>;
  /** Relative to the ABI folder: All/NAME-VERSION.pkg */
  path: string;
  sha256: string;
  size: number;
}

const PACKING: Record<Compression, string> = { zst: "tzst", xz: "txz", gz: "tgz", none: "tar", bz2: "tbz", lzma: "txz" };

export function metaConf(compression: Compression): string {
  return `version = 2;\npacking_format = "${PACKING[compression]}";\nmanifests = "packagesite.yaml";\ndata = "data";\nfilesite = "files";\nmanifests_archive = "packagesite";\nfilesite_archive = "files";\n`;
}

/** One catalogue object, keys in the order pkg repo writes them. */
export function catalogueObject(e: CatalogueEntry): Record<string, unknown> {
  const c = e.compact;
  const o: Record<string, unknown> = {};
  for (const k of ["name", "origin", "version", "comment", "maintainer", "www", "abi", "arch", "prefix"]) if (c[k] !== undefined) o[k] = c[k];
  o.sum = e.sha256;
  o.flatsize = c.flatsize;
  o.path = e.path;
  o.repopath = e.path;
  for (const k of ["licenselogic", "licenses"]) if (c[k] !== undefined) o[k] = c[k];
  o.pkgsize = e.size;
  for (const [k, v] of Object.entries(c)) if (!(k in o)) o[k] = v;
  return o;
}

export function packagesiteYaml(entries: CatalogueEntry[]): Buffer {
  return Buffer.from(entries.map((e) => JSON.stringify(catalogueObject(e)) + "\n").join(""), "utf8");
}

/** The `data` member: one line, no newline at all (a multi-line one loads zero packages). */
export function dataJson(entries: CatalogueEntry[]): Buffer {
  return Buffer.from(JSON.stringify({ groups: [], expired_packages: [], packages: entries.map(catalogueObject) }), "utf8");
}

export type SignatureMode = { mode: "pubkey"; key: KeyObject } | { mode: "fingerprints"; key: KeyObject; publicPem: string };

export async function signedArchive(member: string, content: Buffer, sig: SignatureMode, mtime: number, compression: Compression): Promise<Buffer> {
  const s = signCatalogue(content, sig.key);
  const meta = { type: "file" as const, mode: 0o644, uname: "root", gname: "wheel" };
  const entries =
    sig.mode === "pubkey"
      ? [{ ...meta, name: "signature", size: s.length + 1, mtime, data: Buffer.concat([s, Buffer.from([0])]) }]
      : [
          { ...meta, name: `${member}.sig`, size: s.length, mtime, data: s },
          { ...meta, name: `${member}.pub`, size: Buffer.byteLength(sig.publicPem), mtime, data: Buffer.from(sig.publicPem) },
        ];
  const tar = tarBuffer([...entries, { ...meta, name: member, size: content.length, mtime, data: content }]);
  return compressBuffer(compression, tar);
}

export function sortEntries(entries: CatalogueEntry[]): CatalogueEntry[] {
  return [...entries].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
