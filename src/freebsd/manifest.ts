/**
 * FreeBSD package manifests: read (UCL as people write them, JSON as pkg writes them), validate the
 * JSON types pkg enforces, and write compact JSON with pkg's URL-encoding of desc, file names and
 * scripts.
 */
import { FormatError } from "../errors.js";
import { parseUcl, type UclValue } from "./ucl.js";
import { checkFreebsdVersion } from "./version.js";

export interface ManifestFile {
  sum: string;
  uname: string;
  gname: string;
  perm: string;
  symlink_target?: string;
  mtime?: number;
}

export interface Manifest {
  name: string;
  origin: string;
  version: string;
  comment: string;
  maintainer: string;
  www: string;
  abi: string;
  arch: string;
  prefix: string;
  flatsize: number;
  licenselogic: string;
  licenses: string[];
  desc: string;
  deps: Record<string, { origin: string; version: string }>;
  categories: string[];
  options?: Record<string, string>;
  annotations?: Record<string, string>;
  messages?: Array<Record<string, string>>;
  files?: Record<string, ManifestFile>;
  directories?: Record<string, UclValue>;
  config?: string[];
  scripts?: Record<string, string>;
  /** Keys we do not model are kept as they were. */
  extra?: Record<string, UclValue>;
}

const COMPACT_DROP = ["files", "config", "directories", "scripts", "lua_scripts"];
export const SCRIPT_KEYS = ["pre-install", "post-install", "pre-deinstall", "post-deinstall", "install", "deinstall", "pre-upgrade", "post-upgrade", "upgrade"];

/** pkg's encoding on write: "%" and every byte ≥ 0x80 become %xx. */
export function urlEncode(s: string): string {
  let out = "";
  for (const b of Buffer.from(s, "utf8")) {
    if (b === 0x25 || b >= 0x80) out += "%" + b.toString(16).padStart(2, "0");
    else out += String.fromCharCode(b);
  }
  return out;
}

export function urlDecode(s: string): string {
  if (!s.includes("%")) return s;
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (s[i] === "%" && /^[0-9A-Fa-f]{2}$/.test(s.slice(i + 1, i + 3))) {
      bytes.push(parseInt(s.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (c < 0x80) bytes.push(c);
    else for (const b of Buffer.from(s[i]!, "utf8")) bytes.push(b);
  }
  return Buffer.from(bytes).toString("utf8");
}

/** "FreeBSD:14:amd64" → the legacy arch string pkg also writes ("freebsd:14:x86:64"). */
export function legacyArch(abi: string): string {
  const m = /^FreeBSD:(\d+):(.+)$/.exec(abi);
  if (!m) throw new FormatError(`bad ABI "${abi}"`);
  const map: Record<string, string> = {
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
    "*": "*",
  };
  return `freebsd:${m[1]}:${map[m[2]!] ?? m[2]}`;
}

function req(o: Record<string, UclValue>, k: string, subject?: string): string {
  const v = o[k];
  if (typeof v !== "string") throw new FormatError(`manifest key "${k}" must be a string${v === undefined ? " and is missing" : `, not ${typeof v}`}`, subject);
  return v;
}

function strList(o: Record<string, UclValue>, k: string, subject?: string): string[] {
  const v = o[k];
  if (v === undefined) return [];
  if (!Array.isArray(v) || v.some((x) => typeof x !== "string")) throw new FormatError(`manifest key "${k}" must be a list of strings`, subject);
  return v as string[];
}

function strMap(o: Record<string, UclValue>, k: string, subject?: string): Record<string, string> | undefined {
  const v = o[k];
  if (v === undefined) return undefined;
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw new FormatError(`manifest key "${k}" must be an object`, subject);
  const out: Record<string, string> = {};
  for (const [a, b] of Object.entries(v)) {
    if (typeof b !== "string") throw new FormatError(`manifest key "${k}.${a}" must be a string`, subject);
    out[a] = b;
  }
  return out;
}

const KNOWN = new Set([
  "name", "origin", "version", "comment", "maintainer", "www", "abi", "arch", "prefix", "flatsize", "licenselogic", "licenses", "desc", "deps",
  "categories", "options", "annotations", "messages", "files", "directories", "config", "scripts",
]);

/**
 * A manifest from parsed UCL/JSON. `encoded` says whether desc, file names and scripts are
 * URL-encoded (as in files pkg wrote) or plain (as people write them).
 */
export function manifestFrom(o: Record<string, UclValue>, encoded: boolean, subject?: string): Manifest {
  const dec = (s: string) => (encoded ? urlDecode(s) : s);
  const flatsize = o.flatsize ?? 0;
  if (typeof flatsize !== "number" || !Number.isInteger(flatsize) || flatsize < 0) throw new FormatError(`manifest key "flatsize" must be a whole number, not ${JSON.stringify(flatsize)}`, subject);
  const version = checkFreebsdVersion(req(o, "version", subject), subject);
  const name = req(o, "name", subject);
  if (!/^[A-Za-z0-9_+.][A-Za-z0-9_+.-]*$/.test(name)) throw new FormatError(`bad package name "${name}"`, subject);
  const deps: Manifest["deps"] = {};
  if (o.deps !== undefined) {
    if (typeof o.deps !== "object" || o.deps === null || Array.isArray(o.deps)) throw new FormatError(`manifest key "deps" must be an object`, subject);
    for (const [dn, dv] of Object.entries(o.deps)) {
      if (typeof dv !== "object" || dv === null || Array.isArray(dv)) throw new FormatError(`manifest dep "${dn}" must be an object`, subject);
      deps[dn] = { origin: req(dv, "origin", subject), version: req(dv, "version", subject) };
    }
  }
  let files: Manifest["files"];
  if (o.files !== undefined) {
    if (typeof o.files !== "object" || o.files === null || Array.isArray(o.files)) throw new FormatError(`manifest key "files" must be an object`, subject);
    files = {};
    for (const [p, v] of Object.entries(o.files)) {
      const fv = typeof v === "object" && v !== null && !Array.isArray(v) ? v : { sum: typeof v === "string" ? v : "" };
      const mf: ManifestFile = {
        sum: typeof fv.sum === "string" ? fv.sum : "",
        uname: typeof fv.uname === "string" ? fv.uname : "root",
        gname: typeof fv.gname === "string" ? fv.gname : "wheel",
        perm: typeof fv.perm === "string" ? fv.perm : typeof fv.perm === "number" ? String(fv.perm) : "",
      };
      if (typeof fv.symlink_target === "string") mf.symlink_target = dec(fv.symlink_target);
      if (typeof fv.mtime === "number") mf.mtime = fv.mtime;
      files[dec(p)] = mf;
    }
  }
  let directories: Manifest["directories"];
  if (o.directories !== undefined) {
    if (typeof o.directories !== "object" || o.directories === null || Array.isArray(o.directories)) throw new FormatError(`manifest key "directories" must be an object`, subject);
    directories = {};
    for (const [p, v] of Object.entries(o.directories)) directories[dec(p)] = v;
  }
  let scripts = strMap(o, "scripts", subject);
  if (scripts) scripts = Object.fromEntries(Object.entries(scripts).map(([k, v]) => [k, dec(v)]));
  const abi = typeof o.abi === "string" ? o.abi : undefined;
  const arch = typeof o.arch === "string" ? o.arch : undefined;
  if (!abi && !arch) throw new FormatError(`manifest has neither "abi" nor "arch"`, subject);
  const extra: Record<string, UclValue> = {};
  for (const [k, v] of Object.entries(o)) if (!KNOWN.has(k)) extra[k] = v;
  const m: Manifest = {
    name,
    origin: req(o, "origin", subject),
    version,
    comment: req(o, "comment", subject),
    maintainer: req(o, "maintainer", subject),
    www: typeof o.www === "string" ? o.www : "",
    abi: abi ?? "",
    arch: arch ?? legacyArch(abi!),
    prefix: typeof o.prefix === "string" ? o.prefix : "/usr/local",
    flatsize,
    licenselogic: typeof o.licenselogic === "string" ? o.licenselogic : "single",
    licenses: strList(o, "licenses", subject),
    desc: dec(req(o, "desc", subject)),
    deps,
    categories: strList(o, "categories", subject),
  };
  if (!m.abi) m.abi = m.arch;
  const options = strMap(o, "options", subject);
  if (options) m.options = options;
  const annotations = strMap(o, "annotations", subject);
  if (annotations) m.annotations = annotations;
  if (o.messages !== undefined) m.messages = o.messages as Manifest["messages"];
  if (files) m.files = files;
  if (directories) m.directories = directories;
  if (o.config !== undefined) m.config = strList(o, "config", subject).map(dec);
  if (scripts) m.scripts = scripts;
  if (Object.keys(extra).length) m.extra = extra;
  return m;
}

export function parseManifest(text: string, encoded: boolean, subject?: string): Manifest {
  return manifestFrom(parseUcl(text, subject), encoded, subject);
}

/** The manifest as pkg writes it: compact JSON, keys in pkg's order, URL-encoded where pkg encodes. */
export function manifestObject(m: Manifest, compact: boolean): Record<string, unknown> {
  const o: Record<string, unknown> = {
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
    categories: m.categories,
  };
  if (m.options) o.options = m.options;
  if (m.annotations) o.annotations = m.annotations;
  if (m.extra) for (const [k, v] of Object.entries(m.extra)) if (!COMPACT_DROP.includes(k) || !compact) o[k] = v;
  if (!compact) {
    if (m.files)
      o.files = Object.fromEntries(
        Object.entries(m.files).map(([p, f]) => [urlEncode(p), f.symlink_target !== undefined ? { ...f, symlink_target: f.symlink_target } : f]),
      );
    if (m.directories) o.directories = Object.fromEntries(Object.entries(m.directories).map(([p, v]) => [urlEncode(p), v]));
    if (m.config) o.config = m.config.map(urlEncode);
    if (m.scripts) o.scripts = Object.fromEntries(Object.entries(m.scripts).map(([k, v]) => [k, urlEncode(v)]));
  }
  if (m.messages) o.messages = m.messages;
  return o;
}

export function manifestJson(m: Manifest, compact: boolean): string {
  return JSON.stringify(manifestObject(m, compact));
}

/** A file checksum in any form pkg writes: "1$" + SHA-256 hex, "2$" + BLAKE2b (base32), or bare hex. */
export function parseSum(sum: string): { type: "sha256" | "blake2" | "none"; value: string } {
  if (sum === "" || sum === "-") return { type: "none", value: "" };
  if (sum.startsWith("1$")) return { type: "sha256", value: sum.slice(2) };
  if (sum.startsWith("2$")) return { type: "blake2", value: sum.slice(2) };
  if (/^[0-9a-f]{64}$/.test(sum)) return { type: "sha256", value: sum };
  throw new FormatError(`unknown checksum form "${sum.slice(0, 12)}…"`);
}
