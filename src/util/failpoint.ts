/**
 * Fault injection for the tests of the error paths (like REPOGEN_FAILPOINT_WRITES in publish/storage):
 * with REPOGEN_FAIL_AFTER=STEP, generate fails with an error at that step of its run, as if the
 * step itself had failed. Steps in run order: `pool` (pool files placed, nothing else written),
 * `by-hash` (by-hash copies and keys written, no index live yet), `index-page`, `retention`,
 * `state` (saving the caches and the retention clock).
 */
import { spawnSync } from "node:child_process";

export type FailStep = "pool" | "by-hash" | "index-page" | "retention" | "state";

export class InjectedFailure extends Error {}

export function failAfter(step: FailStep): void {
  if (process.env.REPOGEN_FAIL_AFTER === step) throw new InjectedFailure(`${step}: injected failure (REPOGEN_FAIL_AFTER=${step})`);
}

/**
 * With REPOGEN_TEST_HOOK_AFTER_SCAN=COMMAND, generate runs COMMAND (sh -c) once the builds are
 * scanned and their hashes checked, before anything is packaged: the tests swap a build's file
 * there, the moment an attacker would aim for.
 */
export function hookAfterScan(): void {
  const cmd = process.env.REPOGEN_TEST_HOOK_AFTER_SCAN;
  if (cmd) spawnSync("sh", ["-c", cmd], { stdio: "inherit", timeout: 60_000 });
}
