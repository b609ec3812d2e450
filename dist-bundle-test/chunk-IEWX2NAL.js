// dist/version.js
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
var cached;
function repogenVersion() {
  if (cached === void 0) {
    const here = path.dirname(fileURLToPath(import.meta.url));
    cached = JSON.parse(readFileSync(path.join(here, "..", "package.json"), "utf8")).version;
  }
  return cached;
}

export {
  repogenVersion
};
