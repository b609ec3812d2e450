/**
 * Files no current index names (old package versions, old by-hash copies, old catalogues) stay
 * grace_hours after the run that first found them unreferenced, for mirrors and clients still
 * downloading; then they go. Time is the run's clock.
 */
import { readdirSync } from "node:fs";
import { rm } from "node:fs/promises";
import path from "node:path";
import type { Tree } from "./tree.js";

/** Temporary files of a killed run: ".NAME.tmp-PID-RANDOM". */
export const TEMP_FILE = /(^|\/)\.[^/]*\.tmp-\d+-[a-z0-9]+$/;
export const MARKER = ".publishing.json";

/** Files below rel (relative paths). Synchronous: a walk of thousands of entries is metadata only. */
export async function walkFiles(root: string, rel: string): Promise<string[]> {
  const out: string[] = [];
  const walk = (r: string) => {
    let ents;
    try {
      ents = readdirSync(path.join(root, r), { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of ents) {
      const sub = `${r}/${e.name}`;
      if (e.isDirectory()) walk(sub);
      // Links are aliases (dists/CODENAME), which the run manages itself; retention leaves them.
      else if (!e.isSymbolicLink()) out.push(sub);
    }
  };
  walk(rel);
  return out;
}

/**
 * One walk of the tree at the start of a run: it removes what a killed run left half-written (we
 * hold the lock, so no live run owns those) and returns the files retention manages (the pool,
 * dists and the FreeBSD ABI folders). Files this run writes are live, so they need not be in it.
 */
export async function surveyTree(tree: Tree): Promise<string[]> {
  const managed: string[] = [];
  for (const top of ["apt", "pkg", "packages", "feeds"]) {
    for (const p of await walkFiles(tree.root, top)) {
      if (TEMP_FILE.test(p)) {
        if (!tree.dryRun) await rm(path.join(tree.root, p), { force: true });
        continue;
      }
      if (path.posix.basename(p) === MARKER) continue;
      if (p.startsWith("apt/pool/") || p.startsWith("apt/dists/") || p.startsWith("apt/changelogs/") || /^pkg\/FreeBSD:[^/]+\//.test(p) || /^(packages|feeds)\//.test(p)) managed.push(p);
    }
  }
  return managed;
}

export interface RetentionResult {
  kept: number;
  removed: string[];
}

/**
 * dropped: path → epoch seconds when first found unreferenced (kept in the state). Entries for
 * files that are live again or gone are forgotten.
 */
export async function applyRetention(
  tree: Tree,
  files: string[],
  live: Set<string>,
  dropped: Record<string, number>,
  nowS: number,
  graceHours: number,
): Promise<RetentionResult> {
  const present = new Set(files);
  for (const p of Object.keys(dropped)) if (live.has(p) || !present.has(p)) delete dropped[p];
  const removed: string[] = [];
  let kept = 0;
  for (const p of files) {
    if (live.has(p)) continue;
    if (dropped[p] === undefined) {
      dropped[p] = nowS;
      kept++;
    } else if (nowS - dropped[p]! >= graceHours * 3600) {
      await tree.remove(p);
      delete dropped[p];
      removed.push(p);
    } else kept++;
  }
  return { kept, removed };
}
