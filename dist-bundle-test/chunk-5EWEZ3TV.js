import {
  LIMITS,
  TarParser,
  collectStaged,
  compressor,
  contentPadding,
  decompressor,
  describeLimit,
  detectCompression,
  openRegular,
  padded,
  readScript,
  scriptSource,
  stagedChunks,
  tarHeader,
  tarTrailer
} from "./chunk-IACGGMK5.js";
import {
  writeCompressed,
  writeFileAtomic
} from "./chunk-NH2BR72R.js";
import {
  CorruptArchiveError,
  FormatError,
  LimitError,
  UsageError
} from "./chunk-URTPPSHB.js";

// dist/freebsd/pkg.js
import { createHash } from "node:crypto";
import path from "node:path";
import { Transform, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";

// dist/freebsd/ucl.js
function parseUcl(text, subject) {
  let i = 0;
  const err = (msg) => {
    const line = text.slice(0, i).split("\n").length;
    throw new FormatError(`UCL: ${msg} (line ${line})`, subject);
  };
  const ws = () => {
    for (; ; ) {
      while (i < text.length && /\s/.test(text[i]))
        i++;
      if (text[i] === "#") {
        while (i < text.length && text[i] !== "\n")
          i++;
        continue;
      }
      if (text.startsWith("//", i)) {
        while (i < text.length && text[i] !== "\n")
          i++;
        continue;
      }
      if (text.startsWith("/*", i)) {
        const e = text.indexOf("*/", i + 2);
        i = e < 0 ? text.length : e + 2;
        continue;
      }
      break;
    }
  };
  const seps = () => {
    for (; ; ) {
      ws();
      if (text[i] === "," || text[i] === ";")
        i++;
      else
        break;
    }
  };
  const quoted = () => {
    const q = text[i];
    i++;
    let s = "";
    while (i < text.length && text[i] !== q) {
      if (text[i] === "\\" && q === '"') {
        const c = text[i + 1];
        i += 2;
        if (c === "n")
          s += "\n";
        else if (c === "t")
          s += "	";
        else if (c === "r")
          s += "\r";
        else if (c === "b")
          s += "\b";
        else if (c === "f")
          s += "\f";
        else if (c === "u") {
          s += String.fromCharCode(parseInt(text.slice(i, i + 4), 16));
          i += 4;
        } else if (c !== void 0)
          s += c;
      } else
        s += text[i++];
    }
    if (text[i] !== q)
      err("unterminated string");
    i++;
    return s;
  };
  const key = () => {
    ws();
    if (text[i] === '"' || text[i] === "'")
      return quoted();
    const m = /^[A-Za-z0-9_\-./@+$]+/.exec(text.slice(i));
    if (!m)
      return err(`expected a key, found "${text[i] ?? "end of input"}"`);
    i += m[0].length;
    return m[0];
  };
  const value = () => {
    ws();
    const c = text[i];
    if (c === "{") {
      i++;
      return object("}");
    }
    if (c === "[") {
      i++;
      const arr = [];
      for (; ; ) {
        seps();
        if (text[i] === "]") {
          i++;
          return arr;
        }
        if (i >= text.length)
          err("unterminated array");
        arr.push(value());
      }
    }
    if (c === '"' || c === "'")
      return quoted();
    if (text.startsWith("<<", i)) {
      const m2 = /^<<([A-Z0-9_]+)\n/.exec(text.slice(i));
      if (!m2)
        err("bad heredoc");
      i += m2[0].length;
      const end = text.indexOf(`
${m2[1]}`, i - 1);
      if (end < 0)
        err("unterminated heredoc");
      const s = text.slice(i, end);
      i = end + 1 + m2[1].length;
      return s;
    }
    const m = /^[^\s,;\]}#]+/.exec(text.slice(i));
    if (!m)
      return err("expected a value");
    i += m[0].length;
    const w = m[0];
    if (/^-?\d+$/.test(w))
      return Number(w);
    if (/^-?\d+\.\d+$/.test(w))
      return Number(w);
    if (/^(true|yes|on)$/i.test(w))
      return true;
    if (/^(false|no|off)$/i.test(w))
      return false;
    if (w === "null")
      return null;
    return w;
  };
  const object = (close) => {
    const o = /* @__PURE__ */ Object.create(null);
    for (; ; ) {
      seps();
      if (close && text[i] === close) {
        i++;
        return o;
      }
      if (i >= text.length) {
        if (close)
          err("unterminated object");
        return o;
      }
      const k = key();
      ws();
      if (text[i] === ":" || text[i] === "=")
        i++;
      if (Object.prototype.hasOwnProperty.call(o, k))
        err(`key "${k.slice(0, 100)}" appears twice`);
      o[k] = value();
    }
  };
  ws();
  if (text[i] === "{") {
    i++;
    const o = object("}");
    ws();
    if (i < text.length)
      err("text after the closing brace");
    return o;
  }
  return object(null);
}

// dist/freebsd/version.js
var LLONG_MAX = (1n << 63n) - 1n;
var ULONG_MAX = (1n << 64n) - 1n;
function leadingUnsigned(s) {
  const m = /^\s*\+?(\d+)/.exec(s);
  if (!m)
    return 0n;
  const v = BigInt(m[1]);
  return v > ULONG_MAX ? ULONG_MAX : v;
}
function split(v) {
  const dash = v.lastIndexOf("-");
  const s = dash >= 0 ? v.slice(dash + 1) : v;
  const us = s.lastIndexOf("_");
  const revision = us >= 0 ? leadingUnsigned(s.slice(us + 1)) : 0n;
  const afterRev = us >= 0 ? s.slice(us + 1) : s;
  const comma = afterRev.lastIndexOf(",");
  const epoch = comma >= 0 ? leadingUnsigned(afterRev.slice(comma + 1)) : 0n;
  let end = s.length;
  if (us >= 0)
    end = us;
  else if (comma >= 0)
    end = comma;
  return { body: s.slice(0, end), epoch, revision };
}
var STAGES = [
  ["pl", 0],
  ["alpha", 1],
  ["beta", 2],
  ["pre", 16],
  ["rc", 18]
];
var isDigit = (c) => c !== void 0 && c >= "0" && c <= "9";
var isAlpha = (c) => c !== void 0 && /^[A-Za-z]$/.test(c);
function number(s, i) {
  let j = i;
  while (isDigit(s[j]))
    j++;
  const v = BigInt(s.slice(i, j));
  return [v > LLONG_MAX ? LLONG_MAX : v, j];
}
function component(s, i) {
  const c = { n: 0n, a: 0, pl: 0n };
  let hasStage = false;
  let hasPatch = false;
  if (isDigit(s[i])) {
    [c.n, i] = number(s, i);
  } else if (s[i] === "*") {
    c.n = -2n;
    do
      i++;
    while (i < s.length && s[i] !== "+");
  } else {
    c.n = -1n;
    hasStage = true;
  }
  if (isAlpha(s[i])) {
    let letter = s[i].toLowerCase();
    hasPatch = true;
    if (isAlpha(s[i + 1])) {
      for (const [name, value] of STAGES) {
        if (s.slice(i, i + name.length).toLowerCase() === name && !isAlpha(s[i + name.length])) {
          if (hasStage) {
            c.a = value;
            i += name.length;
          } else {
            c.a = 0;
            hasPatch = false;
          }
          letter = "";
          break;
        }
      }
    }
    if (letter) {
      c.a = letter.charCodeAt(0) - 96;
      do
        i++;
      while (isAlpha(s[i]));
    }
  } else {
    c.a = 0;
    hasPatch = false;
  }
  if (hasPatch) {
    if (isDigit(s[i]))
      [c.pl, i] = number(s, i);
    else
      c.pl = -1n;
  } else
    c.pl = 0n;
  while (i < s.length && !isDigit(s[i]) && !isAlpha(s[i]) && s[i] !== "+" && s[i] !== "*")
    i++;
  return [c, i];
}
function compareFreebsdVersions(x, y) {
  const a = split(x);
  const b = split(y);
  let r = 0;
  if (a.epoch !== b.epoch)
    r = a.epoch < b.epoch ? -1 : 1;
  if (r === 0 && a.body.toLowerCase() !== b.body.toLowerCase()) {
    let i = 0;
    let j = 0;
    const s = a.body;
    const t = b.body;
    while (r === 0 && (i < s.length || j < t.length)) {
      let blockA = false;
      let blockB = false;
      let ca = { n: 0n, a: 0, pl: 0n };
      let cb = { n: 0n, a: 0, pl: 0n };
      if (i < s.length && s[i] !== "+")
        [ca, i] = component(s, i);
      else
        blockA = true;
      if (j < t.length && t[j] !== "+")
        [cb, j] = component(t, j);
      else
        blockB = true;
      if (blockA && blockB) {
        if (i < s.length)
          i++;
        if (j < t.length)
          j++;
      } else if (ca.n !== cb.n)
        r = ca.n < cb.n ? -1 : 1;
      else if (ca.a !== cb.a)
        r = ca.a < cb.a ? -1 : 1;
      else if (ca.pl !== cb.pl)
        r = ca.pl < cb.pl ? -1 : 1;
    }
  }
  if (r === 0 && a.revision !== b.revision)
    r = a.revision < b.revision ? -1 : 1;
  return r;
}
function checkFreebsdVersion(v, subject) {
  if (!/^[A-Za-z0-9._+,~]{1,256}$/.test(v))
    throw new FormatError(`bad FreeBSD version "${v.slice(0, 100)}" (only letters, digits and . _ , + ~; at most 256 characters)`, subject);
  return v;
}

// dist/freebsd/manifest.js
var COMPACT_DROP = ["files", "config", "directories", "scripts", "lua_scripts"];
function urlEncode(s) {
  let out = "";
  for (const b of Buffer.from(s, "utf8")) {
    if (b === 37 || b >= 128)
      out += "%" + b.toString(16).padStart(2, "0");
    else
      out += String.fromCharCode(b);
  }
  return out;
}
function urlDecode(s) {
  if (!s.includes("%"))
    return s;
  const bytes = [];
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (s[i] === "%" && /^[0-9A-Fa-f]{2}$/.test(s.slice(i + 1, i + 3))) {
      bytes.push(parseInt(s.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (c < 128)
      bytes.push(c);
    else
      for (const b of Buffer.from(s[i], "utf8"))
        bytes.push(b);
  }
  return Buffer.from(bytes).toString("utf8");
}
function legacyArch(abi) {
  const m = /^FreeBSD:(\d+):(.+)$/.exec(abi);
  if (!m)
    throw new FormatError(`bad ABI "${abi}"`);
  const map = {
    amd64: "x86:64",
    i386: "x86:32",
    aarch64: "aarch64:64",
    arm64: "aarch64:64",
    armv6: "armv6:32:el:eabi:hardfp",
    armv7: "armv7:32:el:eabi:hardfp",
    powerpc: "powerpc:32:eb",
    powerpc64: "powerpc:64:eb",
    powerpc64le: "powerpc:64:el",
    riscv64: "riscv:64:hf",
    "*": "*"
  };
  return `freebsd:${m[1]}:${map[m[2]] ?? m[2]}`;
}
function req(o, k, subject) {
  const v = o[k];
  if (typeof v !== "string")
    throw new FormatError(`manifest key "${k}" must be a string${v === void 0 ? " and is missing" : `, not ${typeof v}`}`, subject);
  return v;
}
function strList(o, k, subject) {
  const v = o[k];
  if (v === void 0)
    return [];
  if (!Array.isArray(v) || v.some((x) => typeof x !== "string"))
    throw new FormatError(`manifest key "${k}" must be a list of strings`, subject);
  return v;
}
function strMap(o, k, subject) {
  const v = o[k];
  if (v === void 0)
    return void 0;
  if (typeof v !== "object" || v === null || Array.isArray(v))
    throw new FormatError(`manifest key "${k}" must be an object`, subject);
  const out = {};
  for (const [a, b] of Object.entries(v)) {
    if (typeof b !== "string")
      throw new FormatError(`manifest key "${k}.${a}" must be a string`, subject);
    out[a] = b;
  }
  return out;
}
var KNOWN = /* @__PURE__ */ new Set([
  "name",
  "origin",
  "version",
  "comment",
  "maintainer",
  "www",
  "abi",
  "arch",
  "prefix",
  "flatsize",
  "licenselogic",
  "licenses",
  "desc",
  "deps",
  "categories",
  "options",
  "annotations",
  "messages",
  "files",
  "directories",
  "config",
  "scripts"
]);
function manifestFrom(o, encoded, subject) {
  const dec = (s) => encoded ? urlDecode(s) : s;
  const flatsize = o.flatsize ?? 0;
  if (typeof flatsize !== "number" || !Number.isInteger(flatsize) || flatsize < 0)
    throw new FormatError(`manifest key "flatsize" must be a whole number, not ${JSON.stringify(flatsize)}`, subject);
  const version = checkFreebsdVersion(req(o, "version", subject), subject);
  const name = req(o, "name", subject);
  if (!/^[A-Za-z0-9_+.][A-Za-z0-9_+.-]*$/.test(name))
    throw new FormatError(`bad package name "${name}"`, subject);
  const deps = {};
  if (o.deps !== void 0) {
    if (typeof o.deps !== "object" || o.deps === null || Array.isArray(o.deps))
      throw new FormatError(`manifest key "deps" must be an object`, subject);
    for (const [dn, dv] of Object.entries(o.deps)) {
      if (typeof dv !== "object" || dv === null || Array.isArray(dv))
        throw new FormatError(`manifest dep "${dn}" must be an object`, subject);
      deps[dn] = { origin: req(dv, "origin", subject), version: req(dv, "version", subject) };
    }
  }
  let files;
  if (o.files !== void 0) {
    if (typeof o.files !== "object" || o.files === null || Array.isArray(o.files))
      throw new FormatError(`manifest key "files" must be an object`, subject);
    files = {};
    for (const [p, v] of Object.entries(o.files)) {
      const fv = typeof v === "object" && v !== null && !Array.isArray(v) ? v : { sum: typeof v === "string" ? v : "" };
      const mf = {
        sum: typeof fv.sum === "string" ? fv.sum : "",
        uname: typeof fv.uname === "string" ? fv.uname : "root",
        gname: typeof fv.gname === "string" ? fv.gname : "wheel",
        perm: typeof fv.perm === "string" ? fv.perm : typeof fv.perm === "number" ? String(fv.perm) : ""
      };
      if (typeof fv.symlink_target === "string")
        mf.symlink_target = dec(fv.symlink_target);
      if (typeof fv.mtime === "number")
        mf.mtime = fv.mtime;
      files[dec(p)] = mf;
    }
  }
  let directories;
  if (o.directories !== void 0) {
    if (typeof o.directories !== "object" || o.directories === null || Array.isArray(o.directories))
      throw new FormatError(`manifest key "directories" must be an object`, subject);
    directories = {};
    for (const [p, v] of Object.entries(o.directories))
      directories[dec(p)] = v;
  }
  let scripts = strMap(o, "scripts", subject);
  if (scripts)
    scripts = Object.fromEntries(Object.entries(scripts).map(([k, v]) => [k, dec(v)]));
  const abi = typeof o.abi === "string" ? o.abi : void 0;
  const arch = typeof o.arch === "string" ? o.arch : void 0;
  if (!abi && !arch)
    throw new FormatError(`manifest has neither "abi" nor "arch"`, subject);
  const extra = {};
  for (const [k, v] of Object.entries(o))
    if (!KNOWN.has(k))
      extra[k] = v;
  const m = {
    name,
    origin: req(o, "origin", subject),
    version,
    comment: req(o, "comment", subject),
    maintainer: req(o, "maintainer", subject),
    www: typeof o.www === "string" ? o.www : "",
    abi: abi ?? "",
    arch: arch ?? legacyArch(abi),
    prefix: typeof o.prefix === "string" ? o.prefix : "/usr/local",
    flatsize,
    licenselogic: typeof o.licenselogic === "string" ? o.licenselogic : "single",
    licenses: strList(o, "licenses", subject),
    desc: dec(req(o, "desc", subject)),
    deps,
    categories: strList(o, "categories", subject)
  };
  if (!m.abi)
    m.abi = m.arch;
  const options = strMap(o, "options", subject);
  if (options)
    m.options = options;
  const annotations = strMap(o, "annotations", subject);
  if (annotations)
    m.annotations = annotations;
  if (o.messages !== void 0)
    m.messages = o.messages;
  if (files)
    m.files = files;
  if (directories)
    m.directories = directories;
  if (o.config !== void 0)
    m.config = strList(o, "config", subject).map(dec);
  if (scripts)
    m.scripts = scripts;
  if (Object.keys(extra).length)
    m.extra = extra;
  return m;
}
function parseManifest(text, encoded, subject) {
  return manifestFrom(parseUcl(text, subject), encoded, subject);
}
function manifestObject(m, compact) {
  const o = {
    name: m.name,
    origin: m.origin,
    version: m.version,
    comment: m.comment,
    maintainer: m.maintainer,
    www: m.www,
    abi: m.abi,
    arch: m.arch,
    prefix: m.prefix,
    flatsize: m.flatsize,
    licenselogic: m.licenselogic,
    licenses: m.licenses,
    desc: urlEncode(m.desc),
    deps: m.deps,
    categories: m.categories
  };
  if (m.options)
    o.options = m.options;
  if (m.annotations)
    o.annotations = m.annotations;
  if (m.extra) {
    for (const [k, v] of Object.entries(m.extra))
      if (!COMPACT_DROP.includes(k) || !compact)
        o[k] = v;
  }
  if (!compact) {
    if (m.files)
      o.files = Object.fromEntries(Object.entries(m.files).map(([p, f]) => [urlEncode(p), f.symlink_target !== void 0 ? { ...f, symlink_target: f.symlink_target } : f]));
    if (m.directories)
      o.directories = Object.fromEntries(Object.entries(m.directories).map(([p, v]) => [urlEncode(p), v]));
    if (m.config)
      o.config = m.config.map(urlEncode);
    if (m.scripts)
      o.scripts = Object.fromEntries(Object.entries(m.scripts).map(([k, v]) => [k, urlEncode(v)]));
  }
  if (m.messages)
    o.messages = m.messages;
  return o;
}
function manifestJson(m, compact) {
  return JSON.stringify(manifestObject(m, compact));
}

// dist/freebsd/pkg.js
var REGULAR = { cap: LIMITS.file, limit: "file", what: "package file" };
async function headOf(fh) {
  const b = Buffer.alloc(8);
  const { bytesRead } = await fh.read(b, 0, 8, 0);
  return b.subarray(0, bytesRead);
}
function checkMemberName(name, subject) {
  if (name.startsWith("+"))
    return;
  if (!name.startsWith("/"))
    throw new CorruptArchiveError(`member "${name}" is not an absolute path`, subject);
  if (name.split("/").includes(".."))
    throw new CorruptArchiveError(`member "${name}" contains ".."`, subject);
}
var PKG_TYPES = /* @__PURE__ */ new Set(["file", "dir", "symlink", "hardlink"]);
async function readPkg(file) {
  const { fh } = await openRegular(file, REGULAR);
  try {
    return await readPkgFrom(fh, file);
  } finally {
    await fh.close();
  }
}
async function readPkgFrom(fh, file) {
  const compression = detectCompression(await headOf(fh));
  const entries = [];
  const meta = {};
  let order = 0;
  let names = 0;
  const parser = new TarParser((e) => {
    if (e.name === "+COMPACT_MANIFEST" || e.name === "+MANIFEST") {
      if (order > 1)
        throw new CorruptArchiveError(`${e.name} is not among the first two members`, file);
      if (meta[e.name])
        throw new CorruptArchiveError(`${e.name} appears twice`, file);
      if (e.flag !== "0" && e.flag !== "\0")
        throw new CorruptArchiveError(`${e.name} is not a regular file (tar type ${JSON.stringify(e.flag)})`, file);
      if (e.size > LIMITS.manifest)
        throw new LimitError("manifest", `${e.name} is larger than ${describeLimit(LIMITS.manifest)}`, file);
      meta[e.name] = [];
    } else {
      checkMemberName(e.name, file);
      if (!PKG_TYPES.has(e.type))
        throw new CorruptArchiveError(`member "${e.name.slice(0, 200)}" has tar type ${JSON.stringify(e.flag)}, which pkg does not write`, file);
      names += e.name.length + 1;
      if (names > LIMITS.fileList)
        throw new LimitError("fileList", `the package's file names add up to more than ${describeLimit(LIMITS.fileList)}`, file);
      entries.push({ name: e.name.replace(/\/$/, ""), type: e.type, mode: e.mode, size: e.size, linkname: e.linkname, uname: e.uname, gname: e.gname });
    }
    order++;
  }, (e, chunk) => {
    if (meta[e.name])
      meta[e.name].push(Buffer.from(chunk));
  });
  try {
    await pipeline(fh.createReadStream({ start: 0, highWaterMark: 1 << 20, autoClose: false }), decompressor(compression), new Writable({
      write(chunk, _e, cb) {
        try {
          parser.write(chunk);
          cb();
        } catch (err) {
          cb(err);
        }
      }
    }));
    parser.end();
  } catch (e) {
    if (e instanceof LimitError)
      throw new LimitError(e.limit, e.detail, file);
    if (e instanceof CorruptArchiveError)
      throw new CorruptArchiveError(e.message, file);
    throw new CorruptArchiveError(`not a readable .pkg: ${e.message}`, file);
  }
  const full = meta["+MANIFEST"] ? Buffer.concat(meta["+MANIFEST"]).toString("utf8") : void 0;
  const compact = meta["+COMPACT_MANIFEST"] ? Buffer.concat(meta["+COMPACT_MANIFEST"]).toString("utf8") : void 0;
  if (!full && !compact)
    throw new CorruptArchiveError("not a .pkg: no +MANIFEST", file);
  const manifest = parseManifest(full ?? compact, true, file);
  const listed = new Set(Object.keys(manifest.files ?? {}));
  for (const e of entries) {
    if ((e.type === "file" || e.type === "symlink") && !listed.has(e.name))
      throw new CorruptArchiveError(`member "${e.name}" is not listed in the manifest`, file);
  }
  return { file, compression, manifest, compactText: compact ?? "", manifestText: full ?? "", entries };
}
var SCRIPT_KEYS = {
  preinstall: "pre-install",
  postinstall: "post-install",
  preremove: "pre-deinstall",
  postremove: "post-deinstall"
};
function sha256(b) {
  return createHash("sha256").update(b).digest("hex");
}
async function sha256Staged(file, subject) {
  const h = createHash("sha256");
  for await (const c of stagedChunks(file, subject))
    h.update(c);
  return h.digest("hex");
}
function parseFreebsdDep(d, subject) {
  const m = /^(?:([A-Za-z0-9_.+-]+)\/)?([A-Za-z0-9_.+-]+?)(?:\s*(?:>=|=)\s*([^\s<>=]+))?$/.exec(d.trim());
  if (!m)
    throw new UsageError(`dependency "${d}" is not "name", "name>=VERSION" or "category/name>=VERSION"`, subject);
  const name = m[2];
  return [name, { origin: `${m[1] ?? "local"}/${name}`, version: m[3] ?? "0" }];
}
async function buildPkg(spec, root, o) {
  const subject = root;
  const version = checkFreebsdVersion(o.version ?? spec.version, subject);
  if (!/^FreeBSD:\d+:[A-Za-z0-9_*]+$/.test(o.abi))
    throw new UsageError(`bad ABI "${o.abi}"`);
  const staged = await collectStaged(spec, root);
  const files = {};
  const directories = {};
  let flatsize = 0;
  const sorted = [...staged].sort((a, b) => Buffer.compare(Buffer.from(a.path), Buffer.from(b.path)));
  for (const e of sorted) {
    if (e.type === "file") {
      files[e.path] = { sum: `1$${await sha256Staged(e.source, subject)}`, uname: "root", gname: "wheel", perm: e.mode.toString(8).padStart(4, "0") };
      flatsize += e.size;
    } else if (e.type === "symlink") {
      files[e.path] = { sum: `1$${sha256(e.target)}`, uname: "root", gname: "wheel", perm: "0777", symlink_target: e.target };
      flatsize += Buffer.byteLength(e.target);
    } else
      directories[e.path] = { uname: "root", gname: "wheel", perm: e.mode.toString(8).padStart(4, "0") };
  }
  const scripts = {};
  for (const [k, rel] of Object.entries(spec.scripts))
    scripts[SCRIPT_KEYS[k]] = (await readScript(await scriptSource(root, rel), subject)).toString("utf8");
  const desc = spec.description.trim() ? spec.description.replace(/^\n+/, "").replace(/\s+$/, "") : spec.summary;
  const manifest = {
    name: spec.name,
    origin: spec.freebsd.origin ?? `local/${spec.name}`,
    version,
    comment: spec.summary,
    maintainer: spec.maintainer,
    www: spec.homepage ?? "",
    abi: o.abi,
    arch: legacyArch(o.abi),
    prefix: "/usr/local",
    flatsize,
    licenselogic: "single",
    licenses: spec.license ? [spec.license] : [],
    desc,
    deps: Object.fromEntries(spec.depends.map((d) => parseFreebsdDep(d, subject))),
    categories: spec.freebsd.categories ?? [spec.section ?? "misc"],
    files
  };
  if (Object.keys(directories).length)
    manifest.directories = directories;
  const config = sorted.filter((e) => e.type === "file" && e.config).map((e) => e.path);
  if (config.length)
    manifest.config = config;
  if (Object.keys(scripts).length)
    manifest.scripts = scripts;
  const compact = Buffer.from(manifestJson(manifest, true));
  const full = Buffer.from(manifestJson(manifest, false));
  const mtime = o.mtime;
  async function* body() {
    let n = 0;
    for (const [name, data] of [
      ["+COMPACT_MANIFEST", compact],
      ["+MANIFEST", full]
    ]) {
      const h = tarHeader({ name, type: "file", mode: 420, size: data.length, mtime, uname: "root", gname: "wheel" });
      yield h;
      yield data;
      yield contentPadding(data.length);
      n += h.length + padded(data.length);
    }
    for (const e of sorted) {
      if (e.type === "dir")
        continue;
      const h = tarHeader(e.type === "file" ? { name: e.path, type: "file", mode: e.mode, size: e.size, mtime, uname: "root", gname: "wheel" } : { name: e.path, type: "symlink", mode: 511, size: 0, mtime, linkname: e.target, uname: "root", gname: "wheel" });
      yield h;
      n += h.length;
      if (e.type === "file") {
        let got = 0;
        for await (const c of stagedChunks(e.source, subject)) {
          got += c.length;
          if (got > e.size)
            break;
          yield c;
        }
        if (got !== e.size)
          throw new UsageError(`file changed size while being packaged: ${e.source}`, subject);
        yield contentPadding(e.size);
        n += padded(e.size);
      }
    }
    for (const e of sorted) {
      if (e.type !== "dir")
        continue;
      const h = tarHeader({ name: `${e.path}/`, type: "dir", mode: e.mode, size: 0, mtime, uname: "root", gname: "wheel" });
      yield h;
      n += h.length;
    }
    yield tarTrailer(n);
  }
  const out = path.join(o.outDir, `${manifest.name}-${version}.pkg`);
  const tmp = `${out}.tmp-${process.pid}`;
  await writeCompressed(body(), compressor(o.compression ?? "zst"), tmp);
  const { rename } = await import("node:fs/promises");
  await rename(tmp, out);
  return { file: out, name: manifest.name, version, manifest };
}
async function rewritePkgVersion(file, version, out, compression, read) {
  checkFreebsdVersion(version, file);
  const info = read ?? await readPkg(file);
  const newManifest = { ...info.manifest, version };
  const replaced = {
    "+COMPACT_MANIFEST": Buffer.from(manifestJson(newManifest, true)),
    "+MANIFEST": Buffer.from(manifestJson(newManifest, false))
  };
  let total = 0;
  let pending = null;
  const finish = (t) => {
    if (pending && !pending.skip && pending.entry.type === "file") {
      t.push(contentPadding(pending.entry.size));
      total += padded(pending.entry.size);
    }
    pending = null;
  };
  const rewriter = new Transform({
    transform(chunk, _e, cb) {
      try {
        parser.write(chunk);
        cb();
      } catch (err) {
        cb(err);
      }
    },
    flush(cb) {
      try {
        parser.end();
        finish(this);
        this.push(tarTrailer(total));
        cb();
      } catch (err) {
        cb(err);
      }
    }
  });
  const parser = new TarParser((e) => {
    finish(rewriter);
    const data = replaced[e.name];
    if (data) {
      const h2 = tarHeader({ ...e, size: data.length });
      rewriter.push(h2);
      rewriter.push(data);
      rewriter.push(contentPadding(data.length));
      total += h2.length + padded(data.length);
      pending = { entry: e, skip: true };
      return;
    }
    const h = tarHeader(e);
    rewriter.push(h);
    total += h.length;
    pending = { entry: e, skip: false };
  }, (_e, chunk) => {
    if (pending && !pending.skip)
      rewriter.push(Buffer.from(chunk));
  });
  const hash = createHash("sha256");
  let size = 0;
  const tee = new Transform({
    transform(chunk, _e, cb) {
      hash.update(chunk);
      size += chunk.length;
      cb(null, chunk);
    }
  });
  const outCompression = compression ?? info.compression;
  const { fh } = await openRegular(file, REGULAR);
  try {
    await writeFileAtomic(out, async (ws) => {
      await pipeline(fh.createReadStream({ start: 0, highWaterMark: 1 << 20, autoClose: false }), decompressor(info.compression), rewriter, compressor(outCompression), tee, ws, { end: false });
    });
  } finally {
    await fh.close();
  }
  const compactText = replaced["+COMPACT_MANIFEST"].toString("utf8");
  const manifestText = replaced["+MANIFEST"].toString("utf8");
  return { info: { ...info, file: out, compression: outCompression, manifest: newManifest, compactText, manifestText }, size, sha256: hash.digest("hex") };
}

export {
  compareFreebsdVersions,
  urlDecode,
  manifestObject,
  checkMemberName,
  readPkg,
  parseFreebsdDep,
  buildPkg,
  rewritePkgVersion
};
