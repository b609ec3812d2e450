import {
  LIMITS,
  TarParser,
  collectStaged,
  compressBuffer,
  compressionFromName,
  compressor,
  contentPadding,
  decodeXzInMemory,
  decompressBuffer,
  decompressor,
  describeLimit,
  extensionOf,
  openRegular,
  openRegularSync,
  padded,
  readScript,
  readTarBuffer,
  scriptSource,
  stagedChunks,
  tarBuffer,
  tarHeader,
  tarTrailer
} from "./chunk-IACGGMK5.js";
import {
  copyRange,
  writeCompressed,
  writeFileAtomic
} from "./chunk-NH2BR72R.js";
import {
  CorruptArchiveError,
  FormatError,
  LimitError,
  UnsafePathError,
  UsageError
} from "./chunk-URTPPSHB.js";

// dist/debian/deb.js
import { createHash } from "node:crypto";
import { closeSync, readSync, renameSync, writeFileSync } from "node:fs";
import { mkdtemp, rm, stat } from "node:fs/promises";
import os from "node:os";
import { Readable, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import path from "node:path";
import zlib from "node:zlib";

// dist/archive/ar.js
var AR_MAGIC = Buffer.from("!<arch>\n", "latin1");
function field(value, width) {
  if (value.length > width)
    throw new RangeError(`ar field "${value}" longer than ${width}`);
  return value.padEnd(width, " ");
}
function arHeader(name, size, mtime) {
  if (!/^[\x21-\x7e]{1,15}$/.test(name) || name.includes("/"))
    throw new RangeError(`bad ar member name ${name}`);
  const s = field(name, 16) + field(String(Math.floor(mtime)), 12) + field("0", 6) + field("0", 6) + field("100644", 8) + field(String(size), 10) + "`\n";
  return Buffer.from(s, "latin1");
}
function arPadding(size) {
  return size % 2 === 1 ? Buffer.from("\n") : Buffer.alloc(0);
}
function parseHeader(h, at, fileSize, subject) {
  if (h[58] !== 96 || h[59] !== 10)
    throw new CorruptArchiveError(`bad ar member header at byte ${at}`, subject);
  let name = h.toString("latin1", 0, 16).trimEnd();
  if (name.startsWith("#1/") || name === "//")
    throw new CorruptArchiveError(`unsupported ar long-name member "${name}"`, subject);
  if (name.endsWith("/") && name !== "/")
    name = name.slice(0, -1);
  const sizeStr = h.toString("latin1", 48, 58).trim();
  if (!/^\d+$/.test(sizeStr))
    throw new CorruptArchiveError(`bad size in ar member "${name}"`, subject);
  const size = Number(sizeStr);
  if (!Number.isSafeInteger(size))
    throw new CorruptArchiveError(`bad size in ar member "${name}"`, subject);
  const mtimeStr = h.toString("latin1", 16, 28).trim();
  for (const [what, v, re] of [
    ["mtime", mtimeStr, /^\d{0,12}$/],
    ["uid", h.toString("latin1", 28, 34).trim(), /^\d{0,6}$/],
    ["gid", h.toString("latin1", 34, 40).trim(), /^\d{0,6}$/],
    ["mode", h.toString("latin1", 40, 48).trim(), /^[0-7]{0,8}$/]
  ])
    if (!re.test(v))
      throw new CorruptArchiveError(`bad ${what} in ar member "${name}"`, subject);
  const mtime = Number(mtimeStr || "0");
  const offset = at + 60;
  if (offset + size > fileSize)
    throw new CorruptArchiveError(`ar member "${name}" is truncated (needs ${size} bytes, file ends first)`, subject);
  return { name, offset, size, mtime };
}
function readAtHandle(fh) {
  return async (position, length) => {
    const b = Buffer.alloc(length);
    const { bytesRead } = await fh.read(b, 0, length, position);
    return b.subarray(0, bytesRead);
  };
}
function readAtBuffer(buf) {
  return async (position, length) => buf.subarray(position, position + length);
}
async function listArAt(read, fileSize, subject) {
  const magic = await read(0, 8);
  if (magic.length < 8 || !magic.equals(AR_MAGIC))
    throw new CorruptArchiveError("not an ar archive (bad magic)", subject);
  const out = [];
  let at = 8;
  while (at < fileSize) {
    const h = await read(at, 60);
    if (h.length === 0)
      break;
    if (h.length < 60)
      throw new CorruptArchiveError(`ar header truncated at byte ${at}`, subject);
    const m = parseHeader(h, at, fileSize, subject);
    out.push(m);
    at = m.offset + m.size + m.size % 2;
  }
  return out;
}
async function readMember(read, m) {
  const b = await read(m.offset, m.size);
  if (b.length !== m.size)
    throw new CorruptArchiveError(`ar member "${m.name}" is truncated`);
  return b;
}

// dist/util/chars.js
var FORBIDDEN_CHAR = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]/;
function forbiddenChar(s) {
  const m = FORBIDDEN_CHAR.exec(s);
  return m ? "U+" + m[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, "0") : void 0;
}

// dist/debian/names.js
var PACKAGE_NAME = /^[a-z0-9][a-z0-9+.-]+$/;
function checkPackageName(name, subject) {
  if (!PACKAGE_NAME.test(name))
    throw new FormatError(`bad package name ${JSON.stringify(name)} (allowed: [a-z0-9][a-z0-9+.-]+, at least two characters)`, subject);
  return name;
}

// dist/debian/version.js
function parseDebVersion(v, subject) {
  const m = /^(?:(\d+):)?(.+?)(?:-([A-Za-z0-9+.~]+))?$/.exec(v);
  if (!m || /\s/.test(v))
    throw new FormatError(`bad Debian version "${v}"`, subject);
  const upstream = m[2];
  const revision = m[3] ?? "";
  if (!/^[0-9]/.test(upstream))
    throw new FormatError(`bad Debian version "${v}": the upstream part must start with a digit`, subject);
  const allowed = revision ? /^[A-Za-z0-9.+~-]+$/ : /^[A-Za-z0-9.+~]+$/;
  if (!allowed.test(upstream))
    throw new FormatError(`bad Debian version "${v}": invalid character in upstream part`, subject);
  if (m[1] !== void 0 && m[1].length > 9)
    throw new FormatError(`bad Debian version "${v}": epoch too large`, subject);
  return { epoch: m[1] ? Number(m[1]) : 0, upstream, revision };
}
function order(c) {
  if (c >= 48 && c <= 57)
    return 0;
  if (c >= 65 && c <= 90 || c >= 97 && c <= 122)
    return c;
  if (c === 126)
    return -1;
  if (c)
    return c + 256;
  return 0;
}
function isDigit(c) {
  return c >= 48 && c <= 57;
}
function verrevcmp(a, b) {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    let firstDiff = 0;
    while (i < a.length && !isDigit(a.charCodeAt(i)) || j < b.length && !isDigit(b.charCodeAt(j))) {
      const ac = order(i < a.length ? a.charCodeAt(i) : 0);
      const bc = order(j < b.length ? b.charCodeAt(j) : 0);
      if (ac !== bc)
        return ac - bc;
      i++;
      j++;
    }
    while (a.charCodeAt(i) === 48)
      i++;
    while (b.charCodeAt(j) === 48)
      j++;
    while (i < a.length && isDigit(a.charCodeAt(i)) && j < b.length && isDigit(b.charCodeAt(j))) {
      if (!firstDiff)
        firstDiff = a.charCodeAt(i) - b.charCodeAt(j);
      i++;
      j++;
    }
    if (i < a.length && isDigit(a.charCodeAt(i)))
      return 1;
    if (j < b.length && isDigit(b.charCodeAt(j)))
      return -1;
    if (firstDiff)
      return firstDiff;
  }
  return 0;
}
function compareDebVersions(a, b) {
  const x = parseDebVersion(a);
  const y = parseDebVersion(b);
  if (x.epoch !== y.epoch)
    return x.epoch > y.epoch ? 1 : -1;
  const u = verrevcmp(x.upstream, y.upstream);
  if (u)
    return u;
  return verrevcmp(x.revision, y.revision);
}
function versionForFilename(v) {
  return v.replace(/^\d+:/, "");
}

// dist/debian/relations.js
var RELATION_FIELDS = [
  "Pre-Depends",
  "Depends",
  "Recommends",
  "Suggests",
  "Enhances",
  "Breaks",
  "Conflicts",
  "Replaces",
  "Provides",
  "Built-Using",
  "Static-Built-Using"
];
var RULES = {
  "Pre-Depends": { alternatives: true, archQualifier: true, exactVersion: "any" },
  Depends: { alternatives: true, archQualifier: true, exactVersion: "any" },
  Recommends: { alternatives: true, archQualifier: true, exactVersion: "any" },
  Suggests: { alternatives: true, archQualifier: true, exactVersion: "any" },
  Enhances: { alternatives: true, archQualifier: true, exactVersion: "any" },
  // dpkg: "alternatives ('|') not allowed" in these four.
  Breaks: { alternatives: false, archQualifier: true, exactVersion: "any" },
  Conflicts: { alternatives: false, archQualifier: true, exactVersion: "any" },
  Replaces: { alternatives: false, archQualifier: true, exactVersion: "any" },
  // dpkg warns on anything but "=", apt ignores such a Provides with a warning, and apt skips an
  // arch-qualified one: refused, so neither tool has anything to say.
  Provides: { alternatives: false, archQualifier: false, exactVersion: "only" },
  // Source packages at exact versions (Debian policy 7.8); dpkg 1.21 does not parse these at all.
  "Built-Using": { alternatives: false, archQualifier: false, exactVersion: "required" },
  "Static-Built-Using": { alternatives: false, archQualifier: false, exactVersion: "required" }
};
var FIELD_BY_LOWER = new Map(RELATION_FIELDS.map((f) => [f.toLowerCase(), f]));
function relationField(name) {
  return FIELD_BY_LOWER.get(name.toLowerCase());
}
var ARCH = /^[a-z0-9][a-z0-9-]*$/;
var Cursor = class {
  s;
  i = 0;
  constructor(s) {
    this.s = s;
  }
  ws() {
    while (this.i < this.s.length && (this.s[this.i] === " " || this.s[this.i] === "	" || this.s[this.i] === "\n"))
      this.i++;
  }
  peek() {
    return this.s[this.i] ?? "";
  }
  end() {
    return this.i >= this.s.length;
  }
  /** Reads while the character is not white space and not one of the stop characters. */
  word(stop) {
    const start = this.i;
    while (this.i < this.s.length && !" 	\n".includes(this.s[this.i]) && !stop.includes(this.s[this.i]))
      this.i++;
    return this.s.slice(start, this.i);
  }
};
function show(s) {
  return JSON.stringify(s.length > 60 ? s.slice(0, 60) + "\u2026" : s);
}
var RelationError = class extends FormatError {
};
function parseRelations(field2, value, subject) {
  const rules = RULES[field2];
  const fail = (why) => {
    throw new RelationError(`${field2}: ${why}`, subject);
  };
  const c = new Cursor(value);
  const out = [];
  c.ws();
  if (c.end())
    fail("the field is empty");
  for (; ; ) {
    const entry = [];
    for (; ; ) {
      c.ws();
      const at = c.i;
      const name = c.word(":(),|[]<>");
      if (name === "")
        fail(c.end() ? "a package name is missing at the end" : `a package name is missing before ${show(value.slice(at))}`);
      if (!PACKAGE_NAME.test(name))
        fail(`bad package name ${show(name)} (allowed: [a-z0-9][a-z0-9+.-]+, at least two characters)`);
      const rel = { name };
      if (c.peek() === ":") {
        c.i++;
        const arch2 = c.word("(),|[]<>:");
        if (!rules.archQualifier)
          fail(`${name}: an architecture qualifier is not allowed here`);
        if (!ARCH.test(arch2))
          fail(`${name}: bad architecture qualifier ${show(arch2)}`);
        if (arch2 === "all")
          fail(`${name}: ":all" is not an architecture a dependency can name`);
        rel.arch = arch2;
      }
      c.ws();
      if (c.peek() === "(") {
        const paren = c.i;
        c.i++;
        c.ws();
        if (value.trimEnd().length - c.i < 4)
          fail(`${name}: apt cannot read ${show(value.slice(paren).trim())} at the end of the field (write a space after the operator)`);
        let op = "";
        while ("<>=".includes(c.peek()) && c.peek() !== "" && op.length < 2)
          op += value[c.i++];
        if (!["<<", "<=", "=", ">=", ">>", "<", ">"].includes(op))
          fail(`${name}: bad relation operator ${show(op || value.slice(c.i, c.i + 2))} (one of << <= = >= >>)`);
        c.ws();
        const version = c.word("(),|[]<>");
        if (version === "")
          fail(`${name}: the version after "${op}" is missing`);
        try {
          parseDebVersion(version);
        } catch (e) {
          fail(`${name}: ${e.message}`);
        }
        c.ws();
        if (c.peek() !== ")")
          fail(`${name} (${op} ${version}: ${c.end() ? 'no closing ")"' : `unexpected ${show(value.slice(c.i))} before ")"`}`);
        c.i++;
        rel.op = op;
        rel.version = version;
        c.ws();
      }
      if (rules.exactVersion === "required" && rel.op !== "=")
        fail(`${name}: each entry must name an exact version, "(= VERSION)"`);
      if (rules.exactVersion === "only" && rel.op !== void 0 && rel.op !== "=")
        fail(`${name}: only exact versions, "(= VERSION)", may be used`);
      entry.push(rel);
      const next = c.peek();
      if (next === "[" || next === "<")
        fail(`${name}: ${next === "[" ? "architecture restrictions [...]" : "build profiles <...>"} belong to a source package's Build-Depends, not to a binary package`);
      if (next === "|") {
        if (!rules.alternatives)
          fail(`alternatives ("|") are not allowed`);
        c.i++;
        continue;
      }
      break;
    }
    out.push(entry);
    if (c.end())
      return out;
    if (c.peek() !== ",")
      fail(`unexpected ${show(value.slice(c.i))} after ${entry[entry.length - 1].name}`);
    c.i++;
    c.ws();
    if (c.end())
      fail('a package name is missing after the last ","');
  }
}

// dist/debian/control.js
var MAX_FIELD_BYTES = 256 << 10;
var MAX_CONTROL_BYTES = 512 << 10;
var FIELD_NAME = /^[!-9;-~][!-9;-~]*$/;
function parseParagraphs(text, subject) {
  if (text.includes("\r"))
    throw new FormatError("control data contains a carriage return", subject);
  const out = [];
  let cur = [];
  for (const line of text.split("\n")) {
    if (line.trim() === "") {
      if (cur.length)
        out.push(cur);
      cur = [];
      continue;
    }
    if (line.startsWith("#"))
      continue;
    const bad2 = forbiddenChar(line);
    if (line[0] === " " || line[0] === "	") {
      const last = cur[cur.length - 1];
      if (!last)
        throw new FormatError(`continuation line without a field: "${line.trim()}"`, subject);
      if (bad2)
        throw new FormatError(`field ${last[0]} contains the control character ${bad2}`, subject);
      last[1] += "\n" + line;
      continue;
    }
    const colon = line.indexOf(":");
    if (colon <= 0)
      throw new FormatError(`line is not a field: "${line}"`, subject);
    const name = line.slice(0, colon);
    if (!FIELD_NAME.test(name) || name.startsWith("-"))
      throw new FormatError(`bad field name "${name}"`, subject);
    if (cur.some(([n]) => n.toLowerCase() === name.toLowerCase()))
      throw new FormatError(`duplicate field ${name}`, subject);
    if (bad2)
      throw new FormatError(`field ${name} contains the control character ${bad2}`, subject);
    cur.push([name, line.slice(colon + 1).trim()]);
  }
  if (cur.length)
    out.push(cur);
  const bad = forbiddenChar(text);
  if (bad) {
    const line = text.slice(0, FORBIDDEN_CHAR.exec(text).index).split("\n").length;
    throw new FormatError(`control data contains the control character ${bad} (line ${line})`, subject);
  }
  return out;
}
function parseParagraph(text, subject) {
  const ps = parseParagraphs(text, subject);
  if (ps.length !== 1)
    throw new FormatError(`expected one control paragraph, found ${ps.length}`, subject);
  return ps[0];
}
function get(p, name) {
  const l = name.toLowerCase();
  return p.find(([n]) => n.toLowerCase() === l)?.[1];
}
function parseControlFile(bytes, subject) {
  if (bytes.length > MAX_CONTROL_BYTES)
    throw new FormatError(`the control file is ${bytes.length} bytes; the limit is ${MAX_CONTROL_BYTES} (512 KiB)`, subject);
  let text;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw new FormatError("the control file is not valid UTF-8", subject);
  }
  if (text.startsWith("\uFEFF"))
    throw new FormatError("the control file starts with a byte order mark", subject);
  return parseParagraph(text, subject);
}
function checkControlFields(p, subject) {
  let total = 0;
  for (const [name, value] of p) {
    const size2 = Buffer.byteLength(value, "utf8");
    total += name.length + size2 + 3;
    if (size2 > MAX_FIELD_BYTES)
      throw new FormatError(`field ${name} is ${size2} bytes; the limit is ${MAX_FIELD_BYTES} (256 KiB)`, subject);
    const bad = forbiddenChar(value);
    if (bad)
      throw new FormatError(`field ${name} contains the control character ${bad}`, subject);
    const rel = relationField(name);
    if (rel)
      parseRelations(rel, value, subject);
  }
  if (total > MAX_CONTROL_BYTES)
    throw new FormatError(`the control fields are ${total} bytes; the limit is ${MAX_CONTROL_BYTES} (512 KiB)`, subject);
  const pkg = get(p, "Package");
  const version = get(p, "Version");
  if (pkg === void 0 || version === void 0)
    throw new FormatError("control file lacks Package or Version", subject);
  checkPackageName(pkg, subject);
  parseDebVersion(version, subject);
  for (const [field2, allowed] of ENUMS) {
    const v = get(p, field2);
    if (v !== void 0 && !allowed.includes(v))
      throw new FormatError(`field ${field2} is "${v.slice(0, 60)}"; it must be one of ${allowed.join(", ")}`, subject);
  }
  const size = get(p, "Installed-Size");
  if (size !== void 0 && !/^\d{1,15}$/.test(size))
    throw new FormatError(`field Installed-Size is "${size.slice(0, 60)}"; it must be a number of KiB`, subject);
  const source = get(p, "Source");
  if (source !== void 0) {
    const m = /^(\S+)(?:\s+\((\S+)\))?$/.exec(source);
    if (!m)
      throw new FormatError(`field Source is "${source.slice(0, 60)}"; it must be "NAME" or "NAME (VERSION)"`, subject);
    checkPackageName(m[1], subject);
    if (m[2] !== void 0)
      parseDebVersion(m[2], subject);
  }
}
var ENUMS = [
  ["Multi-Arch", ["same", "foreign", "allowed", "no"]],
  ["Essential", ["yes", "no"]],
  ["Protected", ["yes", "no"]],
  ["Important", ["yes", "no"]],
  ["Build-Essential", ["yes", "no"]]
];
function replaceVersion(text, version, subject) {
  if (/[\s]/.test(version) || version === "")
    throw new FormatError(`bad version "${version}"`, subject);
  const re = /^(version:[ \t]*)([^\n]*?)([ \t]*)$/gim;
  const hits = [...text.matchAll(re)];
  if (hits.length !== 1)
    throw new FormatError(`the control file has ${hits.length} Version lines`, subject);
  const m = hits[0];
  const at = m.index + m[1].length;
  return text.slice(0, at) + version + text.slice(at + m[2].length);
}
function checkValue(name, value, subject) {
  if (value === "")
    throw new FormatError(`field ${name} is empty`, subject);
  if (value.includes("\r"))
    throw new FormatError(`field ${name} contains a carriage return`, subject);
  const bad = forbiddenChar(value);
  if (bad)
    throw new FormatError(`field ${name} contains the control character ${bad}`, subject);
  const lines = value.split("\n");
  for (let i = 1; i < lines.length; i++) {
    const l = lines[i];
    if (!(l.startsWith(" ") || l.startsWith("	")) || l.trim() === "")
      throw new FormatError(`field ${name} contains a line break that would start a new field or paragraph`, subject);
  }
}
function serialise(p, subject) {
  const lines = [];
  for (const [name, value] of p) {
    if (!FIELD_NAME.test(name) || name.startsWith("-") || name.startsWith("#"))
      throw new FormatError(`bad field name "${name}"`, subject);
    checkValue(name, value, subject);
    lines.push(value.startsWith("\n") ? `${name}:${value}
` : `${name}: ${value}
`);
  }
  return lines.join("");
}
function oneLine(field2, value, subject) {
  if (/[\r\n]/.test(value))
    throw new FormatError(`${field2} contains a line break`, subject);
  const v = value.trim();
  if (v === "")
    throw new FormatError(`${field2} is empty`, subject);
  const bad = forbiddenChar(v);
  if (bad)
    throw new FormatError(`${field2} contains the control character ${bad}`, subject);
  return v;
}
function description(summary, long, subject) {
  const syn = oneLine("summary", summary, subject);
  if (syn.length >= 80)
    throw new FormatError(`summary is ${syn.length} characters long; it must be under 80`, subject);
  if (long === void 0 || long.trim() === "")
    return syn;
  if (long.includes("\r"))
    throw new FormatError("description contains a carriage return", subject);
  const bad = forbiddenChar(long);
  if (bad)
    throw new FormatError(`description contains the control character ${bad}`, subject);
  const lines = long.replace(/\s+$/, "").replace(/^\n+/, "").split("\n");
  return syn + lines.map((l) => l.trim() === "" ? "\n ." : `
 ${l.replace(/\s+$/, "")}`).join("");
}

// dist/debian/deb.js
function normaliseDataPath(name, subject) {
  let p = name.replace(/^\.\//, "").replace(/^\/+/, "").replace(/\/+$/, "");
  if (p === "." || p === "")
    return "/";
  if (p.split("/").some((c) => c === ".."))
    throw new UnsafePathError(`data member contains a path with "..": ${name}`, subject);
  p = p.replace(/\/\.\//g, "/");
  return "/" + p;
}
function layout(members, file) {
  const [first] = members;
  if (!first || first.name !== "debian-binary")
    throw new CorruptArchiveError("not a .deb: the first member is not debian-binary", file);
  let control;
  let data;
  for (const m of members.slice(1)) {
    if (data)
      break;
    if (m.name.startsWith("_"))
      continue;
    if (!control) {
      if (compressionFromName(m.name) === null || !m.name.startsWith("control.tar"))
        throw new CorruptArchiveError(`not a .deb: expected control.tar, found member "${m.name}"`, file);
      control = m;
    } else {
      if (compressionFromName(m.name) === null || !m.name.startsWith("data.tar"))
        throw new CorruptArchiveError(`not a .deb: expected data.tar, found member "${m.name}"`, file);
      data = m;
    }
  }
  if (!control)
    throw new CorruptArchiveError("not a .deb: no control.tar member", file);
  if (!data)
    throw new CorruptArchiveError("not a .deb: no data.tar member", file);
  return { members, control, data, debianBinary: first };
}
var IN_MEMORY_LIMIT = 8 << 20;
var REGULAR = { cap: LIMITS.file, limit: "file", what: "package file" };
async function openDeb(file, bytes) {
  if (bytes)
    return inMemory(file, bytes);
  const { fd, stat: stat2 } = openRegularSync(file, REGULAR);
  if (stat2.size <= IN_MEMORY_LIMIT) {
    let buf;
    try {
      buf = Buffer.allocUnsafe(stat2.size);
      let n = 0;
      while (n < buf.length) {
        const got = readSync(fd, buf, n, buf.length - n, n);
        if (got === 0)
          break;
        n += got;
      }
      buf = buf.subarray(0, n);
    } finally {
      closeSync(fd);
    }
    return inMemory(file, buf);
  }
  closeSync(fd);
  const { fh, stat: st } = await openRegular(file, REGULAR);
  return {
    file,
    size: st.size,
    read: readAtHandle(fh),
    stream: (start, size) => fh.createReadStream({ start, end: start + size - 1, highWaterMark: 1 << 20, autoClose: false }),
    close: () => fh.close()
  };
}
function inMemory(file, buf) {
  return { file, size: buf.length, buf, read: readAtBuffer(buf), stream: (start, size) => Readable.from([buf.subarray(start, start + size)]), close: async () => void 0 };
}
async function readControlTar(src, lay) {
  if (!src.controlTar)
    src.controlTar = await decodeControlTar(src, lay);
  return src.controlTar.map((e) => ({ ...e }));
}
var DPKG_TYPES = /* @__PURE__ */ new Set(["\0", "0", "1", "2", "3", "4", "5", "6"]);
function checkDpkgType(e, member, file) {
  if (!DPKG_TYPES.has(e.flag))
    throw new CorruptArchiveError(`${member} entry "${e.name.slice(0, 200)}" has tar type ${JSON.stringify(e.flag)}, which dpkg does not read`, file);
}
function checkControlEntry(e, file) {
  checkDpkgType(e, "control.tar", file);
  const name = e.name.replace(/^\.\//, "").replace(/\/$/, "");
  if (name === "" || name === ".") {
    if (e.type !== "dir")
      throw new CorruptArchiveError(`control.tar's root "${e.name}" is not a folder`, file);
    return;
  }
  if (e.type !== "file" || name.includes("/"))
    throw new CorruptArchiveError(`control.tar entry "${e.name.slice(0, 200)}" is not a plain file at its top level (${e.type})`, file);
}
async function decodeControlTar(src, lay) {
  const file = src.file;
  const limit = { bytes: LIMITS.controlMember, name: "controlMember", what: "the control member" };
  if (lay.control.size > limit.bytes)
    throw new LimitError(limit.name, `the control member is larger than ${describeLimit(limit.bytes)}`, file);
  const raw = await readMember(src.read, lay.control);
  const tar = await decompressBuffer(compressionFromName(lay.control.name), raw, file, limit);
  try {
    const entries = readTarBuffer(tar);
    for (const e of entries)
      checkControlEntry(e, file);
    return entries;
  } catch (e) {
    if (e instanceof LimitError)
      throw new LimitError(e.limit, `control.tar: ${e.detail}`, file);
    throw new CorruptArchiveError(`control.tar: ${e.message}`, file);
  }
}
function controlEntry(entries, name) {
  return entries.find((e) => e.name.replace(/^\.\//, "") === name && e.type === "file");
}
async function listData(src, data, onData) {
  const file = src.file;
  const files = [];
  let listed = 0;
  const parser = new TarParser((e) => {
    if (e.pax)
      throw new CorruptArchiveError(`data.tar uses PAX headers (${e.name.slice(0, 200)}), which dpkg rejects`, file);
    checkDpkgType(e, "data.tar", file);
    listed += e.name.length + 1;
    if (listed > LIMITS.fileList)
      throw new LimitError("fileList", `the data member's file names add up to more than ${describeLimit(LIMITS.fileList)}`, file);
    files.push({ path: normaliseDataPath(e.name, file), type: e.type, mode: e.mode, size: e.size, linkname: e.linkname });
  }, onData);
  const comp = compressionFromName(data.name);
  try {
    const inMemory2 = src.buf?.subarray(data.offset, data.offset + data.size);
    const decoded = inMemory2 && (comp === "none" ? inMemory2 : comp === "xz" ? decodeXzInMemory(inMemory2, file, { scratch: true }) : null);
    if (decoded)
      parser.write(decoded);
    else {
      await pipeline(src.stream(data.offset, data.size), decompressor(comp), new Writable({
        write(chunk, _enc, cb) {
          try {
            parser.write(chunk);
            cb();
          } catch (e) {
            cb(e);
          }
        }
      }));
    }
    parser.end();
  } catch (e) {
    if (e instanceof LimitError)
      throw new LimitError(e.limit, e.detail, file);
    if (e instanceof CorruptArchiveError || e instanceof UnsafePathError)
      throw new CorruptArchiveError(e.message, file);
    throw new CorruptArchiveError(`data member cannot be read: ${e.message}`, file);
  }
  return files;
}
async function readDebFrom(src, opts = {}) {
  const file = src.file;
  const lay = layout(await listArAt(src.read, src.size, file), file);
  const db = (await readMember(src.read, lay.debianBinary)).toString("latin1");
  if (!/^2\.\d+\n/.test(db))
    throw new CorruptArchiveError(`unsupported .deb format version "${db.trim()}"`, file);
  const entries = await readControlTar(src, lay);
  const ctl = controlEntry(entries, "control");
  if (!ctl?.data)
    throw new CorruptArchiveError("control.tar has no control file", file);
  const control = parseControlFile(ctl.data, file);
  const name = get(control, "Package");
  const version = get(control, "Version");
  const arch2 = get(control, "Architecture");
  if (!name || !version || !arch2)
    throw new FormatError("control file lacks Package, Version or Architecture", file);
  checkPackageName(name, file);
  parseDebVersion(version, file);
  const conffiles = (controlEntry(entries, "conffiles")?.data?.toString("utf8") ?? "").split("\n").map((l) => l.trim()).filter(Boolean);
  const scripts = entries.map((e) => e.name.replace(/^\.\//, "")).filter((n) => ["preinst", "postinst", "prerm", "postrm", "config", "triggers"].includes(n));
  const info = { file, size: src.size, control, name, version, arch: arch2, conffiles, scripts, controlMember: lay.control.name, dataMember: lay.data.name };
  if (opts.files || opts.onData)
    info.files = await listData(src, lay.data, opts.onData?.(name));
  return info;
}
async function readDeb(file, opts = {}) {
  const src = await openDeb(file);
  try {
    return await readDebFrom(src, opts);
  } finally {
    await src.close();
  }
}
async function rewriteDebFrom(src, version, out, opts = {}) {
  const file = src.file;
  parseDebVersion(version, file);
  const lay = layout(await listArAt(src.read, src.size, file), file);
  const entries = await readControlTar(src, lay);
  const ctl = controlEntry(entries, "control");
  if (!ctl?.data)
    throw new CorruptArchiveError("control.tar has no control file", file);
  const text = replaceVersion(ctl.data.toString("utf8"), version, file);
  const control = parseParagraph(text, file);
  ctl.data = Buffer.from(text, "utf8");
  const tar = tarBuffer(entries.map((e) => ({ ...e, type: e.type === "other" ? "file" : e.type })));
  const newControl = zlib.gzipSync(tar, { level: 6 });
  const controlName = "control.tar.gz";
  const members = lay.members.filter((m) => m.offset <= lay.data.offset);
  if (src.buf) {
    const parts = [Buffer.from("!<arch>\n", "latin1")];
    for (const m of members) {
      const body = m === lay.control ? newControl : src.buf.subarray(m.offset, m.offset + m.size);
      parts.push(arHeader(m === lay.control ? controlName : m.name, body.length, m.mtime), body, arPadding(body.length));
    }
    const whole = Buffer.concat(parts);
    if (opts.privateOut)
      writeFileSync(out, whole);
    else {
      const tmp = `${out}.tmp-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
      writeFileSync(tmp, whole);
      renameSync(tmp, out);
    }
    return { file: out, control, size: whole.length, sha256: createHash("sha256").update(whole).digest("hex") };
  }
  const hash = createHash("sha256");
  let size = 0;
  await writeFileAtomic(out, async (ws) => {
    const put = (b) => {
      hash.update(b);
      size += b.length;
      return ws.write(b);
    };
    put(Buffer.from("!<arch>\n", "latin1"));
    for (const m of members) {
      if (m === lay.control) {
        put(arHeader(controlName, newControl.length, m.mtime));
        put(newControl);
        put(arPadding(newControl.length));
      } else {
        put(arHeader(m.name, m.size, m.mtime));
        await copyRange(file, m.offset, m.size, ws, (b) => {
          hash.update(b);
          size += b.length;
        });
        put(arPadding(m.size));
      }
    }
  });
  return { file: out, control, size, sha256: hash.digest("hex") };
}
async function rewriteDebVersion(file, version, out) {
  const src = await openDeb(file);
  try {
    return await rewriteDebFrom(src, version, out);
  } finally {
    await src.close();
  }
}
var SCRIPT_FILES = {
  preinstall: "preinst",
  postinstall: "postinst",
  preremove: "prerm",
  postremove: "postrm"
};
function rfc2822(epoch) {
  const d = new Date(epoch * 1e3);
  const day = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"][d.getUTCDay()];
  const mon = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"][d.getUTCMonth()];
  const p = (n) => String(n).padStart(2, "0");
  return `${day}, ${p(d.getUTCDate())} ${mon} ${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}
function copyrightText(spec, mtime) {
  const year = new Date(mtime * 1e3).getUTCFullYear();
  const lic = spec.license ?? "unknown";
  let s = "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n";
  s += `Upstream-Name: ${spec.name}
`;
  s += `Upstream-Contact: ${spec.maintainer}
`;
  if (spec.homepage)
    s += `Source: ${spec.homepage}
`;
  s += `
Files: *
Copyright: ${year} ${spec.maintainer}
License: ${lic}
`;
  s += ` This package was built by repogen from a package spec. The license of the
 software is ${lic}`;
  s += spec.homepage ? `; see ${spec.homepage} for its full text.
` : ".\n";
  return s;
}
function changelogText(spec, version, mtime) {
  return `${spec.name} (${version}) unstable; urgency=medium

  * Package built by repogen.

 -- ${spec.maintainer}  ${rfc2822(mtime)}
`;
}
function installedSize(objects) {
  let kib = 0;
  for (const o of objects) {
    if (o.type === "file")
      kib += Math.ceil(o.size / 1024);
    else if (o.type === "symlink")
      kib += Math.ceil(Buffer.byteLength(o.target ?? "") / 1024);
    else
      kib += 1;
  }
  return kib;
}
function byteCompare(a, b) {
  return Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}
function dpkgOrder(objects) {
  const children = /* @__PURE__ */ new Map();
  const byPath = new Map(objects.map((o) => [o.path, o]));
  for (const o of objects) {
    if (o.path === "/")
      continue;
    const parent = path.posix.dirname(o.path);
    if (!children.has(parent))
      children.set(parent, []);
    children.get(parent).push(o);
  }
  const out = [];
  const links = [];
  const visit = (o) => {
    if (o.type === "symlink") {
      links.push(o);
      return;
    }
    out.push(o);
    if (o.type === "dir") {
      const kids = (children.get(o.path) ?? []).sort((a, b) => byteCompare(path.posix.basename(a.path), path.posix.basename(b.path)));
      for (const k of kids)
        visit(k);
    }
  };
  visit(byPath.get("/"));
  return [...out, ...links];
}
function tarName(p, type) {
  if (p === "/")
    return "./";
  return "." + p + (type === "dir" ? "/" : "");
}
function withParents(objects) {
  const byPath = new Map(objects.map((o) => [o.path, o]));
  for (const o of objects) {
    let p = o.path;
    while (p !== "/") {
      p = path.posix.dirname(p);
      const existing = byPath.get(p);
      if (existing && existing.type !== "dir")
        throw new UsageError(`"${p}" is both a folder and a ${existing.type}`);
      if (!existing)
        byPath.set(p, { path: p, type: "dir", mode: 493, size: 0 });
    }
  }
  if (!byPath.has("/"))
    byPath.set("/", { path: "/", type: "dir", mode: 493, size: 0 });
  return [...byPath.values()];
}
async function* dataTar(ordered, mtime, md5s, subject) {
  let n = 0;
  for (const o of ordered) {
    const h = tarHeader({ name: tarName(o.path, o.type), type: o.type, mode: o.mode, size: o.size, mtime, linkname: o.target });
    n += h.length;
    yield h;
    if (o.type !== "file")
      continue;
    const md5 = createHash("md5");
    let got = 0;
    if (o.data) {
      md5.update(o.data);
      got = o.data.length;
      yield o.data;
    } else {
      for await (const b of stagedChunks(o.source, subject)) {
        got += b.length;
        if (got > o.size)
          break;
        md5.update(b);
        yield b;
      }
    }
    if (got !== o.size)
      throw new UsageError(`file changed size while being packaged: ${o.source ?? o.path}`, subject);
    md5s.set(o.path, md5.digest("hex"));
    n += padded(o.size);
    yield contentPadding(o.size);
  }
  yield tarTrailer(n);
}
function arch(a) {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(a))
    throw new UsageError(`bad architecture "${a}"`);
  return a;
}
async function buildDeb(spec, root, opts) {
  const subject = root;
  const name = checkPackageName(spec.name, subject);
  const version = opts.version ?? spec.version;
  parseDebVersion(version, subject);
  const architecture = arch(opts.arch);
  const compression = opts.compression ?? "xz";
  const mtime = opts.mtime;
  if (!Number.isInteger(mtime) || mtime <= 0)
    throw new UsageError(`bad mtime ${mtime}`);
  const staged = await collectStaged(spec, root);
  const objects = staged.map((e) => e.type === "file" ? { path: e.path, type: "file", mode: e.mode, size: e.size, source: e.source, config: e.config } : e.type === "symlink" ? { path: e.path, type: "symlink", mode: 511, size: 0, target: e.target } : { path: e.path, type: "dir", mode: e.mode, size: 0 });
  const doc = `/usr/share/doc/${name}`;
  const has = (p) => objects.some((o) => o.path === p);
  if (!has(`${doc}/copyright`)) {
    const data = Buffer.from(copyrightText(spec, mtime), "utf8");
    objects.push({ path: `${doc}/copyright`, type: "file", mode: 420, size: data.length, data });
  }
  if (!has(`${doc}/changelog.Debian.gz`) && !has(`${doc}/changelog.gz`)) {
    const data = zlib.gzipSync(Buffer.from(changelogText(spec, version, mtime), "utf8"), { level: 9 });
    const native = opts.publishedNative ?? parseDebVersion(version).revision === "";
    const name2 = native ? "changelog.gz" : "changelog.Debian.gz";
    objects.push({ path: `${doc}/${name2}`, type: "file", mode: 420, size: data.length, data });
  }
  const all = withParents(objects);
  const ordered = dpkgOrder(all);
  const conffiles = ordered.filter((o) => o.type === "file" && o.config).map((o) => o.path);
  const control = [
    ["Package", name],
    ["Version", version],
    ["Architecture", architecture],
    ["Maintainer", oneLine("maintainer", spec.maintainer, subject)],
    ["Installed-Size", String(installedSize(all))]
  ];
  if (spec.depends.length) {
    const entries = spec.depends.map((d, i) => {
      const v = oneLine(`depends[${i}]`, d, subject);
      try {
        parseRelations("Depends", v);
      } catch (e) {
        throw new UsageError(`depends[${i}] ${JSON.stringify(v.slice(0, 200))}: ${e.message}`, subject);
      }
      return v;
    });
    control.push(["Depends", entries.join(", ")]);
  }
  if (spec.section)
    control.push(["Section", spec.section]);
  control.push(["Priority", "optional"]);
  if (spec.homepage)
    control.push(["Homepage", spec.homepage]);
  control.push(["Description", description(spec.summary, spec.description, subject)]);
  const controlText = serialise(control, subject);
  const scripts = [];
  for (const [k, rel] of Object.entries(spec.scripts)) {
    const src = await scriptSource(root, rel);
    scripts.push({ name: SCRIPT_FILES[k], data: await readScript(src, subject) });
  }
  const tmpDir = await mkdtemp(path.join(os.tmpdir(), "repogen-deb-"));
  try {
    const dataFile = path.join(tmpDir, "data");
    const md5s = /* @__PURE__ */ new Map();
    await writeCompressed(dataTar(ordered, mtime, md5s, subject), compressor(compression), dataFile);
    const md5text = ordered.filter((o) => o.type === "file").map((o) => `${md5s.get(o.path)}  ${o.path.slice(1)}
`).join("");
    const ctlFiles = [
      { name: "control", data: Buffer.from(controlText, "utf8"), mode: 420 },
      { name: "md5sums", data: Buffer.from(md5text, "utf8"), mode: 420 },
      ...scripts.map((s) => ({ ...s, mode: 493 }))
    ];
    if (conffiles.length)
      ctlFiles.push({ name: "conffiles", data: Buffer.from(conffiles.join("\n") + "\n"), mode: 420 });
    ctlFiles.sort((a, b) => byteCompare(a.name, b.name));
    const ctlTar = tarBuffer([
      { name: "./", type: "dir", mode: 493, size: 0, mtime },
      ...ctlFiles.map((f) => ({ name: `./${f.name}`, type: "file", mode: f.mode, size: f.data.length, mtime, data: f.data }))
    ]);
    const ctlData = await compressBuffer(compression, ctlTar);
    const dataSize = (await stat(dataFile)).size;
    const ext = extensionOf(compression);
    const out = path.join(opts.outDir, `${name}_${versionForFilename(version)}_${architecture}.deb`);
    await writeFileAtomic(out, async (ws) => {
      ws.write(Buffer.from("!<arch>\n", "latin1"));
      ws.write(arHeader("debian-binary", 4, mtime));
      ws.write("2.0\n");
      ws.write(arHeader(`control.tar${ext}`, ctlData.length, mtime));
      ws.write(ctlData);
      ws.write(arPadding(ctlData.length));
      ws.write(arHeader(`data.tar${ext}`, dataSize, mtime));
      await copyRange(dataFile, 0, dataSize, ws);
      ws.write(arPadding(dataSize));
    });
    const files = ordered.map((o) => ({ path: o.path, type: o.type, mode: o.mode, size: o.size, linkname: o.target }));
    return { file: out, name, version, arch: architecture, control, files };
  } finally {
    await rm(tmpDir, { recursive: true, force: true });
  }
}

export {
  forbiddenChar,
  parseDebVersion,
  compareDebVersions,
  versionForFilename,
  parseRelations,
  parseParagraphs,
  parseParagraph,
  get,
  checkControlFields,
  serialise,
  normaliseDataPath,
  openDeb,
  readDebFrom,
  readDeb,
  rewriteDebFrom,
  rewriteDebVersion,
  copyrightText,
  changelogText,
  installedSize,
  dpkgOrder,
  buildDeb
};
