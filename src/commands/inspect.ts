import { LIMITS } from "../archive/limits.js";
import { openRegular } from "../util/regular-file.js";
import { UsageError } from "../errors.js";
import { readDeb } from "../debian/deb.js";
import { readPkg } from "../freebsd/pkg.js";
import { manifestObject } from "../freebsd/manifest.js";
import { io, parse } from "./args.js";

export const HELP = `Usage: repogen inspect FILE [--json]

Print the metadata of a .deb or FreeBSD .pkg: its control fields or manifest, conffiles, maintainer
scripts and the list of files it installs.

Options:
  --json     one JSON document on stdout
  --no-files leave the file list out (faster for large packages)

Example:
  repogen inspect public/apt/pool/main/h/hello/hello_1.2.0-0-g0000000-20261120100000-ab12…_amd64.deb
`;

function modeString(type: string, mode: number): string {
  const t = type === "dir" ? "d" : type === "symlink" ? "l" : "-";
  const bits = "rwxrwxrwx";
  let s = "";
  for (let i = 0; i < 9; i++) s += mode & (1 << (8 - i)) ? bits[i] : "-";
  return t + s;
}

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { "no-files": { type: "boolean" } });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const o = io(values);
  if (positionals.length !== 1) throw new UsageError("inspect takes exactly one FILE (see repogen inspect --help)");
  const file = positionals[0]!;
  const head = Buffer.alloc(8);
  // A regular file, opened without blocking: a FIFO named here would hang the command.
  const { fh } = await openRegular(file, { cap: LIMITS.file, limit: "file", what: "package file" });
  await fh.read(head, 0, 8, 0);
  await fh.close();
  const withFiles = values["no-files"] !== true;
  if (head.toString("latin1") === "!<arch>\n") {
    const info = await readDeb(file, { files: withFiles });
    if (o.json) {
      o.out(
        JSON.stringify({
          format: "deb",
          file,
          size: info.size,
          fields: Object.fromEntries(info.control),
          conffiles: info.conffiles,
          scripts: info.scripts,
          members: [info.controlMember, info.dataMember],
          files: info.files,
        }),
      );
    } else {
      let s = `${file} (.deb, ${info.size} bytes; ${info.controlMember}, ${info.dataMember})\n\n`;
      for (const [k, v] of info.control) s += `${k}: ${v}\n`;
      if (info.conffiles.length) s += `\nConffiles:\n${info.conffiles.map((c) => `  ${c}`).join("\n")}\n`;
      if (info.scripts.length) s += `\nScripts: ${info.scripts.join(", ")}\n`;
      if (info.files) {
        s += `\nFiles (${info.files.length}):\n`;
        for (const f of info.files)
          s += `  ${modeString(f.type, f.mode)} ${String(f.size).padStart(10)} ${f.path}${f.linkname ? ` -> ${f.linkname}` : ""}\n`;
      }
      o.out(s);
    }
    return 0;
  }
  const info = await readPkg(file);
  const m = info.manifest;
  if (o.json) {
    o.out(JSON.stringify({ format: "pkg", file, compression: info.compression, manifest: manifestObject(m, false), files: withFiles ? info.entries : undefined }));
    return 0;
  }
  let s = `${file} (FreeBSD .pkg, ${info.compression})\n\n`;
  for (const k of ["name", "version", "origin", "comment", "maintainer", "www", "abi", "arch", "prefix", "flatsize", "licenselogic"] as const) s += `${k}: ${String(m[k])}\n`;
  s += `licenses: ${m.licenses.join(", ")}\ncategories: ${m.categories.join(", ")}\n`;
  const deps = Object.entries(m.deps);
  if (deps.length) s += `deps: ${deps.map(([n, d]) => `${n} (${d.origin} ${d.version})`).join(", ")}\n`;
  s += `desc:\n${m.desc.split("\n").map((l) => `  ${l}`).join("\n")}\n`;
  if (m.config?.length) s += `\nConfig files:\n${m.config.map((c) => `  ${c}`).join("\n")}\n`;
  if (m.scripts) s += `\nScripts: ${Object.keys(m.scripts).join(", ")}\n`;
  if (withFiles) {
    s += `\nFiles (${info.entries.length}):\n`;
    for (const e of info.entries) s += `  ${modeString(e.type, e.mode)} ${String(e.size).padStart(10)} ${e.name}${e.linkname ? ` -> ${e.linkname}` : ""}\n`;
  }
  o.out(s);
  return 0;
}
