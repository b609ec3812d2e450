/**
 * The package spec (`package.toml`): parsed and validated once, for both families. Every value that
 * ends up in a control file or manifest is checked here, so hostile specs fail before anything is
 * written.
 */
import { parse as parseToml } from "smol-toml";
import { LIMITS } from "./archive/limits.js";
import { UsageError } from "./errors.js";
import { forbiddenChar } from "./util/chars.js";
import { readRegularFile } from "./util/regular-file.js";

/** How a spec is opened: a regular file of at most LIMITS.spec bytes. */
export const SPEC_FILE = { cap: LIMITS.spec, limit: "spec", what: "package spec" };

export interface SpecFile {
  src: string;
  dst: string;
  mode?: number;
  config: boolean;
}

export type ScriptName = "preinstall" | "postinstall" | "preremove" | "postremove";
export const SCRIPT_NAMES: ScriptName[] = ["preinstall", "postinstall", "preremove", "postremove"];

export interface PackageSpec {
  name: string;
  version: string;
  summary: string;
  description: string;
  maintainer: string;
  homepage?: string;
  license?: string;
  section?: string;
  depends: string[];
  files: SpecFile[];
  scripts: Partial<Record<ScriptName, string>>;
  freebsd: { origin?: string; categories?: string[] };
}

const KNOWN = new Set([
  "name", "version", "summary", "description", "maintainer", "homepage", "license", "section", "depends",
  "files", "scripts", "freebsd",
]);

function str(obj: Record<string, unknown>, key: string, file: string, required: boolean): string | undefined {
  const v = obj[key];
  if (v === undefined) {
    if (required) throw new UsageError(`missing required key "${key}"`, file);
    return undefined;
  }
  if (typeof v !== "string") throw new UsageError(`key "${key}" must be a string`, file);
  return v;
}

/** A value that goes on one line of a control file or manifest. */
function line(key: string, v: string, file: string, maxLen = 1000): string {
  if (/[\r\n]/.test(v)) throw new UsageError(`"${key}" contains a line break (one line only)`, file);
  const bad = forbiddenChar(v);
  if (bad) throw new UsageError(`"${key}" contains the control character ${bad}`, file);
  const t = v.trim();
  if (t === "") throw new UsageError(`"${key}" is empty`, file);
  if (t.length > maxLen) throw new UsageError(`"${key}" is longer than ${maxLen} characters`, file);
  return t;
}

/** Both families' names fit: Debian's rule is checked again, stricter, when a .deb is built. */
const SPEC_NAME = /^[A-Za-z0-9][A-Za-z0-9+._-]*$/;

function checkDst(dst: string, file: string): string {
  if (!dst.startsWith("/")) throw new UsageError(`destination "${dst}" must be an absolute path`, file);
  const parts = dst.split("/").slice(1);
  if (parts.some((p) => p === ".." || p === ".")) throw new UsageError(`destination "${dst}" contains "." or ".."`, file);
  if (parts.some((p) => p === "") && dst !== "/") throw new UsageError(`destination "${dst}" contains an empty path component`, file);
  if (/[\x00-\x1f\x7f\\]/.test(dst) || forbiddenChar(dst)) throw new UsageError(`destination "${dst}" contains a control character or backslash`, file);
  if (dst === "/") throw new UsageError(`destination "/" is not allowed`, file);
  return dst.replace(/\/+$/, "");
}

function checkSrc(src: string, key: string, file: string): string {
  if (src === "" || src.startsWith("/")) throw new UsageError(`${key} "${src}" must be a relative path inside the staged tree`, file);
  if (src.split("/").some((p) => p === "..")) throw new UsageError(`${key} "${src}" contains ".."`, file);
  if (/[\x00-\x1f\x7f]/.test(src) || forbiddenChar(src)) throw new UsageError(`${key} "${src}" contains a control character`, file);
  return src;
}

export function parseSpec(text: string, file: string, defaults: { name?: string } = {}): PackageSpec {
  let raw: Record<string, unknown>;
  try {
    raw = parseToml(text) as Record<string, unknown>;
  } catch (e) {
    throw new UsageError(`not valid TOML: ${(e as Error).message.split("\n")[0]}`, file);
  }
  for (const k of Object.keys(raw)) if (!KNOWN.has(k)) throw new UsageError(`unknown key "${k}"`, file);
  const name = line("name", str(raw, "name", file, false) ?? defaults.name ?? "", file, 100);
  // The name becomes a file name in the pool: "." and ".." and "/" would leave it.
  if (!SPEC_NAME.test(name)) throw new UsageError(`"name" "${name}" must start with a letter or digit and hold only letters, digits and + . _ -`, file);
  const version = line("version", str(raw, "version", file, true)!, file, 200);
  const summary = line("summary", str(raw, "summary", file, true)!, file);
  if (summary.length >= 80) throw new UsageError(`"summary" is ${summary.length} characters; it must be under 80`, file);
  const descRaw = str(raw, "description", file, false) ?? "";
  if (descRaw.includes("\r")) throw new UsageError(`"description" contains a carriage return`, file);
  const badChar = forbiddenChar(descRaw);
  if (badChar) throw new UsageError(`"description" contains the control character ${badChar}`, file);
  if (descRaw.length > 64 * 1024) throw new UsageError(`"description" is longer than 64 KiB`, file);
  const maintainer = line("maintainer", str(raw, "maintainer", file, true)!, file);
  const homepage = raw.homepage === undefined ? undefined : line("homepage", str(raw, "homepage", file, false)!, file);
  const license = raw.license === undefined ? undefined : line("license", str(raw, "license", file, false)!, file);
  const section = raw.section === undefined ? undefined : line("section", str(raw, "section", file, false)!, file, 100);
  if (section !== undefined && !/^[a-z0-9][a-z0-9/+._-]*$/.test(section)) throw new UsageError(`"section" "${section}" has characters a section cannot have`, file);
  let depends: string[] = [];
  if (raw.depends !== undefined) {
    if (!Array.isArray(raw.depends) || raw.depends.some((d) => typeof d !== "string")) throw new UsageError(`"depends" must be an array of strings`, file);
    depends = (raw.depends as string[]).map((d) => line("depends", d, file));
  }
  const files: SpecFile[] = [];
  if (raw.files !== undefined) {
    if (!Array.isArray(raw.files)) throw new UsageError(`"files" must be an array of tables ([[files]])`, file);
    for (const [i, f] of (raw.files as unknown[]).entries()) {
      if (typeof f !== "object" || f === null || Array.isArray(f)) throw new UsageError(`files[${i}] must be a table`, file);
      const o = f as Record<string, unknown>;
      for (const k of Object.keys(o)) if (!["src", "dst", "mode", "config"].includes(k)) throw new UsageError(`files[${i}]: unknown key "${k}"`, file);
      const src = checkSrc(str(o, "src", file, true)!, `files[${i}].src`, file);
      const dst = checkDst(str(o, "dst", file, true)!, file);
      let mode: number | undefined;
      if (o.mode !== undefined) {
        if (typeof o.mode !== "string" || !/^0?[0-7]{3,4}$/.test(o.mode)) throw new UsageError(`files[${i}].mode must be an octal string like "0755"`, file);
        mode = parseInt(o.mode, 8);
        if (mode & 0o7000) throw new UsageError(`files[${i}].mode: setuid, setgid and sticky bits are not supported`, file);
      }
      if (o.config !== undefined && typeof o.config !== "boolean") throw new UsageError(`files[${i}].config must be true or false`, file);
      files.push({ src, dst, mode, config: o.config === true });
    }
  }
  const scripts: Partial<Record<ScriptName, string>> = {};
  if (raw.scripts !== undefined) {
    if (typeof raw.scripts !== "object" || raw.scripts === null) throw new UsageError(`"scripts" must be a table`, file);
    for (const [k, v] of Object.entries(raw.scripts as Record<string, unknown>)) {
      if (!SCRIPT_NAMES.includes(k as ScriptName)) throw new UsageError(`scripts: unknown script "${k}" (known: ${SCRIPT_NAMES.join(", ")})`, file);
      if (typeof v !== "string") throw new UsageError(`scripts.${k} must be a path`, file);
      scripts[k as ScriptName] = checkSrc(v, `scripts.${k}`, file);
    }
  }
  const freebsd: PackageSpec["freebsd"] = {};
  if (raw.freebsd !== undefined) {
    const fb = raw.freebsd as Record<string, unknown>;
    for (const k of Object.keys(fb)) if (!["origin", "categories"].includes(k)) throw new UsageError(`freebsd: unknown key "${k}"`, file);
    if (fb.origin !== undefined) {
      const o = line("freebsd.origin", str(fb, "origin", file, false)!, file, 200);
      if (!/^[A-Za-z0-9_.+-]+\/[A-Za-z0-9_.+-]+$/.test(o)) throw new UsageError(`freebsd.origin "${o}" must look like category/port`, file);
      freebsd.origin = o;
    }
    if (fb.categories !== undefined) {
      if (!Array.isArray(fb.categories) || fb.categories.some((c) => typeof c !== "string" || !/^[a-z0-9_-]+$/.test(c)))
        throw new UsageError(`freebsd.categories must be an array of simple names`, file);
      freebsd.categories = fb.categories as string[];
    }
  }
  return { name, version, summary, description: descRaw, maintainer, homepage, license, section, depends, files, scripts, freebsd };
}

export async function readSpec(file: string, defaults: { name?: string } = {}): Promise<PackageSpec> {
  // Opened without blocking and checked to be a regular file: a FIFO here would hang the run.
  const text = (await readRegularFile(file, SPEC_FILE)).toString("utf8");
  return parseSpec(text, file, defaults);
}
