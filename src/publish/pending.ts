/**
 * Builds waiting to be published, and what became of them: how hooks that run at the same time hand
 * their builds to whichever process holds the state folder's lock (another hook, a cron generate or
 * watch), so that N hooks at once cost one or two runs and none fails because the lock is taken.
 *
 * A hook records its build, then drops a marker in `STATE/pending/`. The lock holder lists the markers
 * before its scan; after the run it settles every marker it listed, and every later one whose build its
 * scan saw, by writing `STATE/results/MARKER.json` with the build's outcome and removing the marker.
 * Markers that are left name builds the run did not see: the holder runs again (or the next one does).
 * A waiting hook reads its result file. All files are written under a temporary name and renamed.
 */
import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { mkdir, rename, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";

/** What a run did with one build. */
export type BuildOutcome =
  | { status: "published"; repository: string; name: string; version: string; arch: string; file: string }
  | { status: "rejected"; reason: string }
  | { status: "not-chosen"; reason: string }
  | { status: "not-found"; reason: string };

/** A result file older than this is nobody's any more (its hook gave up or was killed). */
const RESULT_TTL_MS = 24 * 3600_000;

function dirs(stateDir: string) {
  return { pending: path.join(stateDir, "pending"), results: path.join(stateDir, "results") };
}

/** The marker's file name: job and uuid never contain "@" (scan's rules), so it is unambiguous. */
export function markerName(job: string, uuid: string): string {
  return `${job}@${uuid}`;
}

async function writeAtomic(file: string, text: string): Promise<void> {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.tmp-${process.pid}-${randomBytes(3).toString("hex")}`);
  await writeFile(tmp, text);
  await rename(tmp, file);
}

/** Announces a recorded build to the lock holder. Any earlier result for it is stale now. */
export async function addPending(stateDir: string, job: string, uuid: string): Promise<string> {
  const d = dirs(stateDir);
  await mkdir(d.pending, { recursive: true });
  await mkdir(d.results, { recursive: true });
  const name = markerName(job, uuid);
  await rm(path.join(d.results, `${name}.json`), { force: true });
  await writeAtomic(path.join(d.pending, name), JSON.stringify({ job, uuid, at: new Date().toISOString() }) + "\n");
  return name;
}

/** The pending markers, by name, each with its build's `job/uuid`. */
export function listPending(stateDir: string): Map<string, string> {
  const out = new Map<string, string>();
  let names: string[];
  try {
    names = readdirSync(dirs(stateDir).pending);
  } catch {
    return out;
  }
  for (const n of names) {
    if (n.startsWith(".")) continue;
    const at = n.indexOf("@");
    if (at > 0) out.set(n, `${n.slice(0, at)}/${n.slice(at + 1)}`);
  }
  return out;
}

/**
 * After a run: writes the result of every marker listed before it (`claimed`) and of every later one
 * whose build the run saw, and removes those markers. Returns how many markers are left.
 */
export async function settlePending(stateDir: string, claimed: Map<string, string>, outcomes: Map<string, BuildOutcome>): Promise<number> {
  const d = dirs(stateDir);
  const now = listPending(stateDir);
  let left = 0;
  for (const [name, id] of now) {
    const outcome = outcomes.get(id) ?? (claimed.has(name) ? { status: "not-found" as const, reason: "the run did not find the build in the builds folder" } : undefined);
    if (!outcome) {
      left++;
      continue;
    }
    await mkdir(d.results, { recursive: true });
    await writeAtomic(path.join(d.results, `${name}.json`), JSON.stringify({ build: id, at: new Date().toISOString(), ...outcome }) + "\n");
    await rm(path.join(d.pending, name), { force: true });
  }
  await dropStaleResults(d.results);
  return left;
}

async function dropStaleResults(dir: string): Promise<void> {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  const limit = Date.now() - RESULT_TTL_MS;
  for (const n of names) {
    const f = path.join(dir, n);
    const st = await stat(f).catch(() => null);
    if (st && st.mtimeMs < limit) await rm(f, { force: true });
  }
}

/** The outcome a run wrote for a marker, or null while there is none; the result file is taken. */
export async function takeResult(stateDir: string, name: string): Promise<(BuildOutcome & { build: string }) | null> {
  const f = path.join(dirs(stateDir).results, `${name}.json`);
  let text: string;
  try {
    text = readFileSync(f, "utf8");
  } catch {
    return null;
  }
  await rm(f, { force: true });
  return JSON.parse(text) as BuildOutcome & { build: string };
}

/**
 * A hook announces itself as soon as it starts, before it hashes and records its build, so that a
 * lock holder can wait a moment for the hooks started with it and publish them in the same run.
 * Returns the function that withdraws the announcement (once the build is recorded, or refused).
 */
export async function announceArrival(stateDir: string): Promise<() => Promise<void>> {
  const d = dirs(stateDir).pending;
  await mkdir(d, { recursive: true });
  const f = path.join(d, `.arriving-${process.pid}`);
  await writeFile(f, "");
  return () => rm(f, { force: true });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Waits (at most maxMs) until no live hook is between its start and its recorded build. */
export async function awaitArrivals(stateDir: string, maxMs: number): Promise<void> {
  const d = dirs(stateDir).pending;
  const until = Date.now() + maxMs;
  while (Date.now() < until) {
    let names: string[];
    try {
      names = readdirSync(d);
    } catch {
      return;
    }
    const arriving = names.map((n) => /^\.arriving-(\d+)$/.exec(n)).filter((m) => m && Number(m[1]) !== process.pid && alive(Number(m[1])));
    if (!arriving.length) return;
    await new Promise((r) => setTimeout(r, 25));
  }
}
