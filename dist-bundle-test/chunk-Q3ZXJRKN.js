import {
  forbiddenChar
} from "./chunk-L7I5STNP.js";
import {
  LIMITS,
  readRegularFile
} from "./chunk-IACGGMK5.js";
import {
  parse
} from "./chunk-XXK4KJ5C.js";
import {
  UsageError
} from "./chunk-URTPPSHB.js";

// dist/platform.js
function parsePlatform(p, subject) {
  if (/^debian-\d{1,3}$/.test(p) || /^ubuntu-\d{2}\.\d{2}$/.test(p))
    return { family: "debian", platform: p, suite: p };
  const m = /^freebsd-(\d{1,3})$/.exec(p);
  if (m)
    return { family: "freebsd", platform: p, major: Number(m[1]) };
  throw new UsageError(`unknown platform "${p}" (expected debian-N, ubuntu-YY.MM or freebsd-N)`, subject);
}

// dist/spec.js
var SPEC_FILE = { cap: LIMITS.spec, limit: "spec", what: "package spec" };
var SCRIPT_NAMES = ["preinstall", "postinstall", "preremove", "postremove"];
var KNOWN = /* @__PURE__ */ new Set([
  "name",
  "version",
  "summary",
  "description",
  "maintainer",
  "homepage",
  "license",
  "section",
  "depends",
  "files",
  "scripts",
  "freebsd"
]);
function str(obj, key, file, required) {
  const v = obj[key];
  if (v === void 0) {
    if (required)
      throw new UsageError(`missing required key "${key}"`, file);
    return void 0;
  }
  if (typeof v !== "string")
    throw new UsageError(`key "${key}" must be a string`, file);
  return v;
}
function line(key, v, file, maxLen = 1e3) {
  if (/[\r\n]/.test(v))
    throw new UsageError(`"${key}" contains a line break (one line only)`, file);
  const bad = forbiddenChar(v);
  if (bad)
    throw new UsageError(`"${key}" contains the control character ${bad}`, file);
  const t = v.trim();
  if (t === "")
    throw new UsageError(`"${key}" is empty`, file);
  if (t.length > maxLen)
    throw new UsageError(`"${key}" is longer than ${maxLen} characters`, file);
  return t;
}
var SPEC_NAME = /^[A-Za-z0-9][A-Za-z0-9+._-]*$/;
function checkDst(dst, file) {
  if (!dst.startsWith("/"))
    throw new UsageError(`destination "${dst}" must be an absolute path`, file);
  const parts = dst.split("/").slice(1);
  if (parts.some((p) => p === ".." || p === "."))
    throw new UsageError(`destination "${dst}" contains "." or ".."`, file);
  if (parts.some((p) => p === "") && dst !== "/")
    throw new UsageError(`destination "${dst}" contains an empty path component`, file);
  if (/[\x00-\x1f\x7f\\]/.test(dst) || forbiddenChar(dst))
    throw new UsageError(`destination "${dst}" contains a control character or backslash`, file);
  if (dst === "/")
    throw new UsageError(`destination "/" is not allowed`, file);
  return dst.replace(/\/+$/, "");
}
function checkSrc(src, key, file) {
  if (src === "" || src.startsWith("/"))
    throw new UsageError(`${key} "${src}" must be a relative path inside the staged tree`, file);
  if (src.split("/").some((p) => p === ".."))
    throw new UsageError(`${key} "${src}" contains ".."`, file);
  if (/[\x00-\x1f\x7f]/.test(src) || forbiddenChar(src))
    throw new UsageError(`${key} "${src}" contains a control character`, file);
  return src;
}
function parseSpec(text, file, defaults = {}) {
  let raw;
  try {
    raw = parse(text);
  } catch (e) {
    throw new UsageError(`not valid TOML: ${e.message.split("\n")[0]}`, file);
  }
  for (const k of Object.keys(raw))
    if (!KNOWN.has(k))
      throw new UsageError(`unknown key "${k}"`, file);
  const name = line("name", str(raw, "name", file, false) ?? defaults.name ?? "", file, 100);
  if (!SPEC_NAME.test(name))
    throw new UsageError(`"name" "${name}" must start with a letter or digit and hold only letters, digits and + . _ -`, file);
  const version = line("version", str(raw, "version", file, true), file, 200);
  const summary = line("summary", str(raw, "summary", file, true), file);
  if (summary.length >= 80)
    throw new UsageError(`"summary" is ${summary.length} characters; it must be under 80`, file);
  const descRaw = str(raw, "description", file, false) ?? "";
  if (descRaw.includes("\r"))
    throw new UsageError(`"description" contains a carriage return`, file);
  const badChar = forbiddenChar(descRaw);
  if (badChar)
    throw new UsageError(`"description" contains the control character ${badChar}`, file);
  if (descRaw.length > 64 * 1024)
    throw new UsageError(`"description" is longer than 64 KiB`, file);
  const maintainer = line("maintainer", str(raw, "maintainer", file, true), file);
  const homepage = raw.homepage === void 0 ? void 0 : line("homepage", str(raw, "homepage", file, false), file);
  const license = raw.license === void 0 ? void 0 : line("license", str(raw, "license", file, false), file);
  const section = raw.section === void 0 ? void 0 : line("section", str(raw, "section", file, false), file, 100);
  if (section !== void 0 && !/^[a-z0-9][a-z0-9/+._-]*$/.test(section))
    throw new UsageError(`"section" "${section}" has characters a section cannot have`, file);
  let depends = [];
  if (raw.depends !== void 0) {
    if (!Array.isArray(raw.depends) || raw.depends.some((d) => typeof d !== "string"))
      throw new UsageError(`"depends" must be an array of strings`, file);
    depends = raw.depends.map((d) => line("depends", d, file));
  }
  const files = [];
  if (raw.files !== void 0) {
    if (!Array.isArray(raw.files))
      throw new UsageError(`"files" must be an array of tables ([[files]])`, file);
    for (const [i, f] of raw.files.entries()) {
      if (typeof f !== "object" || f === null || Array.isArray(f))
        throw new UsageError(`files[${i}] must be a table`, file);
      const o = f;
      for (const k of Object.keys(o))
        if (!["src", "dst", "mode", "config"].includes(k))
          throw new UsageError(`files[${i}]: unknown key "${k}"`, file);
      const src = checkSrc(str(o, "src", file, true), `files[${i}].src`, file);
      const dst = checkDst(str(o, "dst", file, true), file);
      let mode;
      if (o.mode !== void 0) {
        if (typeof o.mode !== "string" || !/^0?[0-7]{3,4}$/.test(o.mode))
          throw new UsageError(`files[${i}].mode must be an octal string like "0755"`, file);
        mode = parseInt(o.mode, 8);
        if (mode & 3584)
          throw new UsageError(`files[${i}].mode: setuid, setgid and sticky bits are not supported`, file);
      }
      if (o.config !== void 0 && typeof o.config !== "boolean")
        throw new UsageError(`files[${i}].config must be true or false`, file);
      files.push({ src, dst, mode, config: o.config === true });
    }
  }
  const scripts = {};
  if (raw.scripts !== void 0) {
    if (typeof raw.scripts !== "object" || raw.scripts === null)
      throw new UsageError(`"scripts" must be a table`, file);
    for (const [k, v] of Object.entries(raw.scripts)) {
      if (!SCRIPT_NAMES.includes(k))
        throw new UsageError(`scripts: unknown script "${k}" (known: ${SCRIPT_NAMES.join(", ")})`, file);
      if (typeof v !== "string")
        throw new UsageError(`scripts.${k} must be a path`, file);
      scripts[k] = checkSrc(v, `scripts.${k}`, file);
    }
  }
  const freebsd = {};
  if (raw.freebsd !== void 0) {
    const fb = raw.freebsd;
    for (const k of Object.keys(fb))
      if (!["origin", "categories"].includes(k))
        throw new UsageError(`freebsd: unknown key "${k}"`, file);
    if (fb.origin !== void 0) {
      const o = line("freebsd.origin", str(fb, "origin", file, false), file, 200);
      if (!/^[A-Za-z0-9_.+-]+\/[A-Za-z0-9_.+-]+$/.test(o))
        throw new UsageError(`freebsd.origin "${o}" must look like category/port`, file);
      freebsd.origin = o;
    }
    if (fb.categories !== void 0) {
      if (!Array.isArray(fb.categories) || fb.categories.some((c) => typeof c !== "string" || !/^[a-z0-9_-]+$/.test(c)))
        throw new UsageError(`freebsd.categories must be an array of simple names`, file);
      freebsd.categories = fb.categories;
    }
  }
  return { name, version, summary, description: descRaw, maintainer, homepage, license, section, depends, files, scripts, freebsd };
}
async function readSpec(file, defaults = {}) {
  const text = (await readRegularFile(file, SPEC_FILE)).toString("utf8");
  return parseSpec(text, file, defaults);
}

export {
  parsePlatform,
  SPEC_FILE,
  readSpec
};
