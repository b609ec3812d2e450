/**
 * The published tree as objects in an S3 bucket under a prefix. S3 has no rename and no atomic
 * change of several objects, but every PutObject is seen whole, so the caller's order (pool, by-hash,
 * index names, Release/Release.gpg, InRelease) keeps every instant consistent, as in a folder.
 * Pool objects are created with If-None-Match: * and never replaced. What is in the bucket comes
 * from the state folder's record (inventory.ts) while the lease says it is current, else from one
 * listing; so a run with nothing new reads a few indexes and writes nothing.
 */
import { createHash, randomUUID } from "node:crypto";
import { createReadStream, readFileSync, statSync, unlinkSync } from "node:fs";
import { mkdir, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import type { S3Client } from "@aws-sdk/client-s3";
import { parseS3Url, type Config } from "../../config.js";
import { Lease, type LeaseObject } from "../lock.js";
import { MARKER } from "../retention.js";
import { fileInventoryStore, type InventoryEntry, type InventoryStore } from "./inventory.js";
import { makeClient, MAX_ATTEMPTS, s3Error, statusOf, StorageError } from "./s3client.js";
import { DirectPut, type DirectPutRequest } from "./s3put.js";
import { s3sdk } from "./sdk.js";

const {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  UploadPartCommand,
} = s3sdk;
import { mapLimit } from "../../util/concurrency.js";
import { afterWrite, cleanRel, isManaged, PublishError, type Changes, type PutOptions, type Storage } from "./storage.js";

/** The lease and other bookkeeping, beside the tree (not under apt/ or pkg/). */
const LEASE_KEY = ".repogen/lease.json";
/** The aliases (dists/CODENAME → dists/SUITE) the bucket has, as copies: link → target. */
const ALIASES_KEY = ".repogen/aliases.json";

const md5hex = (b: Buffer) => createHash("md5").update(b).digest("hex");

/** Files up to this size that repogen reads back (indexes, Release, catalogues) are kept locally. */
const CACHE_MAX = 32 << 20;
/** Packages up to this size are uploaded from memory (at most poolConcurrency of them at once). */
const IN_MEMORY_MAX = 4 << 20;
const stripQuotes = (etag: string | undefined) => (etag ?? "").replace(/^"|"$/g, "");

/** Content-Type by name, as a web server would send it. */
export function contentType(rel: string): string {
  const base = rel.slice(rel.lastIndexOf("/") + 1);
  if (/\/by-hash\/SHA256\/[0-9a-f]{64}$/.test(rel)) return "application/octet-stream";
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
      // Packages, Sources, Release, InRelease, Contents-*, meta, meta.conf, *.sources, *.conf
      return "text/plain; charset=utf-8";
  }
}

/**
 * Cache-Control for a CDN in front: pool and by-hash objects never change under their name, so
 * they are cached for a year; everything else (InRelease, Release*, index names, index.html, keys,
 * snippets, catalogues) changes in place and is cached for a minute.
 */
export function cacheControl(rel: string): string {
  if (/^apt\/pool\//.test(rel) || /\/by-hash\//.test(rel) || /^pkg\/[^/]+\/All\//.test(rel)) return "public, max-age=31536000, immutable";
  return "public, max-age=60";
}

/** Removes a moved package's work file (it is published); one already gone is fine. */
function dropSource(file: string): void {
  try {
    unlinkSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
  }
}

export class S3Storage implements Storage {
  readonly changes: Changes = { added: [], updated: [], removed: [], unchanged: 0 };
  continuous = false;
  beforeFirstWrite?: () => void;
  /** Whether this run changed anything in the bucket (held() comes before every change). */
  private wrote = false;
  private committed = false;
  /**
   * Uploads in flight at once (pool objects, web pages): each is a network round trip, unlike a link
   * in a folder. 16 keeps radosgw on loopback busy; 32 and 64 were no faster on 2 cores.
   */
  readonly poolConcurrency = 16;
  readonly bucket: string;
  readonly prefix: string;
  private readonly client: S3Client;
  private readonly counts: Record<string, number>;
  /** PutObject of bytes in memory, without the SDK's per-request middleware (s3put.ts). */
  private readonly direct: DirectPut;
  private readonly store: InventoryStore;
  private readonly objects = new Map<string, InventoryEntry>();
  private lease: Lease | null = null;
  private aliasMap = new Map<string, string>();
  private readonly multipartBytes: number;
  private readonly leaseSeconds: number;
  /**
   * The bytes of small objects this state folder wrote or read, by MD5 (the ETag on record): a run
   * with little to do reads the published indexes from here instead of from the bucket.
   */
  private readonly cacheDir: string;

  constructor(
    c: Config,
    readonly dryRun: boolean,
  ) {
    const u = parseS3Url(c.output);
    if (!u) throw new PublishError("not an s3:// URL", c.output);
    this.bucket = u.bucket;
    this.prefix = u.prefix;
    ({ client: this.client, counts: this.counts } = makeClient(c.s3));
    this.direct = new DirectPut(this.client, this.bucket, {
      ...(c.s3.endpoint ? { endpoint: c.s3.endpoint } : {}),
      forcePathStyle: c.s3.forcePathStyle,
      maxAttempts: MAX_ATTEMPTS,
      sockets: 2 * this.poolConcurrency,
    });
    const target = `${c.s3.endpoint ?? "aws:" + c.s3.region} ${this.bucket}/${this.prefix}`;
    this.store = fileInventoryStore(c.state, target);
    this.cacheDir = path.join(c.state, `s3-cache-${createHash("sha256").update(target).digest("hex").slice(0, 16)}`);
    this.multipartBytes = c.s3.multipartMib * 1024 * 1024;
    this.leaseSeconds = c.s3.leaseSeconds;
  }

  get describe(): string {
    return `s3://${this.bucket}${this.prefix ? "/" + this.prefix : ""}`;
  }

  private key(rel: string): string {
    return this.prefix ? `${this.prefix}/${rel}` : rel;
  }

  private subject(rel: string): string {
    return `${this.describe}/${rel}`;
  }

  private async send<T>(what: string, rel: string, f: () => Promise<T>): Promise<T> {
    try {
      return await f();
    } catch (e) {
      throw s3Error(e, what, this.subject(rel));
    }
  }

  private leaseObject(): LeaseObject {
    return {
      describe: this.subject(LEASE_KEY),
      get: async () => {
        try {
          const r = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.key(LEASE_KEY) }));
          // radosgw compares If-Match with the bare ETag (a quoted one never matches); S3 takes either.
          return { body: await r.Body!.transformToString("utf8"), etag: stripQuotes(r.ETag) };
        } catch (e) {
          if (statusOf(e) === 404) return null;
          throw s3Error(e, "read the lease", this.subject(LEASE_KEY));
        }
      },
      put: async (body, cond) => {
        try {
          const r = await this.client.send(
            new PutObjectCommand({
              Bucket: this.bucket,
              Key: this.key(LEASE_KEY),
              Body: body,
              ContentType: "application/json",
              CacheControl: "no-store",
              ...("ifMatch" in cond ? { IfMatch: cond.ifMatch } : { IfNoneMatch: "*" }),
            }),
          );
          return stripQuotes(r.ETag);
        } catch (e) {
          const st = statusOf(e);
          if (st === 412 || st === 409) return null;
          throw s3Error(e, "write the lease", this.subject(LEASE_KEY));
        }
      },
    };
  }

  async open(): Promise<void> {
    const obj = this.leaseObject();
    // The record is a local file: read while the lease requests are on their way.
    const loading = this.store.load();
    loading.catch(() => undefined);
    let trusted: string | null;
    if (this.dryRun) trusted = await Lease.peek(obj);
    else {
      this.lease = await Lease.take(obj, this.leaseSeconds, randomUUID());
      trusted = this.lease.previousGeneration;
    }
    const rec = await loading;
    if (rec && trusted !== null && rec.generation === trusted) {
      for (const [k, v] of Object.entries(rec.objects)) this.objects.set(k, v);
      this.continuous = true;
      // No writer since: the aliases are the ones this state saved (a record older than this field
      // has none: then they are read from the bucket).
      if (rec.aliases) {
        for (const [link, target] of Object.entries(rec.aliases)) this.aliasMap.set(link, target);
        return;
      }
    } else await this.listAll();
    const a = await this.send("read the aliases", ALIASES_KEY, () => this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.key(ALIASES_KEY) }))).then(
      async (r) => JSON.parse(await r.Body!.transformToString("utf8")) as Record<string, string>,
      (e) => {
        if (statusOf(e) === 404 || /NoSuchKey|404/.test(String((e as Error).message))) return {};
        throw e;
      },
    );
    for (const [link, target] of Object.entries(a)) if (typeof target === "string") this.aliasMap.set(link, target);
  }

  private async saveAliases(): Promise<void> {
    if (this.dryRun) return;
    this.held();
    const body = JSON.stringify(Object.fromEntries([...this.aliasMap].sort())) + "\n";
    await this.send("write the aliases", ALIASES_KEY, () =>
      this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: this.key(ALIASES_KEY), Body: body, ContentType: "application/json", CacheControl: "no-store" })),
    );
  }

  /** One listing of everything under the prefix: the record was missing or not current. */
  private async listAll(): Promise<void> {
    this.objects.clear();
    const base = this.prefix ? this.prefix + "/" : "";
    let token: string | undefined;
    for (let page = 0; page < 1_000_000; page++) {
      const r = await this.send("list the bucket", "", () =>
        this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: base || undefined, ContinuationToken: token })),
      );
      for (const o of r.Contents ?? []) {
        if (!o.Key || !o.Key.startsWith(base)) continue;
        const rel = o.Key.slice(base.length);
        if (rel.startsWith(".repogen/")) continue;
        this.objects.set(rel, [o.Size ?? 0, stripQuotes(o.ETag), ""]);
      }
      if (!r.IsTruncated || !r.NextContinuationToken) return;
      token = r.NextContinuationToken;
    }
  }

  async checkpoint(): Promise<void> {
    await this.lease?.check();
  }

  private held(): void {
    this.lease?.assertHeld();
    this.wrote = true;
    const f = this.beforeFirstWrite;
    this.beforeFirstWrite = undefined;
    f?.();
  }

  private async cached(md5: string): Promise<Buffer | null> {
    if (!/^[0-9a-f]{32}$/.test(md5)) return null;
    const b = await readFile(path.join(this.cacheDir, md5)).catch(() => null);
    return b && md5hex(b) === md5 ? b : null;
  }

  private cacheMade: Promise<unknown> | null = null;

  private async keep(md5: string, b: Buffer): Promise<void> {
    if (this.dryRun || b.length > CACHE_MAX || !/^[0-9a-f]{32}$/.test(md5)) return;
    await (this.cacheMade ??= mkdir(this.cacheDir, { recursive: true }));
    const tmp = path.join(this.cacheDir, `.${md5}.tmp-${process.pid}`);
    await writeFile(tmp, b);
    await rename(tmp, path.join(this.cacheDir, md5));
  }

  async read(rel: string): Promise<Buffer | null> {
    cleanRel(rel);
    const e = this.objects.get(rel);
    if (!e) return null;
    const local = await this.cached(e[1]);
    if (local) return local;
    try {
      const r = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.key(rel) }));
      const b = Buffer.from(await r.Body!.transformToByteArray());
      if (md5hex(b) === e[1]) await this.keep(e[1], b).catch(() => undefined);
      return b;
    } catch (e) {
      if (statusOf(e) === 404) {
        this.objects.delete(rel);
        return null;
      }
      throw s3Error(e, "read", this.subject(rel));
    }
  }

  async size(rel: string): Promise<number | null> {
    return this.objects.get(cleanRel(rel))?.[0] ?? null;
  }

  async version(rel: string): Promise<string | null> {
    const e = this.objects.get(cleanRel(rel));
    return e ? `${e[0]}:${e[1]}` : null;
  }

  /** The target's file that a file under an alias copies, or null when rel is under no alias. */
  private aliasSource(rel: string): string | null {
    for (const [link, target] of this.aliasMap) if (rel.startsWith(link + "/")) return target + rel.slice(link.length);
    return null;
  }

  async put(rel: string, data: Buffer | string, opts: PutOptions = {}): Promise<boolean> {
    return this.putOne(rel, data, opts, true);
  }

  /** keep: also keep the bytes in the local cache (for files a later run reads back). */
  private async putOne(rel: string, data: Buffer | string, opts: PutOptions, keep: boolean): Promise<boolean> {
    const buf = typeof data === "string" ? Buffer.from(data, "utf8") : data;
    cleanRel(rel);
    const md5 = md5hex(buf);
    const old = this.objects.get(rel);
    if (old && old[1] === md5 && old[0] === buf.length) {
      if (!opts.uncounted) this.changes.unchanged++;
      return false;
    }
    if (!opts.uncounted) (old ? this.changes.updated : this.changes.added).push(rel);
    if (this.dryRun) return true;
    this.held();
    const sha = createHash("sha256").update(buf).digest("hex");
    const etag = await this.send("write", rel, () =>
      this.putDirect({ key: this.key(rel), body: buf, md5: Buffer.from(md5, "hex").toString("base64"), sha256: sha, contentType: contentType(rel), cacheControl: cacheControl(rel), metadata: { sha256: sha } }),
    );
    this.objects.set(rel, [buf.length, etag || md5, sha]);
    afterWrite();
    if (keep && !/\/by-hash\//.test(rel)) await this.keep(md5, buf).catch(() => undefined);
    return true;
  }

  private putDirect(r: DirectPutRequest): Promise<string> {
    this.counts.PutObject = (this.counts.PutObject ?? 0) + 1;
    return this.direct.put(r);
  }

  async putMany(files: Array<{ path: string; data: Buffer | string; mtime?: Date }>): Promise<boolean[]> {
    // Objects are independent: several requests in flight hide the round trips.
    // No run reads the web pages back: their bytes are not kept in the local cache.
    return mapLimit(files, this.poolConcurrency, (f) => this.putOne(f.path, f.data, {}, false));
  }

  /** The SHA-256 of a published object: from our record, its metadata, or (a foreign object) its bytes. */
  private async publishedSha256(rel: string): Promise<string> {
    const e = this.objects.get(rel);
    if (e?.[2]) return e[2];
    const h = await this.send("read", rel, () => this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.key(rel) })));
    let sha = h.Metadata?.sha256 ?? "";
    if (!/^[0-9a-f]{64}$/.test(sha)) {
      const r = await this.send("read", rel, () => this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.key(rel) })));
      const hash = createHash("sha256");
      for await (const c of r.Body as AsyncIterable<Uint8Array>) hash.update(c);
      sha = hash.digest("hex");
    }
    this.objects.set(rel, [h.ContentLength ?? 0, stripQuotes(h.ETag), sha]);
    return sha;
  }

  private async samePool(rel: string, sha256: string, source: string, move: boolean | undefined): Promise<false> {
    const have = await this.publishedSha256(rel);
    if (have !== sha256) throw new PublishError(`already published with different content (sha256 ${have}); a pool object is never replaced`, rel);
    this.changes.unchanged++;
    if (move) dropSource(source);
    return false;
  }

  async placePool(rel: string, source: string, sha256: string, opts: { move?: boolean } = {}): Promise<boolean> {
    cleanRel(rel);
    if (this.objects.has(rel)) return this.samePool(rel, sha256, source, opts.move);
    this.changes.added.push(rel);
    if (this.dryRun) return true;
    this.held();
    // Synchronous: a package in the work folder is in the page cache, and thousands of them pass
    // here; a call through the thread pool costs more than the read itself.
    const size = statSync(source).size;
    const headers = { ContentType: contentType(rel), CacheControl: cacheControl(rel), Metadata: { sha256 } };
    let etag: string;
    if (size >= this.multipartBytes) {
      // CompleteMultipartUpload's If-None-Match is not honoured everywhere: look first (we hold the
      // lease, so only a writer that ignores it could race us).
      const there = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.key(rel) })).then(
        () => true,
        (e) => {
          if (statusOf(e) === 404) return false;
          throw s3Error(e, "read", this.subject(rel));
        },
      );
      if (there) {
        this.changes.added.pop();
        return this.samePool(rel, sha256, source, opts.move);
      }
      etag = await this.multipart(rel, source, size, headers);
    } else {
      // A small package is read once and sent from memory (its SHA-256, signed as the payload
      // hash, is checked by the server); a larger one is read twice (the MD5 first, as Content-MD5
      // goes before the body) so that at most a chunk of it is held at once.
      try {
        if (size <= IN_MEMORY_MAX) {
          const body = readFileSync(source);
          if (body.length !== size) throw new StorageError(`changed while it was uploaded`, source);
          etag = await this.putDirect({
            key: this.key(rel),
            body,
            md5: createHash("md5").update(body).digest("base64"),
            sha256,
            contentType: headers.ContentType,
            cacheControl: headers.CacheControl,
            metadata: headers.Metadata,
            ifNoneMatch: true,
          });
        } else {
          const h = createHash("md5");
          for await (const c of createReadStream(source, { highWaterMark: 1 << 20 })) h.update(c as Buffer);
          const r = await this.client.send(
            new PutObjectCommand({
              Bucket: this.bucket,
              Key: this.key(rel),
              Body: createReadStream(source, { highWaterMark: 1 << 20 }),
              ContentLength: size,
              ContentMD5: h.digest("base64"),
              IfNoneMatch: "*",
              ...headers,
            }),
          );
          etag = stripQuotes(r.ETag);
        }
      } catch (e) {
        const st = statusOf(e);
        if (st !== 412 && st !== 409) throw s3Error(e, "write", this.subject(rel));
        // Someone put an object under this pool name since our record was made: it stays.
        this.changes.added.pop();
        this.objects.delete(rel);
        return this.samePool(rel, sha256, source, opts.move);
      }
    }
    this.objects.set(rel, [size, etag, sha256]);
    if (opts.move) dropSource(source);
    afterWrite();
    return true;
  }

  private async multipart(rel: string, source: string, size: number, headers: Record<string, unknown>): Promise<string> {
    const Key = this.key(rel);
    const up = await this.send("start an upload", rel, () => this.client.send(new CreateMultipartUploadCommand({ Bucket: this.bucket, Key, ...headers })));
    const UploadId = up.UploadId!;
    // Parts of at least 8 MiB, at most 10000 of them (S3's limit).
    const partSize = Math.max(8 << 20, Math.ceil(size / 10000));
    const count = Math.ceil(size / partSize);
    const parts: Array<{ PartNumber: number; ETag: string }> = new Array(count);
    try {
      let next = 0;
      const worker = async () => {
        for (let i = next++; i < count; i = next++) {
          this.held();
          const start = i * partSize;
          const len = Math.min(partSize, size - start);
          const md5 = createHash("md5");
          for await (const c of createReadStream(source, { start, end: start + len - 1, highWaterMark: 1 << 20 })) md5.update(c as Buffer);
          const r = await this.client.send(
            new UploadPartCommand({
              Bucket: this.bucket,
              Key,
              UploadId,
              PartNumber: i + 1,
              Body: createReadStream(source, { start, end: start + len - 1, highWaterMark: 1 << 20 }),
              ContentLength: len,
              ContentMD5: md5.digest("base64"),
            }),
          );
          parts[i] = { PartNumber: i + 1, ETag: r.ETag ?? "" };
        }
      };
      await Promise.all([worker(), worker(), worker()]);
      this.held();
      const done = await this.client.send(
        new CompleteMultipartUploadCommand({ Bucket: this.bucket, Key, UploadId, MultipartUpload: { Parts: parts }, IfNoneMatch: "*" }),
      );
      return stripQuotes(done.ETag);
    } catch (e) {
      await this.client.send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key, UploadId })).catch(() => undefined);
      throw s3Error(e, "upload", this.subject(rel));
    }
  }

  /**
   * Copies target's files under link (server-side), in the order that keeps link consistent: by-hash
   * copies and the index names, then Release and Release.gpg, then InRelease. Files under link that
   * target no longer has are left to retention, like any file no index names.
   */
  async alias(link: string, target: string): Promise<void> {
    cleanRel(link);
    cleanRel(target);
    const rank = (rel: string) => (rel.endsWith("/InRelease") ? 2 : /\/Release(\.gpg)?$/.test(rel) && !rel.slice(target.length + 1).includes("/") ? 1 : 0);
    const files = [...this.objects.keys()].filter((k) => k.startsWith(target + "/") && !k.endsWith("/" + MARKER));
    files.sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : 1));
    for (const from of files) {
      const to = link + from.slice(target.length);
      const src = this.objects.get(from)!;
      const have = this.objects.get(to);
      if (have && have[1] === src[1] && have[0] === src[0]) {
        this.changes.unchanged++;
        continue;
      }
      (have ? this.changes.updated : this.changes.added).push(to);
      if (this.dryRun) continue;
      this.held();
      const r = await this.send("copy", to, () =>
        this.client.send(new CopyObjectCommand({ Bucket: this.bucket, Key: this.key(to), CopySource: `${this.bucket}/${this.key(from).split("/").map(encodeURIComponent).join("/")}` })),
      );
      this.objects.set(to, [src[0], stripQuotes(r.CopyObjectResult?.ETag) || src[1], src[2]]);
      afterWrite();
    }
    if (this.aliasMap.get(link) !== target) {
      this.aliasMap.set(link, target);
      await this.saveAliases();
    }
  }

  async aliases(dir: string): Promise<Array<{ link: string; target: string }>> {
    return [...this.aliasMap]
      .filter(([link]) => link.startsWith(dir + "/") && !link.slice(dir.length + 1).includes("/"))
      .map(([link, target]) => ({ link, target }))
      .sort((a, b) => (a.link < b.link ? -1 : 1));
  }

  /** Removes the copies under link, InRelease first, so that no client finds a half suite there. */
  async unalias(link: string): Promise<void> {
    if (!this.aliasMap.has(link)) return;
    const rank = (rel: string) => (rel.endsWith("/InRelease") ? 0 : /\/Release(\.gpg)?$/.test(rel) ? 1 : 2);
    const files = [...this.objects.keys()].filter((k) => k.startsWith(link + "/")).sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : 1));
    this.changes.removed.push(link);
    if (this.dryRun) return;
    for (const f of files) {
      await this.deleteOne(f);
      afterWrite();
    }
    this.aliasMap.delete(link);
    await this.saveAliases();
  }

  private async deleteOne(rel: string): Promise<void> {
    if (!this.objects.has(rel)) return;
    this.held();
    await this.send("delete", rel, () => this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.key(rel) })));
    this.objects.delete(rel);
  }

  async discard(rel: string): Promise<void> {
    if (this.dryRun) return;
    await this.deleteOne(cleanRel(rel));
  }

  async remove(rel: string): Promise<void> {
    cleanRel(rel);
    // A copy under an alias stays while its target's file does (retention sees only target's names).
    const src = this.aliasSource(rel);
    if (src !== null && this.objects.has(src)) return;
    if (!this.objects.has(rel)) return;
    this.changes.removed.push(rel);
    if (this.dryRun) return;
    await this.deleteOne(rel);
    afterWrite();
  }

  async survey(): Promise<string[]> {
    if (!this.dryRun) {
      // Uploads a killed run left unfinished: we hold the lease, so nobody else owns one. Best
      // effort: credentials without s3:ListBucketMultipartUploads still publish.
      const base = this.prefix ? this.prefix + "/" : undefined;
      const r = await this.client.send(new ListMultipartUploadsCommand({ Bucket: this.bucket, Prefix: base })).catch(() => null);
      for (const u of r?.Uploads ?? [])
        if (u.Key && u.UploadId) await this.client.send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: u.Key, UploadId: u.UploadId })).catch(() => undefined);
    }
    // Copies under an alias are live while their target's file is: retention judges the target's.
    const copyOfLive = (p: string) => {
      const src = this.aliasSource(p);
      return src !== null && this.objects.has(src);
    };
    return [...this.objects.keys()].filter((p) => isManaged(p) && !p.endsWith("/" + MARKER) && !copyOfLive(p)).sort();
  }

  async commit(): Promise<void> {
    if (this.dryRun || !this.lease) return;
    await this.store.save({ generation: this.lease.generation, objects: Object.fromEntries(this.objects), aliases: Object.fromEntries(this.aliasMap) });
    this.committed = true;
    // Cached bytes no object on record has any more go.
    const wanted = new Set([...this.objects.values()].map((e) => e[1]));
    for (const f of await readdir(this.cacheDir).catch(() => [] as string[])) if (!wanted.has(f)) await rm(path.join(this.cacheDir, f), { force: true });
  }

  async close(): Promise<void> {
    const lease = this.lease;
    this.lease = null;
    try {
      // A run that stopped at its checks (nothing new) wrote nothing and saved no record: the record
      // it trusted stays trusted, or the next run would list the whole bucket again.
      await lease?.release({ unchanged: this.continuous && !this.wrote && !this.committed });
    } catch (e) {
      throw new StorageError(`could not release the lease: ${(e as Error).message}`, this.subject(LEASE_KEY));
    } finally {
      this.direct.destroy();
      this.client.destroy();
    }
  }

  requests(): Record<string, number> {
    return { ...this.counts };
  }
}
