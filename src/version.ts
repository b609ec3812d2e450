/** repogen's own version and folder, from its package.json (found once). */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

let root: string | undefined;
let cached: string | undefined;

/**
 * The folder of repogen's package.json (templates/ and keys.example/ are beside it), looked up from
 * this module's place: the same whether the code runs as compiled modules (dist/…) or bundled
 * (dist/bin/…).
 */
export function packageRoot(): string {
  if (root === undefined) {
    let d = path.dirname(fileURLToPath(import.meta.url));
    for (let i = 0; i < 6 && !existsSync(path.join(d, "package.json")); i++) d = path.dirname(d);
    root = d;
  }
  return root;
}

export function repogenVersion(): string {
  cached ??= (JSON.parse(readFileSync(path.join(packageRoot(), "package.json"), "utf8")) as { version: string }).version;
  return cached;
}
