/**
 * A full garbage collection between the phases of a large run. Each phase (scan, packaging, pool)
 * leaves tens of MB of short-lived objects in V8's old generation, and left alone V8 grows the heap
 * for the next phase on top of them instead of collecting first. Measured with 10000 builds: peak
 * RSS 211–215 MB without, 192–194 MB with, at about 20 ms per collection.
 */
import v8 from "node:v8";
import vm from "node:vm";

let gc: (() => void) | null | undefined;

/** Runs a full collection where the runtime allows it (a no-op otherwise). */
export function collectGarbage(): void {
  if (gc === undefined) {
    try {
      // Node exposes gc() only behind this flag; set at run time it applies to new contexts.
      v8.setFlagsFromString("--expose-gc");
      gc = vm.runInNewContext("gc") as () => void;
    } catch {
      gc = null;
    }
  }
  gc?.();
}
