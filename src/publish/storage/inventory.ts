/**
 * What is in the bucket, as far as this state folder knows: key → size, ETag and (for what repogen
 * wrote) SHA-256. With it a run with little to do needs no listing of the bucket: a file whose MD5
 * is the ETag on record is not written again, a key not on record is not fetched. The record is
 * trusted only when its generation is the one the bucket's lease names (no other writer has
 * published since, and no run of ours was cut short); otherwise it is rebuilt from a listing.
 * Behind this small interface so that the state can move to a database.
 */
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { writeFileAtomic } from "../../archive/stream.js";

/** [size, etag (hex, no quotes), sha256 or "" when unknown] */
export type InventoryEntry = [number, string, string];

export interface InventoryRecord {
  generation: string;
  objects: Record<string, InventoryEntry>;
  /** The bucket's aliases (link → target), as in PREFIX/.repogen/aliases.json; absent in older records. */
  aliases?: Record<string, string>;
}

export interface InventoryStore {
  load(): Promise<InventoryRecord | null>;
  save(r: InventoryRecord): Promise<void>;
}

/** A JSON file in the state folder, one per bucket and prefix. */
export function fileInventoryStore(stateDir: string, target: string): InventoryStore {
  const id = createHash("sha256").update(target).digest("hex").slice(0, 16);
  const file = path.join(stateDir, `s3-inventory-${id}.json`);
  return {
    async load() {
      try {
        const d = JSON.parse(await readFile(file, "utf8")) as { target?: string; generation?: string; objects?: Record<string, InventoryEntry>; aliases?: unknown };
        if (d.target !== target || typeof d.generation !== "string" || typeof d.objects !== "object" || d.objects === null) return null;
        const aliases = typeof d.aliases === "object" && d.aliases !== null && Object.values(d.aliases).every((v) => typeof v === "string") ? (d.aliases as Record<string, string>) : undefined;
        return { generation: d.generation, objects: d.objects, ...(aliases ? { aliases } : {}) };
      } catch {
        return null;
      }
    },
    async save(r) {
      await writeFileAtomic(file, async (out) => {
        out.write(`{"target":${JSON.stringify(target)},"generation":${JSON.stringify(r.generation)},"aliases":${JSON.stringify(r.aliases ?? {})},"objects":{`);
        let first = true;
        for (const [k, v] of Object.entries(r.objects)) {
          out.write(`${first ? "" : ","}\n${JSON.stringify(k)}:${JSON.stringify(v)}`);
          first = false;
        }
        out.write("\n}}\n");
      });
    },
  };
}
