import {
  MAX_ATTEMPTS,
  StorageError,
  makeClient,
  s3Error,
  statusOf
} from "./chunk-3MU5EROY.js";
import {
  Lease,
  MARKER,
  PublishError,
  afterWrite,
  cleanRel,
  isManaged,
  mapLimit,
  parseS3Url
} from "./chunk-CSDMBHJD.js";
import "./chunk-XXK4KJ5C.js";
import {
  writeFileAtomic
} from "./chunk-NH2BR72R.js";
import "./chunk-URTPPSHB.js";

// dist/publish/storage/s3.js
import { createHash as createHash2, randomUUID } from "node:crypto";
import { createReadStream, readFileSync, statSync, unlinkSync } from "node:fs";
import { mkdir, readdir, readFile as readFile2, rename, rm, writeFile } from "node:fs/promises";
import path2 from "node:path";
import { AbortMultipartUploadCommand, CompleteMultipartUploadCommand, CopyObjectCommand, CreateMultipartUploadCommand, DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, ListMultipartUploadsCommand, ListObjectsV2Command, PutObjectCommand, UploadPartCommand } from "@aws-sdk/client-s3";

// dist/publish/storage/inventory.js
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import path from "node:path";
function fileInventoryStore(stateDir, target) {
  const id = createHash("sha256").update(target).digest("hex").slice(0, 16);
  const file = path.join(stateDir, `s3-inventory-${id}.json`);
  return {
    async load() {
      try {
        const d = JSON.parse(await readFile(file, "utf8"));
        if (d.target !== target || typeof d.generation !== "string" || typeof d.objects !== "object" || d.objects === null)
          return null;
        return { generation: d.generation, objects: d.objects };
      } catch {
        return null;
      }
    },
    async save(r) {
      await writeFileAtomic(file, async (out) => {
        out.write(`{"target":${JSON.stringify(target)},"generation":${JSON.stringify(r.generation)},"objects":{`);
        let first = true;
        for (const [k, v] of Object.entries(r.objects)) {
          out.write(`${first ? "" : ","}
${JSON.stringify(k)}:${JSON.stringify(v)}`);
          first = false;
        }
        out.write("\n}}\n");
      });
    }
  };
}

// dist/publish/storage/s3put.js
import http from "node:http";
import https from "node:https";
import { S3ServiceException } from "@aws-sdk/client-s3";
import { SignatureV4 } from "@smithy/signature-v4";
var encodeSegment = (s) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase());
var RETRY_CODES = /* @__PURE__ */ new Set(["SlowDown", "Throttling", "ThrottlingException", "RequestTimeout", "RequestTimeTooSkewed", "InternalError", "ServiceUnavailable", "RequestLimitExceeded"]);
var RETRY_NET = /* @__PURE__ */ new Set(["ECONNRESET", "ECONNREFUSED", "EPIPE", "ETIMEDOUT", "ECONNABORTED", "EAI_AGAIN", "ERR_STREAM_PREMATURE_CLOSE"]);
var SKEW_CODES = /* @__PURE__ */ new Set(["RequestTimeTooSkewed", "RequestExpired", "RequestInTheFuture", "SignatureExpired"]);
var IDLE_MS = 12e4;
var DirectPut = class {
  client;
  bucket;
  opts;
  agent;
  base = null;
  clockOffset = 0;
  constructor(client, bucket, opts) {
    this.client = client;
    this.bucket = bucket;
    this.opts = opts;
    const https_ = opts.endpoint ? opts.endpoint.startsWith("https:") : true;
    this.agent = https_ ? new https.Agent({ keepAlive: true, maxSockets: opts.sockets }) : new http.Agent({ keepAlive: true, maxSockets: opts.sockets });
  }
  /** The bucket's URL and signer, as the SDK resolves them for this bucket (once). */
  resolve() {
    return this.base ??= (async () => {
      const cfg = this.client.config;
      const region = await cfg.region();
      const ep = await cfg.endpointProvider({
        Bucket: this.bucket,
        Region: region,
        ForcePathStyle: this.opts.forcePathStyle,
        UseFIPS: false,
        UseDualStack: false,
        Accelerate: false,
        ...this.opts.endpoint ? { Endpoint: this.opts.endpoint } : {}
      });
      const auth = ep.properties?.authSchemes?.find((a) => a.name === "sigv4");
      const signer = new SignatureV4({
        credentials: cfg.credentials,
        region: auth?.signingRegion ?? region,
        service: auth?.signingName ?? "s3",
        sha256: cfg.sha256,
        uriEscapePath: false,
        applyChecksum: true
      });
      return { url: new URL(ep.url.href), signer };
    })();
  }
  /** Puts the object; resolves with its ETag (no quotes). Throws like the SDK does. */
  async put(r) {
    const { url, signer } = await this.resolve();
    const path3 = url.pathname.replace(/\/$/, "") + "/" + r.key.split("/").map(encodeSegment).join("/");
    const headers = {
      host: url.host,
      "content-length": String(r.body.length),
      "content-md5": r.md5,
      "content-type": r.contentType,
      "cache-control": r.cacheControl,
      "x-amz-content-sha256": r.sha256
    };
    if (r.ifNoneMatch)
      headers["if-none-match"] = "*";
    for (const [k, v] of Object.entries(r.metadata ?? {}))
      headers[`x-amz-meta-${k}`] = v;
    for (let attempt = 1; ; attempt++) {
      let res;
      try {
        const signed = await signer.sign({ method: "PUT", protocol: url.protocol, hostname: url.hostname, port: url.port ? Number(url.port) : void 0, path: path3, query: {}, headers: { ...headers } }, { signingDate: new Date(Date.now() + this.clockOffset) });
        res = await this.send(url, path3, signed.headers, r.body);
      } catch (e) {
        const code = e.code ?? "";
        if (attempt < this.opts.maxAttempts && RETRY_NET.has(code)) {
          await this.backoff(attempt);
          continue;
        }
        throw e;
      }
      if (res.status >= 200 && res.status < 300)
        return String(res.headers.etag ?? "").replace(/^"|"$/g, "");
      const err = this.error(res);
      if (attempt < this.opts.maxAttempts) {
        if (SKEW_CODES.has(err.name) && res.headers.date) {
          const server = Date.parse(res.headers.date);
          if (Number.isFinite(server))
            this.clockOffset = server - Date.now();
          continue;
        }
        if (res.status >= 500 || res.status === 429 || RETRY_CODES.has(err.name)) {
          await this.backoff(attempt);
          continue;
        }
      }
      throw err;
    }
  }
  backoff(attempt) {
    const ms = Math.random() * Math.min(2e4, 100 * 2 ** attempt);
    return new Promise((r) => setTimeout(r, ms));
  }
  send(url, path3, headers, body) {
    const mod = url.protocol === "https:" ? https : http;
    return new Promise((resolve, reject) => {
      const req = mod.request({ agent: this.agent, protocol: url.protocol, hostname: url.hostname, port: url.port || void 0, method: "PUT", path: path3, headers }, (res) => {
        const chunks = [];
        res.on("data", (c) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }));
        res.on("error", reject);
      });
      req.setTimeout(IDLE_MS, () => req.destroy(Object.assign(new Error(`no answer for ${IDLE_MS / 1e3} s`), { code: "ETIMEDOUT" })));
      req.on("error", reject);
      req.end(body);
    });
  }
  /** The error the SDK would throw for this answer: S3's XML error code and message, and the status. */
  error(res) {
    const tag = (t) => res.body.match(new RegExp(`<${t}>([^<]*)</${t}>`))?.[1];
    const name = tag("Code") ?? (res.status === 412 ? "PreconditionFailed" : res.status === 404 ? "NotFound" : `HTTP${res.status}`);
    return new S3ServiceException({
      name,
      $fault: res.status >= 500 ? "server" : "client",
      $metadata: { httpStatusCode: res.status, requestId: String(res.headers["x-amz-request-id"] ?? "") || void 0 },
      message: tag("Message") ?? name
    });
  }
  destroy() {
    this.agent.destroy();
  }
};

// dist/publish/storage/s3.js
var LEASE_KEY = ".repogen/lease.json";
var ALIASES_KEY = ".repogen/aliases.json";
var md5hex = (b) => createHash2("md5").update(b).digest("hex");
var CACHE_MAX = 32 << 20;
var IN_MEMORY_MAX = 4 << 20;
var stripQuotes = (etag) => (etag ?? "").replace(/^"|"$/g, "");
function contentType(rel) {
  const base = rel.slice(rel.lastIndexOf("/") + 1);
  if (/\/by-hash\/SHA256\/[0-9a-f]{64}$/.test(rel))
    return "application/octet-stream";
  const ext = base.includes(".") ? base.slice(base.lastIndexOf(".") + 1) : "";
  switch (ext) {
    case "deb":
      return "application/vnd.debian.binary-package";
    case "pkg":
      return "application/octet-stream";
    case "gz":
      return "application/gzip";
    case "xz":
      return "application/x-xz";
    case "zst":
      return "application/zstd";
    case "gpg":
      return base === "Release.gpg" ? "application/pgp-signature" : "application/pgp-keys";
    case "asc":
      return "application/pgp-keys";
    case "html":
      return "text/html; charset=utf-8";
    case "json":
      return "application/json";
    case "css":
      return "text/css; charset=utf-8";
    case "js":
      return "text/javascript; charset=utf-8";
    case "atom":
      return "application/atom+xml";
    case "yaml":
      return "application/yaml";
    case "pub":
      return "application/x-pem-file";
    default:
      return "text/plain; charset=utf-8";
  }
}
function cacheControl(rel) {
  if (/^apt\/pool\//.test(rel) || /\/by-hash\//.test(rel) || /^pkg\/[^/]+\/All\//.test(rel))
    return "public, max-age=31536000, immutable";
  return "public, max-age=60";
}
function dropSource(file) {
  try {
    unlinkSync(file);
  } catch (e) {
    if (e.code !== "ENOENT")
      throw e;
  }
}
var S3Storage = class {
  dryRun;
  changes = { added: [], updated: [], removed: [], unchanged: 0 };
  continuous = false;
  beforeFirstWrite;
  /** Whether this run changed anything in the bucket (held() comes before every change). */
  wrote = false;
  committed = false;
  /**
   * Uploads in flight at once (pool objects, web pages): each is a network round trip, unlike a link
   * in a folder. 16 keeps radosgw on loopback busy; 32 and 64 were no faster on 2 cores.
   */
  poolConcurrency = 16;
  bucket;
  prefix;
  client;
  counts;
  /** PutObject of bytes in memory, without the SDK's per-request middleware (s3put.ts). */
  direct;
  store;
  objects = /* @__PURE__ */ new Map();
  lease = null;
  aliasMap = /* @__PURE__ */ new Map();
  multipartBytes;
  leaseSeconds;
  /**
   * The bytes of small objects this state folder wrote or read, by MD5 (the ETag on record): a run
   * with little to do reads the published indexes from here instead of from the bucket.
   */
  cacheDir;
  constructor(c, dryRun) {
    this.dryRun = dryRun;
    const u = parseS3Url(c.output);
    if (!u)
      throw new PublishError("not an s3:// URL", c.output);
    this.bucket = u.bucket;
    this.prefix = u.prefix;
    ({ client: this.client, counts: this.counts } = makeClient(c.s3));
    this.direct = new DirectPut(this.client, this.bucket, {
      ...c.s3.endpoint ? { endpoint: c.s3.endpoint } : {},
      forcePathStyle: c.s3.forcePathStyle,
      maxAttempts: MAX_ATTEMPTS,
      sockets: 2 * this.poolConcurrency
    });
    const target = `${c.s3.endpoint ?? "aws:" + c.s3.region} ${this.bucket}/${this.prefix}`;
    this.store = fileInventoryStore(c.state, target);
    this.cacheDir = path2.join(c.state, `s3-cache-${createHash2("sha256").update(target).digest("hex").slice(0, 16)}`);
    this.multipartBytes = c.s3.multipartMib * 1024 * 1024;
    this.leaseSeconds = c.s3.leaseSeconds;
  }
  get describe() {
    return `s3://${this.bucket}${this.prefix ? "/" + this.prefix : ""}`;
  }
  key(rel) {
    return this.prefix ? `${this.prefix}/${rel}` : rel;
  }
  subject(rel) {
    return `${this.describe}/${rel}`;
  }
  async send(what, rel, f) {
    try {
      return await f();
    } catch (e) {
      throw s3Error(e, what, this.subject(rel));
    }
  }
  leaseObject() {
    return {
      describe: this.subject(LEASE_KEY),
      get: async () => {
        try {
          const r = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.key(LEASE_KEY) }));
          return { body: await r.Body.transformToString("utf8"), etag: stripQuotes(r.ETag) };
        } catch (e) {
          if (statusOf(e) === 404)
            return null;
          throw s3Error(e, "read the lease", this.subject(LEASE_KEY));
        }
      },
      put: async (body, cond) => {
        try {
          const r = await this.client.send(new PutObjectCommand({
            Bucket: this.bucket,
            Key: this.key(LEASE_KEY),
            Body: body,
            ContentType: "application/json",
            CacheControl: "no-store",
            ..."ifMatch" in cond ? { IfMatch: cond.ifMatch } : { IfNoneMatch: "*" }
          }));
          return stripQuotes(r.ETag);
        } catch (e) {
          const st = statusOf(e);
          if (st === 412 || st === 409)
            return null;
          throw s3Error(e, "write the lease", this.subject(LEASE_KEY));
        }
      }
    };
  }
  async open() {
    const obj = this.leaseObject();
    let trusted;
    if (this.dryRun)
      trusted = await Lease.peek(obj);
    else {
      this.lease = await Lease.take(obj, this.leaseSeconds, randomUUID());
      trusted = this.lease.previousGeneration;
    }
    const rec = await this.store.load();
    if (rec && trusted !== null && rec.generation === trusted) {
      for (const [k, v] of Object.entries(rec.objects))
        this.objects.set(k, v);
      this.continuous = true;
    } else
      await this.listAll();
    const a = await this.send("read the aliases", ALIASES_KEY, () => this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.key(ALIASES_KEY) }))).then(async (r) => JSON.parse(await r.Body.transformToString("utf8")), (e) => {
      if (statusOf(e) === 404 || /NoSuchKey|404/.test(String(e.message)))
        return {};
      throw e;
    });
    for (const [link, target] of Object.entries(a))
      if (typeof target === "string")
        this.aliasMap.set(link, target);
  }
  async saveAliases() {
    if (this.dryRun)
      return;
    this.held();
    const body = JSON.stringify(Object.fromEntries([...this.aliasMap].sort())) + "\n";
    await this.send("write the aliases", ALIASES_KEY, () => this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: this.key(ALIASES_KEY), Body: body, ContentType: "application/json", CacheControl: "no-store" })));
  }
  /** One listing of everything under the prefix: the record was missing or not current. */
  async listAll() {
    this.objects.clear();
    const base = this.prefix ? this.prefix + "/" : "";
    let token;
    for (let page = 0; page < 1e6; page++) {
      const r = await this.send("list the bucket", "", () => this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: base || void 0, ContinuationToken: token })));
      for (const o of r.Contents ?? []) {
        if (!o.Key || !o.Key.startsWith(base))
          continue;
        const rel = o.Key.slice(base.length);
        if (rel.startsWith(".repogen/"))
          continue;
        this.objects.set(rel, [o.Size ?? 0, stripQuotes(o.ETag), ""]);
      }
      if (!r.IsTruncated || !r.NextContinuationToken)
        return;
      token = r.NextContinuationToken;
    }
  }
  async checkpoint() {
    await this.lease?.check();
  }
  held() {
    this.lease?.assertHeld();
    this.wrote = true;
    const f = this.beforeFirstWrite;
    this.beforeFirstWrite = void 0;
    f?.();
  }
  async cached(md5) {
    if (!/^[0-9a-f]{32}$/.test(md5))
      return null;
    const b = await readFile2(path2.join(this.cacheDir, md5)).catch(() => null);
    return b && md5hex(b) === md5 ? b : null;
  }
  cacheMade = null;
  async keep(md5, b) {
    if (this.dryRun || b.length > CACHE_MAX || !/^[0-9a-f]{32}$/.test(md5))
      return;
    await (this.cacheMade ??= mkdir(this.cacheDir, { recursive: true }));
    const tmp = path2.join(this.cacheDir, `.${md5}.tmp-${process.pid}`);
    await writeFile(tmp, b);
    await rename(tmp, path2.join(this.cacheDir, md5));
  }
  async read(rel) {
    cleanRel(rel);
    const e = this.objects.get(rel);
    if (!e)
      return null;
    const local = await this.cached(e[1]);
    if (local)
      return local;
    try {
      const r = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.key(rel) }));
      const b = Buffer.from(await r.Body.transformToByteArray());
      if (md5hex(b) === e[1])
        await this.keep(e[1], b).catch(() => void 0);
      return b;
    } catch (e2) {
      if (statusOf(e2) === 404) {
        this.objects.delete(rel);
        return null;
      }
      throw s3Error(e2, "read", this.subject(rel));
    }
  }
  async size(rel) {
    return this.objects.get(cleanRel(rel))?.[0] ?? null;
  }
  async version(rel) {
    const e = this.objects.get(cleanRel(rel));
    return e ? `${e[0]}:${e[1]}` : null;
  }
  /** The target's file that a file under an alias copies, or null when rel is under no alias. */
  aliasSource(rel) {
    for (const [link, target] of this.aliasMap)
      if (rel.startsWith(link + "/"))
        return target + rel.slice(link.length);
    return null;
  }
  async put(rel, data, opts = {}) {
    return this.putOne(rel, data, opts, true);
  }
  /** keep: also keep the bytes in the local cache (for files a later run reads back). */
  async putOne(rel, data, opts, keep) {
    const buf = typeof data === "string" ? Buffer.from(data, "utf8") : data;
    cleanRel(rel);
    const md5 = md5hex(buf);
    const old = this.objects.get(rel);
    if (old && old[1] === md5 && old[0] === buf.length) {
      if (!opts.uncounted)
        this.changes.unchanged++;
      return false;
    }
    if (!opts.uncounted)
      (old ? this.changes.updated : this.changes.added).push(rel);
    if (this.dryRun)
      return true;
    this.held();
    const sha = createHash2("sha256").update(buf).digest("hex");
    const etag = await this.send("write", rel, () => this.putDirect({ key: this.key(rel), body: buf, md5: Buffer.from(md5, "hex").toString("base64"), sha256: sha, contentType: contentType(rel), cacheControl: cacheControl(rel), metadata: { sha256: sha } }));
    this.objects.set(rel, [buf.length, etag || md5, sha]);
    afterWrite();
    if (keep && !/\/by-hash\//.test(rel))
      await this.keep(md5, buf).catch(() => void 0);
    return true;
  }
  putDirect(r) {
    this.counts.PutObject = (this.counts.PutObject ?? 0) + 1;
    return this.direct.put(r);
  }
  async putMany(files) {
    return mapLimit(files, this.poolConcurrency, (f) => this.putOne(f.path, f.data, {}, false));
  }
  /** The SHA-256 of a published object: from our record, its metadata, or (a foreign object) its bytes. */
  async publishedSha256(rel) {
    const e = this.objects.get(rel);
    if (e?.[2])
      return e[2];
    const h = await this.send("read", rel, () => this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.key(rel) })));
    let sha = h.Metadata?.sha256 ?? "";
    if (!/^[0-9a-f]{64}$/.test(sha)) {
      const r = await this.send("read", rel, () => this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.key(rel) })));
      const hash = createHash2("sha256");
      for await (const c of r.Body)
        hash.update(c);
      sha = hash.digest("hex");
    }
    this.objects.set(rel, [h.ContentLength ?? 0, stripQuotes(h.ETag), sha]);
    return sha;
  }
  async samePool(rel, sha256, source, move) {
    const have = await this.publishedSha256(rel);
    if (have !== sha256)
      throw new PublishError(`already published with different content (sha256 ${have}); a pool object is never replaced`, rel);
    this.changes.unchanged++;
    if (move)
      dropSource(source);
    return false;
  }
  async placePool(rel, source, sha256, opts = {}) {
    cleanRel(rel);
    if (this.objects.has(rel))
      return this.samePool(rel, sha256, source, opts.move);
    this.changes.added.push(rel);
    if (this.dryRun)
      return true;
    this.held();
    const size = statSync(source).size;
    const headers = { ContentType: contentType(rel), CacheControl: cacheControl(rel), Metadata: { sha256 } };
    let etag;
    if (size >= this.multipartBytes) {
      const there = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.key(rel) })).then(() => true, (e) => {
        if (statusOf(e) === 404)
          return false;
        throw s3Error(e, "read", this.subject(rel));
      });
      if (there) {
        this.changes.added.pop();
        return this.samePool(rel, sha256, source, opts.move);
      }
      etag = await this.multipart(rel, source, size, headers);
    } else {
      try {
        if (size <= IN_MEMORY_MAX) {
          const body = readFileSync(source);
          if (body.length !== size)
            throw new StorageError(`changed while it was uploaded`, source);
          etag = await this.putDirect({
            key: this.key(rel),
            body,
            md5: createHash2("md5").update(body).digest("base64"),
            sha256,
            contentType: headers.ContentType,
            cacheControl: headers.CacheControl,
            metadata: headers.Metadata,
            ifNoneMatch: true
          });
        } else {
          const h = createHash2("md5");
          for await (const c of createReadStream(source, { highWaterMark: 1 << 20 }))
            h.update(c);
          const r = await this.client.send(new PutObjectCommand({
            Bucket: this.bucket,
            Key: this.key(rel),
            Body: createReadStream(source, { highWaterMark: 1 << 20 }),
            ContentLength: size,
            ContentMD5: h.digest("base64"),
            IfNoneMatch: "*",
            ...headers
          }));
          etag = stripQuotes(r.ETag);
        }
      } catch (e) {
        const st = statusOf(e);
        if (st !== 412 && st !== 409)
          throw s3Error(e, "write", this.subject(rel));
        this.changes.added.pop();
        this.objects.delete(rel);
        return this.samePool(rel, sha256, source, opts.move);
      }
    }
    this.objects.set(rel, [size, etag, sha256]);
    if (opts.move)
      dropSource(source);
    afterWrite();
    return true;
  }
  async multipart(rel, source, size, headers) {
    const Key = this.key(rel);
    const up = await this.send("start an upload", rel, () => this.client.send(new CreateMultipartUploadCommand({ Bucket: this.bucket, Key, ...headers })));
    const UploadId = up.UploadId;
    const partSize = Math.max(8 << 20, Math.ceil(size / 1e4));
    const count = Math.ceil(size / partSize);
    const parts = new Array(count);
    try {
      let next = 0;
      const worker = async () => {
        for (let i = next++; i < count; i = next++) {
          this.held();
          const start = i * partSize;
          const len = Math.min(partSize, size - start);
          const md5 = createHash2("md5");
          for await (const c of createReadStream(source, { start, end: start + len - 1, highWaterMark: 1 << 20 }))
            md5.update(c);
          const r = await this.client.send(new UploadPartCommand({
            Bucket: this.bucket,
            Key,
            UploadId,
            PartNumber: i + 1,
            Body: createReadStream(source, { start, end: start + len - 1, highWaterMark: 1 << 20 }),
            ContentLength: len,
            ContentMD5: md5.digest("base64")
          }));
          parts[i] = { PartNumber: i + 1, ETag: r.ETag ?? "" };
        }
      };
      await Promise.all([worker(), worker(), worker()]);
      this.held();
      const done = await this.client.send(new CompleteMultipartUploadCommand({ Bucket: this.bucket, Key, UploadId, MultipartUpload: { Parts: parts }, IfNoneMatch: "*" }));
      return stripQuotes(done.ETag);
    } catch (e) {
      await this.client.send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key, UploadId })).catch(() => void 0);
      throw s3Error(e, "upload", this.subject(rel));
    }
  }
  /**
   * Copies target's files under link (server-side), in the order that keeps link consistent: by-hash
   * copies and the index names, then Release and Release.gpg, then InRelease. Files under link that
   * target no longer has are left to retention, like any file no index names.
   */
  async alias(link, target) {
    cleanRel(link);
    cleanRel(target);
    const rank = (rel) => rel.endsWith("/InRelease") ? 2 : /\/Release(\.gpg)?$/.test(rel) && !rel.slice(target.length + 1).includes("/") ? 1 : 0;
    const files = [...this.objects.keys()].filter((k) => k.startsWith(target + "/") && !k.endsWith("/" + MARKER));
    files.sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : 1));
    for (const from of files) {
      const to = link + from.slice(target.length);
      const src = this.objects.get(from);
      const have = this.objects.get(to);
      if (have && have[1] === src[1] && have[0] === src[0]) {
        this.changes.unchanged++;
        continue;
      }
      (have ? this.changes.updated : this.changes.added).push(to);
      if (this.dryRun)
        continue;
      this.held();
      const r = await this.send("copy", to, () => this.client.send(new CopyObjectCommand({ Bucket: this.bucket, Key: this.key(to), CopySource: `${this.bucket}/${this.key(from).split("/").map(encodeURIComponent).join("/")}` })));
      this.objects.set(to, [src[0], stripQuotes(r.CopyObjectResult?.ETag) || src[1], src[2]]);
      afterWrite();
    }
    if (this.aliasMap.get(link) !== target) {
      this.aliasMap.set(link, target);
      await this.saveAliases();
    }
  }
  async aliases(dir) {
    return [...this.aliasMap].filter(([link]) => link.startsWith(dir + "/") && !link.slice(dir.length + 1).includes("/")).map(([link, target]) => ({ link, target })).sort((a, b) => a.link < b.link ? -1 : 1);
  }
  /** Removes the copies under link, InRelease first, so that no client finds a half suite there. */
  async unalias(link) {
    if (!this.aliasMap.has(link))
      return;
    const rank = (rel) => rel.endsWith("/InRelease") ? 0 : /\/Release(\.gpg)?$/.test(rel) ? 1 : 2;
    const files = [...this.objects.keys()].filter((k) => k.startsWith(link + "/")).sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : 1));
    this.changes.removed.push(link);
    if (this.dryRun)
      return;
    for (const f of files) {
      await this.deleteOne(f);
      afterWrite();
    }
    this.aliasMap.delete(link);
    await this.saveAliases();
  }
  async deleteOne(rel) {
    if (!this.objects.has(rel))
      return;
    this.held();
    await this.send("delete", rel, () => this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.key(rel) })));
    this.objects.delete(rel);
  }
  async discard(rel) {
    if (this.dryRun)
      return;
    await this.deleteOne(cleanRel(rel));
  }
  async remove(rel) {
    cleanRel(rel);
    const src = this.aliasSource(rel);
    if (src !== null && this.objects.has(src))
      return;
    if (!this.objects.has(rel))
      return;
    this.changes.removed.push(rel);
    if (this.dryRun)
      return;
    await this.deleteOne(rel);
    afterWrite();
  }
  async survey() {
    if (!this.dryRun) {
      const base = this.prefix ? this.prefix + "/" : void 0;
      const r = await this.client.send(new ListMultipartUploadsCommand({ Bucket: this.bucket, Prefix: base })).catch(() => null);
      for (const u of r?.Uploads ?? [])
        if (u.Key && u.UploadId)
          await this.client.send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: u.Key, UploadId: u.UploadId })).catch(() => void 0);
    }
    const copyOfLive = (p) => {
      const src = this.aliasSource(p);
      return src !== null && this.objects.has(src);
    };
    return [...this.objects.keys()].filter((p) => isManaged(p) && !p.endsWith("/" + MARKER) && !copyOfLive(p)).sort();
  }
  async commit() {
    if (this.dryRun || !this.lease)
      return;
    await this.store.save({ generation: this.lease.generation, objects: Object.fromEntries(this.objects) });
    this.committed = true;
    const wanted = new Set([...this.objects.values()].map((e) => e[1]));
    for (const f of await readdir(this.cacheDir).catch(() => []))
      if (!wanted.has(f))
        await rm(path2.join(this.cacheDir, f), { force: true });
  }
  async close() {
    const lease = this.lease;
    this.lease = null;
    try {
      await lease?.release({ unchanged: this.continuous && !this.wrote && !this.committed });
    } catch (e) {
      throw new StorageError(`could not release the lease: ${e.message}`, this.subject(LEASE_KEY));
    } finally {
      this.direct.destroy();
      this.client.destroy();
    }
  }
  requests() {
    return { ...this.counts };
  }
};
export {
  S3Storage,
  cacheControl,
  contentType
};
