/**
 * What a repository's indexes were made from, and what was published for them. A repository whose
 * packages, configuration and keys are the same as last time, whose signatures are not due for
 * renewal, and whose published files are still the ones this run's predecessor left (by the
 * storage's version tokens: size, mtime and inode for a folder, as rsync's quick check) is not made
 * again: making a 100 000-package suite's Packages, Contents and their compressed forms only to find
 * them unchanged was most of a run with nothing new. Pure: the tokens come from the storage.
 */
import { createHash } from "node:crypto";
import type { CachedPackage } from "../state/state.js";

/** Bump when what a record means changes: older records are then not trusted. */
const FORMAT = 1;

export interface RepoRecord {
  v: number;
  /** repoFingerprint of what the indexes were made from. */
  fp: string;
  name: string;
  base: string;
  aliases: string[];
  /** The repository's warnings (relations a rewrite broke), which follow from its packages. */
  warnings: string[];
  /** From when on (ms since the epoch) the signatures are to be renewed; null: never. */
  renewAfter: number | null;
  /** Date and Valid-Until of the published Release (APT), for the web pages. */
  dates: { date?: string; validUntil?: string };
  /** Every file published for the repository, with its version token then. */
  files: Array<[path: string, token: string]>;
}

/**
 * A digest of everything a repository's index files are made from: `salt` (the configuration that
 * shapes the indexes and the public keys that sign them) and each package's index entry, file list
 * and pool file, in pool order.
 */
export function repoFingerprint(family: string, key: string, salt: string, pkgs: CachedPackage[]): string {
  const h = createHash("sha256");
  h.update(JSON.stringify([FORMAT, family, key, salt]));
  const sorted = [...pkgs].sort((a, b) => (a.pool < b.pool ? -1 : a.pool > b.pool ? 1 : 0));
  for (const p of sorted) {
    h.update(`\0${p.pool}\0${p.sha256}\0${p.size}\0${p.name}\0${p.version}\0${p.upstream}\0${p.arch}\0${p.section ?? ""}\0${p.changelog ?? ""}\0`);
    h.update(p.entry);
    h.update("\0");
    h.update(p.files);
  }
  return h.digest("hex");
}

export function encodeRecord(r: Omit<RepoRecord, "v">): string {
  return JSON.stringify({ v: FORMAT, ...r });
}

export function decodeRecord(text: string | undefined): RepoRecord | null {
  if (!text) return null;
  try {
    const r = JSON.parse(text) as RepoRecord;
    return r.v === FORMAT && typeof r.fp === "string" && Array.isArray(r.files) && r.files.length > 0 ? r : null;
  } catch {
    return null;
  }
}

/**
 * Whether the published repository can stay as it is: same inputs, signatures not due, and every
 * file it published still there with the same token.
 */
export async function stillPublished(r: RepoRecord, fp: string, now: Date, version: (rel: string) => Promise<string | null>): Promise<boolean> {
  if (r.fp !== fp) return false;
  if (r.renewAfter !== null && now.getTime() >= r.renewAfter) return false;
  const tokens = await Promise.all(r.files.map(([p]) => version(p)));
  return tokens.every((t, i) => t !== null && t === r.files[i]![1]);
}
