import {
  io,
  parse
} from "./chunk-UPYNSUOV.js";
import {
  readDeb
} from "./chunk-L7I5STNP.js";
import {
  manifestObject,
  readPkg
} from "./chunk-5EWEZ3TV.js";
import {
  LIMITS,
  openRegular
} from "./chunk-IACGGMK5.js";
import "./chunk-NH2BR72R.js";
import {
  UsageError
} from "./chunk-URTPPSHB.js";

// dist/commands/inspect.js
var HELP = `Usage: repogen inspect FILE [--json]

Print the metadata of a .deb or FreeBSD .pkg: its control fields or manifest, conffiles, maintainer
scripts and the list of files it installs.

Options:
  --json     one JSON document on stdout
  --no-files leave the file list out (faster for large packages)

Example:
  repogen inspect public/apt/pool/main/h/hello/hello_1.2.0-0-g0000000-20261120100000-ab12\u2026_amd64.deb
`;
function modeString(type, mode) {
  const t = type === "dir" ? "d" : type === "symlink" ? "l" : "-";
  const bits = "rwxrwxrwx";
  let s = "";
  for (let i = 0; i < 9; i++)
    s += mode & 1 << 8 - i ? bits[i] : "-";
  return t + s;
}
async function run(argv) {
  const { values, positionals } = parse(argv, { "no-files": { type: "boolean" } });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const o = io(values);
  if (positionals.length !== 1)
    throw new UsageError("inspect takes exactly one FILE (see repogen inspect --help)");
  const file = positionals[0];
  const head = Buffer.alloc(8);
  const { fh } = await openRegular(file, { cap: LIMITS.file, limit: "file", what: "package file" });
  await fh.read(head, 0, 8, 0);
  await fh.close();
  const withFiles = values["no-files"] !== true;
  if (head.toString("latin1") === "!<arch>\n") {
    const info2 = await readDeb(file, { files: withFiles });
    if (o.json) {
      o.out(JSON.stringify({
        format: "deb",
        file,
        size: info2.size,
        fields: Object.fromEntries(info2.control),
        conffiles: info2.conffiles,
        scripts: info2.scripts,
        members: [info2.controlMember, info2.dataMember],
        files: info2.files
      }));
    } else {
      let s2 = `${file} (.deb, ${info2.size} bytes; ${info2.controlMember}, ${info2.dataMember})

`;
      for (const [k, v] of info2.control)
        s2 += `${k}: ${v}
`;
      if (info2.conffiles.length)
        s2 += `
Conffiles:
${info2.conffiles.map((c) => `  ${c}`).join("\n")}
`;
      if (info2.scripts.length)
        s2 += `
Scripts: ${info2.scripts.join(", ")}
`;
      if (info2.files) {
        s2 += `
Files (${info2.files.length}):
`;
        for (const f of info2.files)
          s2 += `  ${modeString(f.type, f.mode)} ${String(f.size).padStart(10)} ${f.path}${f.linkname ? ` -> ${f.linkname}` : ""}
`;
      }
      o.out(s2);
    }
    return 0;
  }
  const info = await readPkg(file);
  const m = info.manifest;
  if (o.json) {
    o.out(JSON.stringify({ format: "pkg", file, compression: info.compression, manifest: manifestObject(m, false), files: withFiles ? info.entries : void 0 }));
    return 0;
  }
  let s = `${file} (FreeBSD .pkg, ${info.compression})

`;
  for (const k of ["name", "version", "origin", "comment", "maintainer", "www", "abi", "arch", "prefix", "flatsize", "licenselogic"])
    s += `${k}: ${String(m[k])}
`;
  s += `licenses: ${m.licenses.join(", ")}
categories: ${m.categories.join(", ")}
`;
  const deps = Object.entries(m.deps);
  if (deps.length)
    s += `deps: ${deps.map(([n, d]) => `${n} (${d.origin} ${d.version})`).join(", ")}
`;
  s += `desc:
${m.desc.split("\n").map((l) => `  ${l}`).join("\n")}
`;
  if (m.config?.length)
    s += `
Config files:
${m.config.map((c) => `  ${c}`).join("\n")}
`;
  if (m.scripts)
    s += `
Scripts: ${Object.keys(m.scripts).join(", ")}
`;
  if (withFiles) {
    s += `
Files (${info.entries.length}):
`;
    for (const e of info.entries)
      s += `  ${modeString(e.type, e.mode)} ${String(e.size).padStart(10)} ${e.name}${e.linkname ? ` -> ${e.linkname}` : ""}
`;
  }
  o.out(s);
  return 0;
}
export {
  HELP,
  run
};
