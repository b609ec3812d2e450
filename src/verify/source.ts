/**
 * Where verify reads a tree from: a folder, an http(s) URL of the output root, or an s3://
 * bucket (read with credentials). Every read is
 * bounded: it never leaves the target (no `..`, no absolute name, and in a folder no symlink out of
 * it), each file kind has a size cap, and over http each request has a time-out and the whole check
 * a deadline. A transport failure (time-out, deadline, a body over its cap, no connection) is a
 * FetchError: verify reports it as one line and stops.
 */
import { createHash } from "node:crypto";
import { createReadStream, realpathSync } from "node:fs";
import { open, readdir, stat } from "node:fs/promises";
import path from "node:path";
import { parseS3Url, type S3Config } from "../config.js";
import { RepogenError, UnsafePathError, UsageError } from "../errors.js";

/** The source could not be read as a whole (time-out, deadline, a body over its cap, no connection). */
export class FetchError extends RepogenError {}

export interface TreeSource {
  describe: string;
  get(rel: string): Promise<Buffer | null>;
  /** Size without reading the body (HEAD over http). */
  size(rel: string): Promise<number | null>;
  /** Streams the file; more than `expect` bytes (when given) is a mismatch, not read to the end. */
  sha256(rel: string, expect?: number): Promise<string | null>;
  /** Sub-folders of rel, where the source can list them. */
  list(rel: string): Promise<string[] | null>;
}

export interface Limits {
  /** One request, from connecting to the last byte of the body. */
  requestMs: number;
  /** The whole check. */
  totalMs: number;
}

export const DEFAULT_LIMITS: Limits = { requestMs: 30_000, totalMs: 15 * 60_000 };

const MiB = 1 << 20;

/**
 * What each kind of file may weigh. Debian's own main/binary-amd64/Packages.xz is about 10 MB and
 * its InRelease 150 KB; these leave room for large archives and stop a server that never stops.
 */
export function capFor(rel: string): number {
  const base = rel.slice(rel.lastIndexOf("/") + 1);
  if (/^(InRelease|Release|Release\.gpg)$/.test(base)) return 16 * MiB;
  if (rel === "index.html" || base === "meta.conf" || /\.(gpg|asc|pub|conf)$/.test(base)) return 4 * MiB;
  if (base.startsWith(".")) return 64 * MiB; // a publishing marker
  return 1024 * MiB; // index files and catalogues (by name or by hash)
}

/**
 * A name taken from the tree (a Filename, a repopath, a path in Release) as something to fetch:
 * relative, no `..`, no empty or `.` parts, no backslash or control character. Returns why not, or null.
 */
export function unsafeName(rel: string): string | null {
  if (rel === "") return "an empty name";
  if (rel.startsWith("/") || /^[A-Za-z]:/.test(rel)) return "an absolute path";
  if (/[\\\x00-\x1f\x7f]/.test(rel)) return "a backslash or control character";
  if (/^[a-z][a-z0-9+.-]*:/i.test(rel)) return "a URL";
  const parts = rel.split("/");
  if (parts.includes("..")) return `".."`;
  if (parts.some((p) => p === "" || p === ".")) return "an empty or \".\" part";
  return null;
}

function checkName(rel: string): void {
  const why = unsafeName(rel);
  if (why) throw new UnsafePathError(`refused: the name holds ${why}, so it could leave the tree`, rel);
}

const human = (n: number) => (n >= MiB ? `${n / MiB} MiB` : `${n} bytes`);

export function folderSource(root: string): TreeSource {
  const realRoot = (() => {
    try {
      return realpathSync.native(root);
    } catch {
      return path.resolve(root);
    }
  })();
  /** The file's real path, inside the tree; null when it is not there. */
  const resolve = (rel: string): string | null => {
    checkName(rel);
    let real: string;
    try {
      real = realpathSync.native(path.join(realRoot, rel));
    } catch {
      return null;
    }
    const r = path.relative(realRoot, real);
    if (r === ".." || r.startsWith(".." + path.sep) || path.isAbsolute(r)) throw new UnsafePathError("refused: a symlink leads out of the tree", rel);
    return real;
  };
  const regular = async (rel: string) => {
    const real = resolve(rel);
    if (!real) return null;
    const st = await stat(real).catch(() => null);
    // Only regular files are read: a FIFO would block, a device never end.
    return st?.isFile() ? { real, size: st.size } : null;
  };
  return {
    describe: root,
    async get(rel) {
      const f = await regular(rel);
      if (!f) return null;
      const cap = capFor(rel);
      if (f.size > cap) throw new FetchError(`larger than the ${human(cap)} a file of this kind may be; not read`, path.join(root, rel));
      const fh = await open(f.real, "r");
      try {
        const buf = Buffer.alloc(f.size);
        let off = 0;
        while (off < f.size) {
          const { bytesRead } = await fh.read(buf, off, f.size - off, off);
          if (bytesRead === 0) break;
          off += bytesRead;
        }
        return buf.subarray(0, off);
      } finally {
        await fh.close();
      }
    },
    size: async (rel) => (await regular(rel))?.size ?? null,
    async sha256(rel) {
      const f = await regular(rel);
      if (!f) return null;
      const h = createHash("sha256");
      for await (const c of createReadStream(f.real, { highWaterMark: MiB })) h.update(c as Buffer);
      return h.digest("hex");
    },
    list: async (rel) => {
      try {
        const dir = resolve(rel);
        if (!dir) return null;
        const ents = await readdir(dir, { withFileTypes: true });
        return ents.filter((e) => e.isDirectory() && !e.name.startsWith(".")).map((e) => e.name).sort();
      } catch (e) {
        if (e instanceof UnsafePathError) throw e;
        return null;
      }
    },
  };
}

export function httpSource(base: string, limits: Limits = DEFAULT_LIMITS): TreeSource {
  const root = base.replace(/\/+$/, "");
  const url = (rel: string) => `${root}/${rel.split("/").map(encodeURIComponent).join("/")}`;
  const deadline = AbortSignal.timeout(limits.totalMs);
  const secs = (ms: number) => `${ms / 1000} s`;

  /** One request with its own time-out, under the deadline; null for a status that is not 2xx. */
  async function request(rel: string, method: "GET" | "HEAD", suffix = ""): Promise<{ res: Response; signal: AbortSignal } | null> {
    checkName(rel);
    const own = AbortSignal.timeout(limits.requestMs);
    const signal = AbortSignal.any([own, deadline]);
    let res: Response;
    try {
      res = await fetch(url(rel) + suffix, { method, signal, redirect: "follow" });
    } catch (e) {
      throw failure(e, rel, own);
    }
    if (!res.ok) {
      await res.body?.cancel().catch(() => undefined);
      return null;
    }
    return { res, signal: own };
  }

  function failure(e: unknown, rel: string, own: AbortSignal): FetchError {
    const where = url(rel);
    if (deadline.aborted) return new FetchError(`verify ran out of its ${secs(limits.totalMs)} overall time-out (--max-time) here; stopped`, where);
    if (own.aborted) return new FetchError(`no complete answer within ${secs(limits.requestMs)} (--timeout); stopped`, where);
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    return new FetchError(`cannot be fetched (${cause?.code ?? cause?.message ?? (e as Error).message}); stopped`, where);
  }

  /** Reads a body in chunks, never past `cap` bytes (a server that never stops is cut off there). */
  async function body(rel: string, res: Response, own: AbortSignal, cap: number, onChunk: (c: Uint8Array) => void): Promise<number> {
    const declared = Number(res.headers.get("content-length") ?? NaN);
    const tooBig = () => new FetchError(`larger than the ${human(cap)} a file of this kind may be; not read`, url(rel));
    if (declared > cap) {
      await res.body?.cancel().catch(() => undefined);
      throw tooBig();
    }
    let n = 0;
    if (!res.body) return 0;
    const reader = res.body.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        n += value.byteLength;
        if (n > cap) throw tooBig();
        onChunk(value);
      }
    } catch (e) {
      if (e instanceof FetchError) throw e;
      throw failure(e, rel, own);
    } finally {
      reader.cancel().catch(() => undefined);
    }
    return n;
  }

  return {
    describe: root,
    async get(rel) {
      const r = await request(rel, "GET");
      if (!r) return null;
      const parts: Uint8Array[] = [];
      await body(rel, r.res, r.signal, capFor(rel), (c) => parts.push(c));
      return Buffer.concat(parts);
    },
    async size(rel) {
      const r = await request(rel, "HEAD");
      if (!r) return null;
      const n = r.res.headers.get("content-length");
      return n === null ? null : Number(n);
    },
    async sha256(rel, expect) {
      const r = await request(rel, "GET");
      if (!r) return null;
      const h = createHash("sha256");
      try {
        // A pool file may be large, but never larger than the index says: one byte more is a mismatch.
        await body(rel, r.res, r.signal, expect !== undefined ? expect : 64 * 1024 * MiB, (c) => h.update(c));
      } catch (e) {
        if (e instanceof FetchError && expect !== undefined && /larger than/.test(e.message)) return "(larger than the index says)";
        throw e;
      }
      return h.digest("hex");
    },
    async list(rel) {
      // Works where the server lists folders (autoindex, python -m http.server).
      const r = await request(rel, "GET", "/");
      if (!r) return null;
      const parts: Uint8Array[] = [];
      await body(rel, r.res, r.signal, 4 * MiB, (c) => parts.push(c));
      const html = Buffer.concat(parts).toString("utf8");
      const names = [...html.matchAll(/href="([^"?#/][^"?#]*)\/"/g)].map((m) => decodeURIComponent(m[1]!)).filter((n) => !n.startsWith(".") && !n.includes("/"));
      return [...new Set(names)].sort();
    },
  };
}

/** An s3://BUCKET/PREFIX read with credentials (the AWS way) and the `[s3]` settings. */
export async function s3Source(url: string, cfg: S3Config): Promise<TreeSource> {
  const u = parseS3Url(url);
  if (!u) throw new UsageError("must be s3://BUCKET or s3://BUCKET/PREFIX", url);
  const { makeClient, s3Error, statusOf } = await import("../publish/storage/s3client.js");
  const { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command } = (await import("../publish/storage/sdk.js")).s3sdk;
  const { client } = makeClient(cfg);
  const key = (rel: string) => (u.prefix ? `${u.prefix}/${rel}` : rel);
  const orNull = async <T>(what: string, rel: string, f: () => Promise<T>): Promise<T | null> => {
    try {
      return await f();
    } catch (e) {
      if (statusOf(e) === 404) return null;
      // Access problems are the command's failure, not a missing file.
      throw s3Error(e, what, `${url}/${rel}`);
    }
  };
  return {
    describe: url,
    get: (rel) =>
      orNull("read", rel, async () => {
        const r = await client.send(new GetObjectCommand({ Bucket: u.bucket, Key: key(rel) }));
        return Buffer.from(await r.Body!.transformToByteArray());
      }),
    size: (rel) => orNull("read", rel, async () => (await client.send(new HeadObjectCommand({ Bucket: u.bucket, Key: key(rel) }))).ContentLength ?? 0),
    sha256: (rel, expect) =>
      orNull("read", rel, async () => {
        const r = await client.send(new GetObjectCommand({ Bucket: u.bucket, Key: key(rel) }));
        const h = createHash("sha256");
        let n = 0;
        for await (const c of r.Body as AsyncIterable<Uint8Array>) {
          n += c.length;
          // More than the index says is a mismatch: not read to the end.
          if (expect !== undefined && n > expect) return "size-exceeds-index";
          h.update(c);
        }
        return h.digest("hex");
      }),
    async list(rel) {
      const names: string[] = [];
      let token: string | undefined;
      for (let page = 0; page < 1000; page++) {
        const r = await orNull("list", rel, () =>
          client.send(new ListObjectsV2Command({ Bucket: u.bucket, Prefix: key(rel) + "/", Delimiter: "/", ContinuationToken: token })),
        );
        if (!r) return null;
        for (const p of r.CommonPrefixes ?? []) {
          const n = p.Prefix!.slice(key(rel).length + 1).replace(/\/$/, "");
          if (n && !n.startsWith(".")) names.push(n);
        }
        if (!r.IsTruncated || !r.NextContinuationToken) break;
        token = r.NextContinuationToken;
      }
      return names.sort();
    },
  };
}
