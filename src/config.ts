/** repogen.toml → Config: validated, with defaults, paths resolved against the config file's folder. */
import { existsSync, lstatSync, readFileSync, readlinkSync, realpathSync } from "node:fs";
import path from "node:path";
import { parse as parseToml } from "smol-toml";
import { UsageError } from "./errors.js";
import type { Compression } from "./archive/compress.js";

export interface Config {
  file: string | null;
  builds: string;
  output: string;
  keys: string;
  state: string;
  baseUrl: string;
  origin: string;
  label: string;
  description: string;
  validDays: number;
  keepVersions: number;
  graceHours: number;
  versioning: "build" | "as-is";
  apt: {
    debCompression: Compression;
    indexCompression: Array<"gz" | "xz">;
    contents: boolean;
    suites: Record<string, Record<string, string>>;
    /** OpenPGP private keys in the keys folder that sign, each InRelease carrying every one's signature. */
    signingKeys: string[];
  };
  pkg: {
    compression: Compression;
    signature: "pubkey" | "fingerprints";
    /** The RSA private key in the keys folder that signs the catalogues. */
    signingKey: string;
    /** Public keys (PEM, in the keys folder) published as trusted beside the signing key: the next key of a rotation. */
    trustedKeys: string[];
    /** Public keys (PEM, in the keys folder) published as revoked: the previous key of a rotation. */
    revokedKeys: string[];
  };
  /** Used when output is s3://BUCKET/PREFIX. Credentials come the AWS way, never from here. */
  s3: S3Config;
}

export interface S3Config {
  /** The S3 API's URL (radosgw, MinIO, …); the AWS default for the region when absent. */
  endpoint?: string;
  region: string;
  /** How clients reach the bucket's root (a CDN, or the endpoint's path-style URL). */
  publicUrl?: string;
  forcePathStyle: boolean;
  /** How long the bucket's writer lease lasts without renewal. */
  leaseSeconds: number;
  /** Packages from this size on go up in parts. */
  multipartMib: number;
}

/** s3://BUCKET or s3://BUCKET/PREFIX → its parts; null when output is not an s3:// URL. */
export function parseS3Url(url: string): { bucket: string; prefix: string } | null {
  const m = /^s3:\/\/([^/]+)((?:\/[^/]+)*)\/?$/.exec(url);
  if (!m) return null;
  return { bucket: m[1]!, prefix: m[2]!.replace(/^\//, "") };
}

/** Checks an `output` or `--out` that is an s3:// URL (bucket naming rules, a clean prefix). */
export function checkS3Output(url: string, file?: string): string {
  const u = parseS3Url(url);
  const bad = (what: string): never => {
    throw new UsageError(`output "${url}": ${what}`, file);
  };
  if (!u) return bad("must be s3://BUCKET or s3://BUCKET/PREFIX");
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(u.bucket)) bad("is not a valid bucket name (3-63 of a-z 0-9 . -)");
  if (u.prefix.split("/").some((p) => p === "." || p === ".." || !/^[A-Za-z0-9._~+-]+$/.test(p)) && u.prefix !== "")
    bad("the prefix may hold only letters, digits and . _ ~ + - between slashes");
  return `s3://${u.bucket}${u.prefix ? "/" + u.prefix : ""}`;
}

const TOP = new Set([
  "builds", "output", "keys", "state", "base_url", "origin", "label", "description", "valid_days", "keep_versions",
  "grace_hours", "versioning", "apt", "pkg", "s3",
]);

function fail(file: string, key: string, what: string): never {
  throw new UsageError(`${key}: ${what}`, file);
}

function getStr(o: Record<string, unknown>, key: string, file: string, prefix = ""): string | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  if (typeof v !== "string") fail(file, prefix + key, "must be a string");
  if (/[\r\n\x00]/.test(v)) fail(file, prefix + key, "must be one line");
  return v;
}

function getInt(o: Record<string, unknown>, key: string, file: string, min: number, max: number): number | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  const n = typeof v === "bigint" ? Number(v) : v;
  if (typeof n !== "number" || !Number.isInteger(n)) fail(file, key, "must be a whole number");
  if (n < min || n > max) fail(file, key, `must be between ${min} and ${max}`);
  return n;
}

/** A list of key file names in the keys folder: plain names (never paths), each once. */
function keyNames(v: unknown, file: string, key: string, ext: RegExp, min: number): string[] {
  if (!Array.isArray(v) || v.some((x) => typeof x !== "string")) fail(file, key, "must be a list of file names in the keys folder");
  const names = v as string[];
  if (names.length < min) fail(file, key, "must name at least one key");
  for (const n of names) {
    if (!/^[A-Za-z0-9][A-Za-z0-9._+-]*$/.test(n) || n.includes("..")) fail(file, key, `"${n}" must be a file name in the keys folder (letters, digits, . _ + -)`);
    if (!ext.test(n)) fail(file, key, `"${n}" must end in ${ext.source.replace(/\\|\$/g, "")}`);
  }
  if (new Set(names).size !== names.length) fail(file, key, "names a key twice");
  return names;
}

const DEB_COMP: Record<string, Compression> = { xz: "xz", zstd: "zst", gzip: "gz", none: "none" };
const PKG_COMP: Record<string, Compression> = { tzst: "zst", txz: "xz", tgz: "gz", tar: "none" };

export function defaultConfig(dir: string): Config {
  return {
    file: null,
    builds: path.resolve(dir, "builds"),
    output: path.resolve(dir, "public"),
    keys: path.resolve(dir, "keys"),
    state: path.resolve(dir, ".repogen"),
    baseUrl: "http://localhost:8000",
    origin: "repogen",
    label: "repogen",
    description: "Packages published by repogen",
    validDays: 14,
    keepVersions: 1,
    graceHours: 48,
    versioning: "build",
    apt: { debCompression: "xz", indexCompression: ["gz", "xz"], contents: true, suites: {}, signingKeys: ["apt-signing-key.asc"] },
    pkg: { compression: "zst", signature: "pubkey", signingKey: "pkg-signing-key.pem", trustedKeys: [], revokedKeys: [] },
    s3: { region: "us-east-1", forcePathStyle: false, leaseSeconds: 300, multipartMib: 64 },
  };
}

export function parseConfig(text: string, file: string): Config {
  let raw: Record<string, unknown>;
  try {
    raw = parseToml(text) as Record<string, unknown>;
  } catch (e) {
    throw new UsageError(`not valid TOML: ${(e as Error).message.split("\n")[0]}`, file);
  }
  const dir = path.dirname(path.resolve(file));
  const c = defaultConfig(dir);
  c.file = path.resolve(file);
  for (const k of Object.keys(raw)) if (!TOP.has(k)) fail(file, k, "unknown key");
  const p = (key: string) => {
    const v = getStr(raw, key, file);
    return v === undefined ? undefined : path.resolve(dir, v);
  };
  c.builds = p("builds") ?? c.builds;
  const output = getStr(raw, "output", file);
  c.output = output !== undefined && output.startsWith("s3://") ? checkS3Output(output, file) : (p("output") ?? c.output);
  c.keys = p("keys") ?? c.keys;
  c.state = p("state") ?? c.state;
  if (raw.s3 !== undefined) parseS3Table(raw.s3, c, file);
  const url = getStr(raw, "base_url", file);
  if (url !== undefined) {
    if (!/^https?:\/\/[^\s"'<>]+$/.test(url)) fail(file, "base_url", "must be an http:// or https:// URL");
    c.baseUrl = url.replace(/\/+$/, "");
  }
  for (const k of ["origin", "label", "description"] as const) {
    const v = getStr(raw, k, file);
    if (v !== undefined) {
      if (v.trim() === "") fail(file, k, "must not be empty");
      c[k] = v.trim();
    }
  }
  if (!/^[A-Za-z0-9][A-Za-z0-9._+-]*$/.test(c.origin)) fail(file, "origin", "may hold only letters, digits and . _ + - (it names the pkg repository)");
  c.validDays = getInt(raw, "valid_days", file, 0, 3650) ?? c.validDays;
  c.keepVersions = getInt(raw, "keep_versions", file, 1, 1000) ?? c.keepVersions;
  c.graceHours = getInt(raw, "grace_hours", file, 0, 24 * 365) ?? c.graceHours;
  const v = getStr(raw, "versioning", file);
  if (v !== undefined) {
    if (v !== "build" && v !== "as-is") fail(file, "versioning", `must be "build" or "as-is"`);
    c.versioning = v;
  }
  if (raw.apt !== undefined) {
    if (typeof raw.apt !== "object" || raw.apt === null || Array.isArray(raw.apt)) fail(file, "apt", "must be a table");
    const a = raw.apt as Record<string, unknown>;
    for (const k of Object.keys(a)) if (!["deb_compression", "index_compression", "contents", "suites", "signing_keys"].includes(k)) fail(file, `apt.${k}`, "unknown key");
    const dc = getStr(a, "deb_compression", file, "apt.");
    if (dc !== undefined) {
      if (!DEB_COMP[dc]) fail(file, "apt.deb_compression", "must be one of xz, zstd, gzip, none");
      c.apt.debCompression = DEB_COMP[dc]!;
    }
    if (a.index_compression !== undefined) {
      const ic = a.index_compression;
      if (!Array.isArray(ic) || ic.some((x) => x !== "gz" && x !== "xz")) fail(file, "apt.index_compression", `must be a list of "gz" and "xz"`);
      c.apt.indexCompression = [...new Set(ic as Array<"gz" | "xz">)];
    }
    if (a.contents !== undefined) {
      if (typeof a.contents !== "boolean") fail(file, "apt.contents", "must be true or false");
      c.apt.contents = a.contents;
    }
    if (a.suites !== undefined) {
      if (typeof a.suites !== "object" || a.suites === null || Array.isArray(a.suites)) fail(file, "apt.suites", "must be a table");
      for (const [suite, fields] of Object.entries(a.suites as Record<string, unknown>)) {
        if (typeof fields !== "object" || fields === null) fail(file, `apt.suites.${suite}`, "must be a table");
        const out: Record<string, string> = {};
        for (const [k, val] of Object.entries(fields as Record<string, unknown>)) {
          if (typeof val !== "string" || /[\r\n]/.test(val) || val.trim() === "") fail(file, `apt.suites.${suite}.${k}`, "must be a one-line string");
          if (!/^[a-z][a-z0-9-]*$/.test(k)) fail(file, `apt.suites.${suite}.${k}`, "is not a Release field name");
          const field = k.split("-").map((w) => w[0]!.toUpperCase() + w.slice(1)).join("-");
          if (["Suite", "Date", "Valid-Until", "Architectures", "Components", "Acquire-By-Hash", "Sha256", "Md5sum", "Sha512"].includes(field))
            fail(file, `apt.suites.${suite}.${k}`, "is written by repogen and cannot be set");
          out[field] = val.trim();
        }
        c.apt.suites[suite] = out;
      }
    }
    if (a.signing_keys !== undefined) c.apt.signingKeys = keyNames(a.signing_keys, file, "apt.signing_keys", /\.asc$/, 1);
  }
  if (raw.pkg !== undefined) {
    if (typeof raw.pkg !== "object" || raw.pkg === null || Array.isArray(raw.pkg)) fail(file, "pkg", "must be a table");
    const pk = raw.pkg as Record<string, unknown>;
    for (const k of Object.keys(pk)) if (!["compression", "signature", "signing_key", "trusted_keys", "revoked_keys"].includes(k)) fail(file, `pkg.${k}`, "unknown key");
    const pc = getStr(pk, "compression", file, "pkg.");
    if (pc !== undefined) {
      if (!PKG_COMP[pc]) fail(file, "pkg.compression", "must be one of tzst, txz, tgz, tar");
      c.pkg.compression = PKG_COMP[pc]!;
    }
    const sig = getStr(pk, "signature", file, "pkg.");
    if (sig !== undefined) {
      if (sig !== "pubkey" && sig !== "fingerprints") fail(file, "pkg.signature", `must be "pubkey" or "fingerprints"`);
      c.pkg.signature = sig;
    }
    if (pk.signing_key !== undefined) c.pkg.signingKey = keyNames([pk.signing_key], file, "pkg.signing_key", /\.pem$/, 1)[0]!;
    if (pk.trusted_keys !== undefined) c.pkg.trustedKeys = keyNames(pk.trusted_keys, file, "pkg.trusted_keys", /\.pem$/, 0);
    if (pk.revoked_keys !== undefined) c.pkg.revokedKeys = keyNames(pk.revoked_keys, file, "pkg.revoked_keys", /\.pem$/, 0);
  }
  if (url === undefined) c.baseUrl = s3BaseUrl(c) ?? c.baseUrl;
  return c;
}

export type PathRole = "builds" | "output" | "keys" | "state";
const ROLES: PathRole[] = ["output", "keys", "state", "builds"];
const FLAG: Record<PathRole, string> = { builds: "--builds", output: "--out", keys: "--keys", state: "--state" };

/**
 * The real path of p, also when p (or a part of it) does not exist yet: the nearest existing
 * parent's real path with the rest appended, following a dangling symlink to where it points (a
 * folder made later through it would be made there).
 */
export function realPathOf(p: string): string {
  let cur = path.resolve(p);
  const rest: string[] = [];
  for (let hops = 0; hops < 1024; hops++) {
    try {
      return path.join(realpathSync.native(cur), ...rest);
    } catch {
      // not there (yet), or a symlink to nowhere: resolved below
    }
    const st = lstatSync(cur, { throwIfNoEntry: false });
    if (st?.isSymbolicLink()) {
      cur = path.resolve(path.dirname(cur), readlinkSync(cur));
      continue;
    }
    const parent = path.dirname(cur);
    if (parent === cur) return path.join(cur, ...rest);
    rest.unshift(path.basename(cur));
    cur = parent;
  }
  throw new UsageError("too many levels of symbolic links", p);
}

function within(inner: string, outer: string): boolean {
  const rel = path.relative(outer, inner);
  return rel !== "" && rel !== ".." && !rel.startsWith(".." + path.sep) && !path.isAbsolute(rel);
}

function why(a: PathRole, b: PathRole): string {
  const pair = new Set([a, b]);
  if (pair.has("output") && pair.has("keys")) return "private keys would be served";
  if (pair.has("output") && pair.has("state")) return "the state would be served, and generate would survey its own caches";
  if (pair.has("output") && pair.has("builds")) return "every artifact would be served, and published files would be read as builds";
  return "each needs a folder of its own";
}

/**
 * One rule for the four folders, from the config and the command line alike, run once after the
 * command line's overrides: output, state, keys and builds never equal, contain or lie inside one
 * another, compared as real paths (symlinks resolved, also for folders not made yet). A usage
 * error (exit 2) before anything is read or written.
 */
export function checkPathRules(c: Config, fromFlags: ReadonlySet<PathRole> = new Set()): void {
  const local = ROLES.filter((r) => !/^[a-z][a-z0-9+.-]*:\/\//i.test(c[r]));
  const real = new Map(local.map((r) => [r, realPathOf(c[r])]));
  const label = (r: PathRole) => (fromFlags.has(r) ? `${FLAG[r]} ${c[r]}` : r);
  for (const [i, a] of local.entries()) {
    for (const b of local.slice(i + 1)) {
      const ra = real.get(a)!;
      const rb = real.get(b)!;
      // Named first: the folder inside the other, or (the same folder) the one that is not output.
      let x: PathRole, y: PathRole, rel: string;
      if (ra === rb) [x, y, rel] = a === "output" ? [b, a, "must not be the same folder as"] : [a, b, "must not be the same folder as"];
      else if (within(ra, rb)) [x, y, rel] = [a, b, "must not be inside"];
      else if (within(rb, ra)) [x, y, rel] = [b, a, "must not be inside"];
      else continue;
      const shown = ra === rb ? ` (both are ${ra})` : ` (${real.get(x)} and ${real.get(y)})`;
      const fromConfig = !fromFlags.has(x) || !fromFlags.has(y);
      throw new UsageError(`${label(x)}: ${rel} ${label(y)}${shown}: ${why(x, y)}`, fromConfig && c.file ? c.file : undefined);
    }
  }
}

function parseS3Table(v: unknown, c: Config, file: string): void {
  if (typeof v !== "object" || v === null || Array.isArray(v)) fail(file, "s3", "must be a table");
  const t = v as Record<string, unknown>;
  for (const k of Object.keys(t)) {
    if (["access_key_id", "secret_access_key", "session_token", "credentials"].includes(k))
      fail(file, `s3.${k}`, "credentials are never read from the configuration: use AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or a shared credentials file (AWS_PROFILE)");
    if (!["endpoint", "region", "public_url", "force_path_style", "lease_seconds", "multipart_mib"].includes(k)) fail(file, `s3.${k}`, "unknown key");
  }
  const url = (k: string) => {
    const s = getStr(t, k, file, "s3.");
    if (s !== undefined && !/^https?:\/\/[^\s"'<>]+$/.test(s)) fail(file, `s3.${k}`, "must be an http:// or https:// URL");
    return s?.replace(/\/+$/, "");
  };
  c.s3.endpoint = url("endpoint");
  c.s3.publicUrl = url("public_url");
  const region = getStr(t, "region", file, "s3.");
  if (region !== undefined) {
    if (!/^[a-z0-9-]+$/.test(region)) fail(file, "s3.region", "is not a region name");
    c.s3.region = region;
  }
  if (t.force_path_style !== undefined) {
    if (typeof t.force_path_style !== "boolean") fail(file, "s3.force_path_style", "must be true or false");
    c.s3.forcePathStyle = t.force_path_style;
  }
  const lease = getInt(t, "lease_seconds", file, 1, 86400);
  if (lease !== undefined) c.s3.leaseSeconds = lease;
  const mp = getInt(t, "multipart_mib", file, 5, 5000);
  if (mp !== undefined) c.s3.multipartMib = mp;
}

/** Where clients reach an s3:// output: public_url and the prefix. */
export function s3BaseUrl(c: Config): string | undefined {
  const u = parseS3Url(c.output);
  if (!u || !c.s3.publicUrl) return undefined;
  return u.prefix ? `${c.s3.publicUrl}/${u.prefix}` : c.s3.publicUrl;
}

/** Loads --config FILE, or ./repogen.toml when it exists, or the defaults. */
export function loadConfig(explicit: string | undefined, cwd = process.cwd()): Config {
  const file = explicit ?? (existsSync(path.join(cwd, "repogen.toml")) ? path.join(cwd, "repogen.toml") : undefined);
  if (file === undefined) return defaultConfig(cwd);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new UsageError(`cannot read configuration: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, file);
  }
  return parseConfig(text, file);
}
