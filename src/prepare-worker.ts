/**
 * A packaging worker (prepare-pool.ts): takes batches of builds and returns each one's package as
 * the family's prepare makes it, or the one line of its error. It reads, checks and rewrites the
 * packages and writes the work files; the main thread keeps the state, the pool and the indexes.
 */
import { parentPort, workerData } from "node:worker_threads";
import type { Build } from "./builds/scan.js";
import { hashWithCache } from "./builds/scan.js";
import type { Config } from "./config.js";
import { DebianFamily } from "./debian/family.js";
import { errorLine } from "./errors.js";
import type { Family, PrepareContext } from "./family.js";
import { FreebsdFamily } from "./freebsd/family.js";
import { mapLimit } from "./util/concurrency.js";
import type { BatchResult } from "./prepare-pool.js";

// Signing happens on the main thread only: prepare never signs.
const unsigned = (): never => {
  throw new Error("a packaging worker does not sign");
};
const families: Record<"debian" | "freebsd", Family> = { debian: new DebianFamily(unsigned), freebsd: new FreebsdFamily(unsigned) };
const data = workerData as { config: Config; work: string };
const ctx: PrepareContext = { config: data.config, work: data.work, hash: (f) => hashWithCache(f, undefined) };

/** Builds of one batch prepared at once: their file reads and liblzma calls overlap. */
const IN_BATCH = 4;

parentPort!.on("message", (m: { batch: number; items: Array<{ id: number; build: Build }> }) => {
  void mapLimit(m.items, IN_BATCH, async ({ id, build }): Promise<BatchResult> => {
    try {
      return { id, ok: await families[build.platform.family].prepare(build, ctx, undefined) };
    } catch (e) {
      return { id, err: errorLine(e) };
    }
  }).then((out) => parentPort!.postMessage({ batch: m.batch, out }));
});
