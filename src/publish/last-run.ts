/**
 * What the last complete run published, kept so that a run can tell from metadata alone that it
 * would publish exactly that again, and stop there: a cron job over 100 000 builds that finds nothing
 * new then costs a stat per job folder and per pool file, instead of reading every build's record,
 * package result and index entry. The record holds only when everything it rests on is unchanged:
 *
 * - `salt`: the configuration, the keys folder (names and stat keys of its files) and repogen's version;
 * - `stamp`: the builds folder's listing and every job folder's stat key (scan.ts buildsStamp);
 * - `live`: the tree-clean digest the run left (every run removes tree-clean before its first write);
 * - the repositories' published files, by their version tokens (index-memo.ts records), and every
 *   pool file the indexes name, by size;
 * - the clock: before any repository's signatures are due for renewal, and before any file waiting
 *   out its grace is due for removal.
 *
 * A run that rejected a build keeps no record: rejected builds are looked at again by every run.
 */
import { createHash } from "node:crypto";
import { lstatSync, readdirSync } from "node:fs";
import path from "node:path";

const FORMAT = 1;

export interface LastRun<S> {
  v: number;
  salt: string;
  stamp: string;
  live: string;
  /** ms since the epoch; null: never. */
  renewAfter: number | null;
  dueAt: number | null;
  /** The repositories' records (their state names), checked file by file. */
  repos: string[];
  /** Pool files and changelogs the indexes name, with their size (-1: any size). */
  pool: Array<[string, number]>;
  /** The aliases published (dists/CODENAME → dists/SUITE), all of them. */
  aliases: Array<{ link: string; target: string }>;
  /** The run's summary, as a run that stops here reports it. */
  summary: S;
}

/** The digest of what a run's output depends on beside the builds: configuration, keys, version. */
export function runSalt(config: unknown, keysDir: string, version: string): string {
  const h = createHash("sha256");
  h.update(JSON.stringify([FORMAT, version, config]));
  let names: string[] = [];
  try {
    names = readdirSync(keysDir).sort();
  } catch {
    // no keys folder: its absence is part of the salt
  }
  for (const n of names) {
    const st = lstatSync(path.join(keysDir, n), { throwIfNoEntry: false });
    h.update(`\0${n}\0${st ? `${st.ino}:${st.size}:${st.mtimeMs}:${st.mode}` : "-"}`);
  }
  return h.digest("hex");
}

export function encodeLastRun<S>(r: Omit<LastRun<S>, "v">): string {
  return JSON.stringify({ v: FORMAT, ...r });
}

export function decodeLastRun<S>(text: string | undefined): LastRun<S> | null {
  if (!text) return null;
  try {
    const r = JSON.parse(text) as LastRun<S>;
    return r.v === FORMAT && typeof r.stamp === "string" && Array.isArray(r.pool) && Array.isArray(r.repos) && Array.isArray(r.aliases) ? r : null;
  } catch {
    return null;
  }
}

/** What a check needs from the run: everything but the file tokens is known before the scan. */
export interface QuietContext {
  salt: string;
  stamp: string | null;
  /** The tree-clean digest found at the start of the run. */
  clean: string | null;
  now: Date;
  /** Whether the storage saw no other writer since this state's last run. */
  continuous: boolean;
  size(rel: string): Promise<number | null>;
  /** Whether a repository's record (by state name) still describes what is published. */
  repoIntact(name: string): Promise<boolean>;
  /** The aliases the target has now. */
  aliases(): Promise<Array<{ link: string; target: string }>>;
}

/** Whether the last complete run's output is what this run would publish, untouched since. */
export async function stillTheSame<S>(r: LastRun<S>, q: QuietContext): Promise<boolean> {
  if (r.salt !== q.salt || q.stamp === null || r.stamp !== q.stamp || q.clean === null || r.live !== q.clean || !q.continuous) return false;
  const t = q.now.getTime();
  if ((r.renewAfter !== null && t >= r.renewAfter) || (r.dueAt !== null && t >= r.dueAt)) return false;
  for (const name of r.repos) if (!(await q.repoIntact(name))) return false;
  const key = (a: { link: string; target: string }) => `${a.link}\0${a.target}`;
  const now = (await q.aliases()).map(key).sort();
  if (now.join("\n") !== r.aliases.map(key).sort().join("\n")) return false;
  for (const [p, size] of r.pool) {
    const got = await q.size(p);
    if (got === null || (size >= 0 && got !== size)) return false;
  }
  return (await q.size("index.html")) !== null;
}
