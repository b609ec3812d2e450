import {
  parse
} from "./chunk-XXK4KJ5C.js";
import {
  LockedError,
  RepogenError,
  UsageError
} from "./chunk-URTPPSHB.js";

// dist/config.js
import { existsSync, lstatSync, readFileSync, readlinkSync, realpathSync } from "node:fs";
import path from "node:path";
function parseS3Url(url) {
  const m = /^s3:\/\/([^/]+)((?:\/[^/]+)*)\/?$/.exec(url);
  if (!m)
    return null;
  return { bucket: m[1], prefix: m[2].replace(/^\//, "") };
}
function checkS3Output(url, file) {
  const u = parseS3Url(url);
  const bad = (what) => {
    throw new UsageError(`output "${url}": ${what}`, file);
  };
  if (!u)
    return bad("must be s3://BUCKET or s3://BUCKET/PREFIX");
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(u.bucket))
    bad("is not a valid bucket name (3-63 of a-z 0-9 . -)");
  if (u.prefix.split("/").some((p) => p === "." || p === ".." || !/^[A-Za-z0-9._~+-]+$/.test(p)) && u.prefix !== "")
    bad("the prefix may hold only letters, digits and . _ ~ + - between slashes");
  return `s3://${u.bucket}${u.prefix ? "/" + u.prefix : ""}`;
}
var TOP = /* @__PURE__ */ new Set([
  "builds",
  "output",
  "keys",
  "state",
  "base_url",
  "origin",
  "label",
  "description",
  "valid_days",
  "keep_versions",
  "grace_hours",
  "versioning",
  "apt",
  "pkg",
  "s3"
]);
function fail(file, key, what) {
  throw new UsageError(`${key}: ${what}`, file);
}
function getStr(o, key, file, prefix = "") {
  const v = o[key];
  if (v === void 0)
    return void 0;
  if (typeof v !== "string")
    fail(file, prefix + key, "must be a string");
  if (/[\r\n\x00]/.test(v))
    fail(file, prefix + key, "must be one line");
  return v;
}
function getInt(o, key, file, min, max) {
  const v = o[key];
  if (v === void 0)
    return void 0;
  const n = typeof v === "bigint" ? Number(v) : v;
  if (typeof n !== "number" || !Number.isInteger(n))
    fail(file, key, "must be a whole number");
  if (n < min || n > max)
    fail(file, key, `must be between ${min} and ${max}`);
  return n;
}
function keyNames(v, file, key, ext, min) {
  if (!Array.isArray(v) || v.some((x) => typeof x !== "string"))
    fail(file, key, "must be a list of file names in the keys folder");
  const names = v;
  if (names.length < min)
    fail(file, key, "must name at least one key");
  for (const n of names) {
    if (!/^[A-Za-z0-9][A-Za-z0-9._+-]*$/.test(n) || n.includes(".."))
      fail(file, key, `"${n}" must be a file name in the keys folder (letters, digits, . _ + -)`);
    if (!ext.test(n))
      fail(file, key, `"${n}" must end in ${ext.source.replace(/\\|\$/g, "")}`);
  }
  if (new Set(names).size !== names.length)
    fail(file, key, "names a key twice");
  return names;
}
var DEB_COMP = { xz: "xz", zstd: "zst", gzip: "gz", none: "none" };
var PKG_COMP = { tzst: "zst", txz: "xz", tgz: "gz", tar: "none" };
function defaultConfig(dir) {
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
    s3: { region: "us-east-1", forcePathStyle: false, leaseSeconds: 300, multipartMib: 64 }
  };
}
function parseConfig(text, file) {
  let raw;
  try {
    raw = parse(text);
  } catch (e) {
    throw new UsageError(`not valid TOML: ${e.message.split("\n")[0]}`, file);
  }
  const dir = path.dirname(path.resolve(file));
  const c = defaultConfig(dir);
  c.file = path.resolve(file);
  for (const k of Object.keys(raw))
    if (!TOP.has(k))
      fail(file, k, "unknown key");
  const p = (key) => {
    const v2 = getStr(raw, key, file);
    return v2 === void 0 ? void 0 : path.resolve(dir, v2);
  };
  c.builds = p("builds") ?? c.builds;
  const output = getStr(raw, "output", file);
  c.output = output !== void 0 && output.startsWith("s3://") ? checkS3Output(output, file) : p("output") ?? c.output;
  c.keys = p("keys") ?? c.keys;
  c.state = p("state") ?? c.state;
  if (raw.s3 !== void 0)
    parseS3Table(raw.s3, c, file);
  const url = getStr(raw, "base_url", file);
  if (url !== void 0) {
    if (!/^https?:\/\/[^\s"'<>]+$/.test(url))
      fail(file, "base_url", "must be an http:// or https:// URL");
    c.baseUrl = url.replace(/\/+$/, "");
  }
  for (const k of ["origin", "label", "description"]) {
    const v2 = getStr(raw, k, file);
    if (v2 !== void 0) {
      if (v2.trim() === "")
        fail(file, k, "must not be empty");
      c[k] = v2.trim();
    }
  }
  if (!/^[A-Za-z0-9][A-Za-z0-9._+-]*$/.test(c.origin))
    fail(file, "origin", "may hold only letters, digits and . _ + - (it names the pkg repository)");
  c.validDays = getInt(raw, "valid_days", file, 0, 3650) ?? c.validDays;
  c.keepVersions = getInt(raw, "keep_versions", file, 1, 1e3) ?? c.keepVersions;
  c.graceHours = getInt(raw, "grace_hours", file, 0, 24 * 365) ?? c.graceHours;
  const v = getStr(raw, "versioning", file);
  if (v !== void 0) {
    if (v !== "build" && v !== "as-is")
      fail(file, "versioning", `must be "build" or "as-is"`);
    c.versioning = v;
  }
  if (raw.apt !== void 0) {
    if (typeof raw.apt !== "object" || raw.apt === null || Array.isArray(raw.apt))
      fail(file, "apt", "must be a table");
    const a = raw.apt;
    for (const k of Object.keys(a))
      if (!["deb_compression", "index_compression", "contents", "suites", "signing_keys"].includes(k))
        fail(file, `apt.${k}`, "unknown key");
    const dc = getStr(a, "deb_compression", file, "apt.");
    if (dc !== void 0) {
      if (!DEB_COMP[dc])
        fail(file, "apt.deb_compression", "must be one of xz, zstd, gzip, none");
      c.apt.debCompression = DEB_COMP[dc];
    }
    if (a.index_compression !== void 0) {
      const ic = a.index_compression;
      if (!Array.isArray(ic) || ic.some((x) => x !== "gz" && x !== "xz"))
        fail(file, "apt.index_compression", `must be a list of "gz" and "xz"`);
      c.apt.indexCompression = [...new Set(ic)];
    }
    if (a.contents !== void 0) {
      if (typeof a.contents !== "boolean")
        fail(file, "apt.contents", "must be true or false");
      c.apt.contents = a.contents;
    }
    if (a.suites !== void 0) {
      if (typeof a.suites !== "object" || a.suites === null || Array.isArray(a.suites))
        fail(file, "apt.suites", "must be a table");
      for (const [suite, fields] of Object.entries(a.suites)) {
        if (typeof fields !== "object" || fields === null)
          fail(file, `apt.suites.${suite}`, "must be a table");
        const out = {};
        for (const [k, val] of Object.entries(fields)) {
          if (typeof val !== "string" || /[\r\n]/.test(val) || val.trim() === "")
            fail(file, `apt.suites.${suite}.${k}`, "must be a one-line string");
          if (!/^[a-z][a-z0-9-]*$/.test(k))
            fail(file, `apt.suites.${suite}.${k}`, "is not a Release field name");
          const field = k.split("-").map((w) => w[0].toUpperCase() + w.slice(1)).join("-");
          if (["Suite", "Date", "Valid-Until", "Architectures", "Components", "Acquire-By-Hash", "Sha256", "Md5sum", "Sha512"].includes(field))
            fail(file, `apt.suites.${suite}.${k}`, "is written by repogen and cannot be set");
          out[field] = val.trim();
        }
        c.apt.suites[suite] = out;
      }
    }
    if (a.signing_keys !== void 0)
      c.apt.signingKeys = keyNames(a.signing_keys, file, "apt.signing_keys", /\.asc$/, 1);
  }
  if (raw.pkg !== void 0) {
    if (typeof raw.pkg !== "object" || raw.pkg === null || Array.isArray(raw.pkg))
      fail(file, "pkg", "must be a table");
    const pk = raw.pkg;
    for (const k of Object.keys(pk))
      if (!["compression", "signature", "signing_key", "trusted_keys", "revoked_keys"].includes(k))
        fail(file, `pkg.${k}`, "unknown key");
    const pc = getStr(pk, "compression", file, "pkg.");
    if (pc !== void 0) {
      if (!PKG_COMP[pc])
        fail(file, "pkg.compression", "must be one of tzst, txz, tgz, tar");
      c.pkg.compression = PKG_COMP[pc];
    }
    const sig = getStr(pk, "signature", file, "pkg.");
    if (sig !== void 0) {
      if (sig !== "pubkey" && sig !== "fingerprints")
        fail(file, "pkg.signature", `must be "pubkey" or "fingerprints"`);
      c.pkg.signature = sig;
    }
    if (pk.signing_key !== void 0)
      c.pkg.signingKey = keyNames([pk.signing_key], file, "pkg.signing_key", /\.pem$/, 1)[0];
    if (pk.trusted_keys !== void 0)
      c.pkg.trustedKeys = keyNames(pk.trusted_keys, file, "pkg.trusted_keys", /\.pem$/, 0);
    if (pk.revoked_keys !== void 0)
      c.pkg.revokedKeys = keyNames(pk.revoked_keys, file, "pkg.revoked_keys", /\.pem$/, 0);
  }
  if (url === void 0)
    c.baseUrl = s3BaseUrl(c) ?? c.baseUrl;
  return c;
}
var ROLES = ["output", "keys", "state", "builds"];
var FLAG = { builds: "--builds", output: "--out", keys: "--keys", state: "--state" };
function realPathOf(p) {
  let cur = path.resolve(p);
  const rest = [];
  for (let hops = 0; hops < 1024; hops++) {
    try {
      return path.join(realpathSync.native(cur), ...rest);
    } catch {
    }
    const st = lstatSync(cur, { throwIfNoEntry: false });
    if (st?.isSymbolicLink()) {
      cur = path.resolve(path.dirname(cur), readlinkSync(cur));
      continue;
    }
    const parent = path.dirname(cur);
    if (parent === cur)
      return path.join(cur, ...rest);
    rest.unshift(path.basename(cur));
    cur = parent;
  }
  throw new UsageError("too many levels of symbolic links", p);
}
function within(inner, outer) {
  const rel = path.relative(outer, inner);
  return rel !== "" && rel !== ".." && !rel.startsWith(".." + path.sep) && !path.isAbsolute(rel);
}
function why(a, b) {
  const pair = /* @__PURE__ */ new Set([a, b]);
  if (pair.has("output") && pair.has("keys"))
    return "private keys would be served";
  if (pair.has("output") && pair.has("state"))
    return "the state would be served, and generate would survey its own caches";
  if (pair.has("output") && pair.has("builds"))
    return "every artifact would be served, and published files would be read as builds";
  return "each needs a folder of its own";
}
function checkPathRules(c, fromFlags = /* @__PURE__ */ new Set()) {
  const local = ROLES.filter((r) => !/^[a-z][a-z0-9+.-]*:\/\//i.test(c[r]));
  const real = new Map(local.map((r) => [r, realPathOf(c[r])]));
  const label = (r) => fromFlags.has(r) ? `${FLAG[r]} ${c[r]}` : r;
  for (const [i, a] of local.entries()) {
    for (const b of local.slice(i + 1)) {
      const ra = real.get(a);
      const rb = real.get(b);
      let x, y, rel;
      if (ra === rb)
        [x, y, rel] = a === "output" ? [b, a, "must not be the same folder as"] : [a, b, "must not be the same folder as"];
      else if (within(ra, rb))
        [x, y, rel] = [a, b, "must not be inside"];
      else if (within(rb, ra))
        [x, y, rel] = [b, a, "must not be inside"];
      else
        continue;
      const shown = ra === rb ? ` (both are ${ra})` : ` (${real.get(x)} and ${real.get(y)})`;
      const fromConfig = !fromFlags.has(x) || !fromFlags.has(y);
      throw new UsageError(`${label(x)}: ${rel} ${label(y)}${shown}: ${why(x, y)}`, fromConfig && c.file ? c.file : void 0);
    }
  }
}
function parseS3Table(v, c, file) {
  if (typeof v !== "object" || v === null || Array.isArray(v))
    fail(file, "s3", "must be a table");
  const t = v;
  for (const k of Object.keys(t)) {
    if (["access_key_id", "secret_access_key", "session_token", "credentials"].includes(k))
      fail(file, `s3.${k}`, "credentials are never read from the configuration: use AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or a shared credentials file (AWS_PROFILE)");
    if (!["endpoint", "region", "public_url", "force_path_style", "lease_seconds", "multipart_mib"].includes(k))
      fail(file, `s3.${k}`, "unknown key");
  }
  const url = (k) => {
    const s = getStr(t, k, file, "s3.");
    if (s !== void 0 && !/^https?:\/\/[^\s"'<>]+$/.test(s))
      fail(file, `s3.${k}`, "must be an http:// or https:// URL");
    return s?.replace(/\/+$/, "");
  };
  c.s3.endpoint = url("endpoint");
  c.s3.publicUrl = url("public_url");
  const region = getStr(t, "region", file, "s3.");
  if (region !== void 0) {
    if (!/^[a-z0-9-]+$/.test(region))
      fail(file, "s3.region", "is not a region name");
    c.s3.region = region;
  }
  if (t.force_path_style !== void 0) {
    if (typeof t.force_path_style !== "boolean")
      fail(file, "s3.force_path_style", "must be true or false");
    c.s3.forcePathStyle = t.force_path_style;
  }
  const lease = getInt(t, "lease_seconds", file, 1, 86400);
  if (lease !== void 0)
    c.s3.leaseSeconds = lease;
  const mp = getInt(t, "multipart_mib", file, 5, 5e3);
  if (mp !== void 0)
    c.s3.multipartMib = mp;
}
function s3BaseUrl(c) {
  const u = parseS3Url(c.output);
  if (!u || !c.s3.publicUrl)
    return void 0;
  return u.prefix ? `${c.s3.publicUrl}/${u.prefix}` : c.s3.publicUrl;
}
function loadConfig(explicit, cwd = process.cwd()) {
  const file = explicit ?? (existsSync(path.join(cwd, "repogen.toml")) ? path.join(cwd, "repogen.toml") : void 0);
  if (file === void 0)
    return defaultConfig(cwd);
  let text;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new UsageError(`cannot read configuration: ${e.code ?? e.message}`, file);
  }
  return parseConfig(text, file);
}

// dist/util/concurrency.js
async function mapLimit(items, limit, fn) {
  const out = new Array(items.length);
  let next = 0;
  async function worker() {
    for (; ; ) {
      const i = next++;
      if (i >= items.length)
        return;
      out[i] = await fn(items[i], i);
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, () => worker()));
  return out;
}
var PARALLEL = 16;

// dist/publish/storage/storage.js
var PublishError = class extends RepogenError {
};
var LeaseLostError = class extends LockedError {
  constructor(message, subject) {
    super(message, subject, 0);
  }
};
var FAILPOINT = Number(process.env.REPOGEN_FAILPOINT_WRITES ?? "0");
var writesDone = 0;
function afterWrite() {
  if (FAILPOINT > 0 && ++writesDone >= FAILPOINT)
    process.kill(process.pid, "SIGKILL");
}
function isManaged(rel) {
  return rel.startsWith("apt/pool/") || rel.startsWith("apt/dists/") || rel.startsWith("apt/changelogs/") || /^pkg\/FreeBSD:[^/]+\//.test(rel) || /^(packages|feeds)\//.test(rel);
}
function cleanRel(rel) {
  const parts = rel.split("/");
  if (rel === "" || parts.some((p) => p === "" || p === "." || p === "..") || rel.includes("\0"))
    throw new PublishError(`refusing to write outside the output tree`, rel);
  return rel;
}

// dist/publish/lock.js
import { readFileSync as readFileSync2, rmSync } from "node:fs";
import { open, readFile, rm, mkdir } from "node:fs/promises";
import path2 from "node:path";
import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
function alive(pid) {
  try {
    process.kill(pid, 0);
  } catch (e) {
    if (e.code !== "EPERM")
      return false;
  }
  try {
    const cmd = readFileSync2(`/proc/${pid}/cmdline`, "latin1");
    return /node|repogen/.test(cmd);
  } catch {
    return true;
  }
}
async function acquireLock(stateDir) {
  await mkdir(stateDir, { recursive: true });
  const file = path2.join(stateDir, "lock");
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      const fh = await open(file, "wx");
      await fh.writeFile(`${process.pid}
`);
      await fh.close();
      let released = false;
      const releaseSync = () => {
        if (!released) {
          released = true;
          try {
            rmSync(file, { force: true });
          } catch {
          }
        }
      };
      process.once("exit", releaseSync);
      return {
        async release() {
          if (released)
            return;
          released = true;
          process.removeListener("exit", releaseSync);
          await rm(file, { force: true });
        }
      };
    } catch (e) {
      if (e.code !== "EEXIST")
        throw e;
      const text = await readFile(file, "utf8").catch(() => "");
      const pid = Number(text.trim());
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid))
        throw new LockedError(`another repogen generate (pid ${pid}) holds the lock`, file, pid);
      await rm(file, { force: true });
    }
  }
  throw new LockedError("could not take the lock", file, 0);
}
var Lease = class _Lease {
  obj;
  body;
  etag;
  seconds;
  previousGeneration;
  timer = null;
  lost = null;
  renewing = null;
  expiresAt = 0;
  released = false;
  constructor(obj, body, etag, seconds, previousGeneration) {
    this.obj = obj;
    this.body = body;
    this.etag = etag;
    this.seconds = seconds;
    this.previousGeneration = previousGeneration;
    this.expiresAt = Date.parse(body.expires);
  }
  get generation() {
    return this.body.generation;
  }
  /** Reads the lease without taking it (dry runs): its generation, or null. */
  static async peek(obj) {
    const cur = await obj.get();
    return cur ? parseLease(cur.body)?.generation ?? null : null;
  }
  static async take(obj, seconds, generation, now = Date.now()) {
    const cur = await obj.get();
    const old = cur ? parseLease(cur.body) : null;
    if (old && !old.released && Date.parse(old.expires) > now)
      throw new LockedError(`another repogen generate (host ${old.host}, pid ${old.pid}) holds the bucket's lease until ${old.expires}`, obj.describe, old.pid);
    const body = { owner: randomUUID(), host: hostname(), pid: process.pid, expires: new Date(now + seconds * 1e3).toISOString(), generation, released: false };
    const etag = await obj.put(JSON.stringify(body) + "\n", cur ? { ifMatch: cur.etag } : { ifNoneMatch: true });
    if (etag === null)
      throw new LockedError("another repogen generate took the bucket's lease at the same moment", obj.describe, 0);
    const lease = new _Lease(obj, body, etag, seconds, old?.generation ?? null);
    lease.timer = setInterval(() => void lease.renew().catch(() => void 0), Math.max(200, seconds * 1e3 / 3));
    lease.timer.unref();
    return lease;
  }
  /** Extends the expiry; the lease is lost when the object changed under us. */
  renew() {
    if (this.lost || this.released)
      return Promise.resolve();
    this.renewing ??= (async () => {
      try {
        const started = Date.now();
        const body = { ...this.body, expires: new Date(started + this.seconds * 1e3).toISOString() };
        const etag = await this.obj.put(JSON.stringify(body) + "\n", { ifMatch: this.etag });
        if (etag === null)
          this.lost = "another writer took the bucket's lease over";
        else {
          this.body = body;
          this.etag = etag;
          this.expiresAt = started + this.seconds * 1e3;
        }
      } finally {
        this.renewing = null;
      }
    })();
    return this.renewing;
  }
  /**
   * Throws LeaseLostError when this run may not write any more: the lease was taken over, or its
   * expiry is near (a run that was stopped longer than the lease lasts must not go on). Renews it
   * first when a third of it is used up.
   */
  async check() {
    const left = () => this.expiresAt - Date.now();
    if (!this.lost && left() < this.seconds * 1e3 * 2 / 3)
      await this.renew().catch(() => void 0);
    if (!this.lost && left() < Math.min(2e3, this.seconds * 1e3 / 10))
      this.lost = `the bucket's lease expired (it lasts ${this.seconds} s)`;
    if (this.lost)
      throw new LeaseLostError(`${this.lost}; stopping before the next write`, this.obj.describe);
  }
  /** Cheap check without a request, before each single write. */
  assertHeld() {
    if (this.lost)
      throw new LeaseLostError(`${this.lost}; stopping before the next write`, this.obj.describe);
    if (this.expiresAt - Date.now() < Math.min(2e3, this.seconds * 1e3 / 10)) {
      this.lost = `the bucket's lease expired (it lasts ${this.seconds} s)`;
      throw new LeaseLostError(`${this.lost}; stopping before the next write`, this.obj.describe);
    }
  }
  get isLost() {
    return this.lost !== null;
  }
  /**
   * Gives the lease up. unchanged: this run changed nothing in the bucket, so the lease goes back to
   * naming the generation it named before (the record saved under it stays the current one).
   */
  async release(opts = {}) {
    if (this.timer)
      clearInterval(this.timer);
    this.timer = null;
    if (this.released)
      return;
    await this.renewing?.catch(() => void 0);
    this.released = true;
    if (this.lost)
      return;
    const generation = opts.unchanged && this.previousGeneration !== null ? this.previousGeneration : this.body.generation;
    const body = { ...this.body, generation, expires: (/* @__PURE__ */ new Date()).toISOString(), released: true };
    await this.obj.put(JSON.stringify(body) + "\n", { ifMatch: this.etag });
  }
};
function parseLease(text) {
  try {
    const b = JSON.parse(text);
    if (typeof b.expires !== "string" || Number.isNaN(Date.parse(b.expires)))
      return null;
    return { owner: String(b.owner ?? ""), host: String(b.host ?? "?"), pid: Number(b.pid ?? 0), expires: b.expires, generation: String(b.generation ?? ""), released: b.released === true };
  } catch {
    return null;
  }
}

// dist/publish/retention.js
var TEMP_FILE = /(^|\/)\.[^/]*\.tmp-\d+-[a-z0-9]+$/;
var MARKER = ".publishing.json";
async function applyRetention(tree, files, live, dropped, nowS, graceHours) {
  const present = new Set(files);
  for (const p of Object.keys(dropped))
    if (live.has(p) || !present.has(p))
      delete dropped[p];
  const removed = [];
  let kept = 0;
  for (const p of files) {
    if (live.has(p))
      continue;
    if (dropped[p] === void 0) {
      dropped[p] = nowS;
      kept++;
    } else if (nowS - dropped[p] >= graceHours * 3600) {
      await tree.remove(p);
      delete dropped[p];
      removed.push(p);
    } else
      kept++;
  }
  return { kept, removed };
}

export {
  parseS3Url,
  checkS3Output,
  checkPathRules,
  s3BaseUrl,
  loadConfig,
  mapLimit,
  PARALLEL,
  PublishError,
  LeaseLostError,
  afterWrite,
  isManaged,
  cleanRel,
  acquireLock,
  Lease,
  TEMP_FILE,
  MARKER,
  applyRetention
};
