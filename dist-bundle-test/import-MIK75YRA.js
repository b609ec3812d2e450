import {
  clock
} from "./chunk-JZDO5WIW.js";
import "./chunk-IEWX2NAL.js";
import {
  parsePlatform
} from "./chunk-Q3ZXJRKN.js";
import {
  io,
  parse,
  str
} from "./chunk-UPYNSUOV.js";
import {
  readDeb
} from "./chunk-L7I5STNP.js";
import "./chunk-5EWEZ3TV.js";
import {
  LIMITS,
  openRegular
} from "./chunk-IACGGMK5.js";
import {
  loadConfig
} from "./chunk-CSDMBHJD.js";
import "./chunk-XXK4KJ5C.js";
import "./chunk-NH2BR72R.js";
import {
  UsageError
} from "./chunk-URTPPSHB.js";

// dist/commands/import.js
import { createHash, randomUUID } from "node:crypto";
import { createReadStream } from "node:fs";
import { copyFile, mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
var HELP = `Usage: repogen import FILE... --platform P [options]

Wrap existing .deb or .pkg files into finished-build folders (builds/NAME/UUID/build.json), so that
the next generate publishes them. They keep their own versions ("versioning": "as-is" in build.json),
so relations between them, such as jq's "libjq1 (= 1.6-2.1+deb12u3)", still hold.

Options:
  --platform P    debian-12, ubuntu-24.04, freebsd-14, ... (required)
  --builds DIR    the builds folder (default: from repogen.toml, else ./builds)
  --now ISO8601   the build time to record (default: now)
  --versioning V  "as-is" (default): publish the packages' own versions; "build": give them the
                  BUILDTIME and SHA256 suffix of generate's versioning

Example:
  repogen import ~/Downloads/hello_2.10-3_amd64.deb --platform debian-12 --builds builds
`;
async function sha256(file) {
  const h = createHash("sha256");
  for await (const c of createReadStream(file))
    h.update(c);
  return h.digest("hex");
}
async function run(argv) {
  const { values, positionals } = parse(argv, { platform: { type: "string" }, builds: { type: "string" }, now: { type: "string" }, versioning: { type: "string" } });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const o = io(values);
  if (!positionals.length)
    throw new UsageError("import needs at least one FILE (see repogen import --help)");
  if (!str(values.platform))
    throw new UsageError("--platform is required (see repogen import --help)");
  const platform = parsePlatform(str(values.platform));
  const versioning = str(values.versioning) ?? "as-is";
  if (versioning !== "as-is" && versioning !== "build")
    throw new UsageError(`--versioning must be "as-is" or "build", not "${versioning}"`);
  const builds = str(values.builds) ? path.resolve(str(values.builds)) : loadConfig(str(values.config)).builds;
  const when = clock(str(values.now));
  const made = [];
  for (const file of positionals) {
    const head = Buffer.alloc(8);
    const { fh } = await openRegular(file, { cap: LIMITS.file, limit: "file", what: "package file" });
    await fh.read(head, 0, 8, 0);
    await fh.close();
    let name;
    let arch;
    if (head.toString("latin1") === "!<arch>\n") {
      if (platform.family !== "debian")
        throw new UsageError(`a .deb cannot be imported for ${platform.platform}`, file);
      const info = await readDeb(file);
      name = info.name;
      arch = info.arch;
    } else {
      if (platform.family !== "freebsd")
        throw new UsageError(`a .pkg cannot be imported for ${platform.platform}`, file);
      const { readPkg } = await import("./pkg-VCN3R6PA.js");
      const info = await readPkg(file);
      name = info.manifest.name;
      const abiArch = info.manifest.abi.split(":")[2];
      if (!abiArch || abiArch === "*")
        throw new UsageError(`the package's abi ${info.manifest.abi} names no architecture; wrap it by hand with the arch you publish it for`, file);
      arch = abiArch;
      if (!/^[a-z0-9][a-z0-9+.-]+$/.test(name))
        throw new UsageError(`package name "${name}" cannot be a job name`, file);
    }
    const uuid = randomUUID();
    const dir = path.join(builds, name, uuid);
    await mkdir(dir, { recursive: true });
    const base = path.basename(file);
    await copyFile(file, path.join(dir, base));
    const stamp = when.toISOString().replace(/\.\d{3}Z$/, "Z");
    const build = {
      job: name,
      uuid,
      platform: platform.platform,
      arch,
      start: stamp,
      finish: stamp,
      result: "success",
      main_binary: base,
      versioning,
      artifacts: [{ path: base, sha256: await sha256(file) }]
    };
    await writeFile(path.join(dir, "build.json"), JSON.stringify(build, null, 2) + "\n");
    made.push(dir);
  }
  if (o.json)
    o.out(JSON.stringify({ builds: made }));
  else if (!o.quiet)
    for (const d of made)
      o.out(d);
  return 0;
}
export {
  HELP,
  run
};
