/**
 * Packaging on worker threads: in a cold run the main thread spends most of its time reading,
 * decompressing and rewriting packages, one build at a time, while the other core idles. A pool of
 * workers (prepare-worker.ts) does that, fed batches of builds so that a message costs little beside
 * the work it carries; the main thread keeps the state, the pool files and everything after.
 */
import { existsSync } from "node:fs";
import os from "node:os";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { Build } from "./builds/scan.js";
import type { Config } from "./config.js";
import { RepogenError } from "./errors.js";
import type { Prepared } from "./family.js";

/** One build's outcome from a worker: its package, or its error's one line. */
export type BatchResult = { id: number; ok: Prepared; err?: undefined } | { id: number; err: string; ok?: undefined };

/** A worker that stopped: the run fails (no build is to blame). */
export class PoolError extends RepogenError {}

/** A build's error from a worker, with the line the worker gave. */
export class PreparedError extends RepogenError {}

/** A worker's young generation (MB). */
const WORKER_YOUNG_MB = Number(process.env.REPOGEN_WORKER_YOUNG_MB ?? 48);
/** Builds per message. */
const BATCH = 16;
/** Messages in flight per worker: the next batch is there when one is done. */
const AHEAD = 2;
/**
 * Below this many builds to package the pool is not started: starting a worker (loading the modules
 * again) costs more than it saves.
 */
export const POOL_MIN = 5000;

interface Pending {
  id: number;
  build: Build;
  resolve: (p: Prepared) => void;
  reject: (e: Error) => void;
}

/**
 * How many workers: REPOGEN_WORKERS when set (0: none), else one per core up to 2 (on one core
 * a worker only adds its start-up).
 */
export function workerCount(env = process.env): number {
  if (env.REPOGEN_WORKERS !== undefined && /^\d+$/.test(env.REPOGEN_WORKERS)) return Math.min(Number(env.REPOGEN_WORKERS), 8);
  const cores = typeof os.availableParallelism === "function" ? os.availableParallelism() : os.cpus().length;
  return cores > 1 ? 2 : 0;
}

export class PreparePool {
  private readonly workers: Array<{ w: Worker; inFlight: Map<number, Pending[]> }> = [];
  private readonly queue: Pending[] = [];
  private nextId = 0;
  private nextBatch = 0;
  private scheduled = false;
  private failed: Error | null = null;

  private constructor(config: Config, work: string, n: number, script: string) {
    for (let i = 0; i < n; i++) {
      // A young generation larger than the main thread's (cli.ts keeps that one small for a low peak):
      // a worker does nothing but allocate short-lived buffers and strings, and with 2 MB semi-spaces
      // most of them were promoted and collected again by full collections.
      const w = new Worker(script, { workerData: { config, work }, resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_MB } });
      const slot = { w, inFlight: new Map<number, Pending[]>() };
      w.on("message", (m: { batch: number; out: BatchResult[] }) => this.done(slot, m.batch, m.out));
      w.on("error", (e) => this.fail(new PoolError(`a packaging worker failed: ${e.message}`)));
      w.on("exit", (code) => {
        if (code !== 0) this.fail(new PoolError(`a packaging worker exited with code ${code}`));
      });
      this.workers.push(slot);
    }
  }

  /** A pool of `workerCount()` workers, or null when there are none or the worker script is not built. */
  static open(config: Config, work: string, builds: number): PreparePool | null {
    const n = workerCount();
    // The tests start the pool for a handful of builds.
    const min = /^\d+$/.test(process.env.REPOGEN_TEST_POOL_MIN ?? "") ? Number(process.env.REPOGEN_TEST_POOL_MIN) : POOL_MIN;
    if (n === 0 || builds < min) return null;
    // Beside this module: dist/bin/ in the bundle (scripts/bundle.mjs), dist/ as tsc compiles it. Run
    // from the sources, there is none and the pool is not used (but a test that asks for it fails).
    const script = ["./prepare-worker.js", "../prepare-worker.js"].map((u) => fileURLToPath(new URL(u, import.meta.url))).find((f) => existsSync(f));
    if (!script) {
      if (min !== POOL_MIN) throw new PoolError("the packaging worker's script is not there");
      return null;
    }
    return new PreparePool(config, work, n, script);
  }

  /** The build's package, made by a worker (it has no cached package). */
  prepare(build: Build): Promise<Prepared> {
    if (this.failed) return Promise.reject(this.failed);
    return new Promise((resolve, reject) => {
      this.queue.push({ id: this.nextId++, build, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        // The callers of one tick are sent together.
        setImmediate(() => {
          this.scheduled = false;
          this.feed();
        });
      }
    });
  }

  private feed(): void {
    for (const slot of this.workers) {
      while (this.queue.length && slot.inFlight.size < AHEAD) {
        const batch = this.queue.splice(0, BATCH);
        const b = this.nextBatch++;
        slot.inFlight.set(b, batch);
        slot.w.postMessage({ batch: b, items: batch.map((p) => ({ id: p.id, build: p.build })) });
      }
    }
  }

  private done(slot: { inFlight: Map<number, Pending[]> }, b: number, out: BatchResult[]): void {
    const batch = slot.inFlight.get(b);
    if (!batch) return;
    slot.inFlight.delete(b);
    const byId = new Map(out.map((r) => [r.id, r]));
    for (const p of batch) {
      const r = byId.get(p.id);
      if (r?.ok) p.resolve(r.ok);
      else p.reject(r ? new PreparedError(r.err!) : new PoolError("a packaging worker lost a build"));
    }
    this.feed();
  }

  private fail(e: Error): void {
    if (this.failed) return;
    this.failed = e;
    for (const slot of this.workers) {
      for (const batch of slot.inFlight.values()) for (const p of batch) p.reject(e);
      slot.inFlight.clear();
    }
    for (const p of this.queue.splice(0)) p.reject(e);
  }

  async close(): Promise<void> {
    this.failed ??= new PoolError("the packaging pool is closed");
    await Promise.all(this.workers.map((s) => s.w.terminate()));
  }
}
