/**
 * Runs fn over items with at most `limit` calls in flight, keeping results in input order. Most of
 * a run waits on the file system and on liblzma's worker threads; overlapping those waits is what
 * keeps both cores busy.
 */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  async function worker(): Promise<void> {
    for (;;) {
      const i = next++;
      if (i >= items.length) return;
      out[i] = await fn(items[i]!, i);
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, () => worker()));
  return out;
}

/** How many builds are read and packaged at once. */
export const PARALLEL = 16;
