#!/usr/bin/env node
// After tsc: the CLI bundled with esbuild into dist/bin/ (an entry and a few chunks that load when a
// command needs them), and dist/cli.js made a one-line entry into it. Node's loader resolves, reads
// and links each of the ~100 compiled modules of a run one by one; as one file and a few chunks a run
// starts about 90 ms sooner. Native and large modules stay outside (better-sqlite3, lzma-native,
// openpgp, the AWS SDK) and load where they are needed.
import { build } from "esbuild";
import { rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const out = path.join(ROOT, "dist", "bin");
rmSync(out, { recursive: true, force: true });
await build({
  // The packaging worker (src/prepare-pool.ts) is an entry of its own: a worker thread loads it by path.
  entryPoints: [path.join(ROOT, "dist", "cli.js"), path.join(ROOT, "dist", "prepare-worker.js")],
  outdir: out,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  external: ["better-sqlite3", "lzma-native", "openpgp", "@aws-sdk/*", "@smithy/*"],
  logLevel: "warning",
});
writeFileSync(path.join(ROOT, "dist", "cli.js"), `#!/usr/bin/env node\n// The CLI, bundled by scripts/bundle.mjs (the compiled modules beside this file are the same code).\nimport "./bin/cli.js";\n`);
