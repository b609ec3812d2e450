import {
  parsePlatform,
  readSpec
} from "./chunk-Q3ZXJRKN.js";
import {
  io,
  parse,
  str
} from "./chunk-UPYNSUOV.js";
import {
  buildDeb
} from "./chunk-L7I5STNP.js";
import {
  buildPkg
} from "./chunk-5EWEZ3TV.js";
import "./chunk-IACGGMK5.js";
import "./chunk-XXK4KJ5C.js";
import "./chunk-NH2BR72R.js";
import {
  UsageError
} from "./chunk-URTPPSHB.js";

// dist/commands/package.js
import path from "node:path";
import { mkdir } from "node:fs/promises";
var HELP = `Usage: repogen package SPEC --root DIR --platform P --arch A --out DIR [options]

Build one package from a package spec (package.toml) and a staged file tree, and print its path.
A debian-N or ubuntu-YY.MM platform gives a .deb; freebsd-N gives a FreeBSD .pkg.

Options:
  --root DIR          the staged tree the spec's [[files]] src paths are relative to (required)
  --platform P        debian-12, ubuntu-24.04, freebsd-14, ... (required)
  --arch A            in the platform's words: amd64, arm64, all; FreeBSD amd64, aarch64 (required)
  --out DIR           folder to write the package into (required; created if missing)
  --version V         use V instead of the spec's version
  --mtime EPOCH       mtime of every entry (default: SOURCE_DATE_EPOCH, else now)
  --compression C     .deb: xz (default), gzip, zstd, none; .pkg: tzst (default), txz, tgz, tar
  --json              print {"path": ..., "name": ..., "version": ...} instead of the path

Example:
  repogen package examples/builds/hello/*/package.toml --root stage --platform debian-12 \\
      --arch amd64 --out dist/ --mtime 1700000000
`;
function mtimeFrom(v, env = process.env) {
  const s = v ?? env.SOURCE_DATE_EPOCH;
  if (s === void 0)
    return Math.floor(Date.now() / 1e3);
  if (!/^\d+$/.test(s) || Number(s) <= 0)
    throw new UsageError(`--mtime / SOURCE_DATE_EPOCH must be a positive whole number of seconds, not "${s}"`);
  return Number(s);
}
var PKG_COMP = { tzst: "zst", txz: "xz", tgz: "gz", tar: "none" };
var DEB_COMP = { xz: "xz", gzip: "gz", gz: "gz", zstd: "zst", zst: "zst", none: "none" };
async function run(argv) {
  const { values, positionals } = parse(argv, {
    root: { type: "string" },
    platform: { type: "string" },
    arch: { type: "string" },
    out: { type: "string" },
    version: { type: "string" },
    mtime: { type: "string" },
    compression: { type: "string" }
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const o = io(values);
  if (positionals.length !== 1)
    throw new UsageError("package takes exactly one SPEC file (see repogen package --help)");
  for (const k of ["root", "platform", "arch", "out"])
    if (!str(values[k]))
      throw new UsageError(`--${k} is required (see repogen package --help)`);
  const platform = parsePlatform(str(values.platform));
  const mtime = mtimeFrom(str(values.mtime));
  const specFile = positionals[0];
  const spec = await readSpec(specFile);
  const outDir = path.resolve(str(values.out));
  const comp = str(values.compression);
  let result;
  if (platform.family === "debian") {
    const compression = comp === void 0 ? "xz" : DEB_COMP[comp];
    if (!compression)
      throw new UsageError(`--compression must be one of xz, gzip, zstd, none for a .deb`);
    await mkdir(outDir, { recursive: true });
    result = await buildDeb(spec, str(values.root), { arch: str(values.arch), version: str(values.version), mtime, compression, outDir });
  } else {
    const compression = comp === void 0 ? "zst" : PKG_COMP[comp];
    if (!compression)
      throw new UsageError(`--compression must be one of tzst, txz, tgz, tar for a .pkg`);
    await mkdir(outDir, { recursive: true });
    result = await buildPkg(spec, str(values.root), {
      abi: `FreeBSD:${platform.major}:${str(values.arch)}`,
      version: str(values.version),
      mtime,
      compression,
      outDir
    });
  }
  if (o.json)
    o.out(JSON.stringify({ path: result.file, name: result.name, version: result.version }));
  else
    o.out(result.file);
  return 0;
}
export {
  HELP,
  mtimeFrom,
  run
};
