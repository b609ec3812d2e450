/** repogen's own version, from its package.json (read once). */
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

let cached: string | undefined;

export function repogenVersion(): string {
  if (cached === undefined) {
    const here = path.dirname(fileURLToPath(import.meta.url));
    cached = (JSON.parse(readFileSync(path.join(here, "..", "package.json"), "utf8")) as { version: string }).version;
  }
  return cached;
}
