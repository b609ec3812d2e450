/**
 * Files no current index names (old package versions, old by-hash copies, old catalogues) stay
 * grace_hours after the run that first found them unreferenced, for mirrors and clients still
 * downloading; then they go. Time is the run's clock.
 */
import type { Storage } from "./storage/storage.js";

/** Temporary files of a killed run: ".NAME.tmp-PID-RANDOM". */
export const TEMP_FILE = /(^|\/)\.[^/]*\.tmp-\d+-[a-z0-9]+$/;
export const MARKER = ".publishing.json";

export interface RetentionResult {
  kept: number;
  removed: string[];
}

/**
 * dropped: path → epoch seconds when first found unreferenced (kept in the state). Entries for
 * files that are live again or gone are forgotten.
 */
export async function applyRetention(
  tree: Storage,
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
