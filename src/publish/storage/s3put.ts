/**
 * PutObject of bytes held in memory: the request a cold run makes thousands of times (one per pool
 * object and web page). It is signed with the SDK's own SigV4 signer and sent on a keep-alive agent,
 * without the SDK's middleware stack: per request that stack (serialization through the schema,
 * endpoint rules, retry, user agent, checksums) costs about twice what signing and sending do, and
 * on a 2-core machine shared with radosgw that CPU is taken from the server. Credentials (the AWS
 * chain), region, signing name and the bucket's URL all come from the SDK client, so they are the
 * ones every other request uses. Retries follow the SDK's standard mode: up to maxAttempts on a
 * network error, a 5xx, 429 or a throttling code, with exponential backoff and full jitter; a
 * clock-skew refusal corrects the clock from the server's Date and tries again.
 */
import http from "node:http";
import https from "node:https";
import type { S3Client, S3ServiceException } from "@aws-sdk/client-s3";
import type { SignatureV4 } from "@smithy/signature-v4";
import { s3sdk, sigv4 } from "./sdk.js";

export interface DirectPutRequest {
  key: string;
  body: Buffer;
  /** Base64 MD5 of body (Content-MD5): the server refuses bytes damaged on the way. */
  md5: string;
  /** Hex SHA-256 of body: signed as the payload hash, so it is checked by the server too. */
  sha256: string;
  contentType: string;
  cacheControl: string;
  metadata?: Record<string, string>;
  /** If-None-Match: * (a pool object is never replaced). */
  ifNoneMatch?: boolean;
}

/** The SDK's encoding of a key's path segments (RFC 3986 unreserved characters stay). */
const encodeSegment = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase());

const RETRY_CODES = new Set(["SlowDown", "Throttling", "ThrottlingException", "RequestTimeout", "RequestTimeTooSkewed", "InternalError", "ServiceUnavailable", "RequestLimitExceeded"]);
const RETRY_NET = new Set(["ECONNRESET", "ECONNREFUSED", "EPIPE", "ETIMEDOUT", "ECONNABORTED", "EAI_AGAIN", "ERR_STREAM_PREMATURE_CLOSE"]);
const SKEW_CODES = new Set(["RequestTimeTooSkewed", "RequestExpired", "RequestInTheFuture", "SignatureExpired"]);
/** A request that has not progressed for this long is abandoned (and retried). */
const IDLE_MS = 120_000;

interface Response {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export class DirectPut {
  private readonly agent: http.Agent;
  private base: Promise<{ url: URL; signer: SignatureV4 }> | null = null;
  private clockOffset = 0;

  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
    private readonly opts: { endpoint?: string; forcePathStyle: boolean; maxAttempts: number; sockets: number },
  ) {
    const https_ = opts.endpoint ? opts.endpoint.startsWith("https:") : true;
    this.agent = https_ ? new https.Agent({ keepAlive: true, maxSockets: opts.sockets }) : new http.Agent({ keepAlive: true, maxSockets: opts.sockets });
  }

  /** The bucket's URL and signer, as the SDK resolves them for this bucket (once). */
  private resolve(): Promise<{ url: URL; signer: SignatureV4 }> {
    return (this.base ??= (async () => {
      const cfg = this.client.config;
      const region = await cfg.region();
      const ep = await cfg.endpointProvider({
        Bucket: this.bucket,
        Region: region,
        ForcePathStyle: this.opts.forcePathStyle,
        UseFIPS: false,
        UseDualStack: false,
        Accelerate: false,
        ...(this.opts.endpoint ? { Endpoint: this.opts.endpoint } : {}),
      });
      const auth = (ep.properties?.authSchemes as Array<{ name?: string; signingName?: string; signingRegion?: string }> | undefined)?.find((a) => a.name === "sigv4");
      const signer = new sigv4.SignatureV4({
        credentials: cfg.credentials,
        region: auth?.signingRegion ?? region,
        service: auth?.signingName ?? "s3",
        sha256: cfg.sha256,
        uriEscapePath: false,
        applyChecksum: true,
      });
      return { url: new URL(ep.url.href), signer };
    })());
  }

  /** Puts the object; resolves with its ETag (no quotes). Throws like the SDK does. */
  async put(r: DirectPutRequest): Promise<string> {
    const { url, signer } = await this.resolve();
    const path = url.pathname.replace(/\/$/, "") + "/" + r.key.split("/").map(encodeSegment).join("/");
    const headers: Record<string, string> = {
      host: url.host,
      "content-length": String(r.body.length),
      "content-md5": r.md5,
      "content-type": r.contentType,
      "cache-control": r.cacheControl,
      "x-amz-content-sha256": r.sha256,
    };
    if (r.ifNoneMatch) headers["if-none-match"] = "*";
    for (const [k, v] of Object.entries(r.metadata ?? {})) headers[`x-amz-meta-${k}`] = v;
    for (let attempt = 1; ; attempt++) {
      let res: Response;
      try {
        const signed = await signer.sign(
          { method: "PUT", protocol: url.protocol, hostname: url.hostname, port: url.port ? Number(url.port) : undefined, path, query: {}, headers: { ...headers } },
          { signingDate: new Date(Date.now() + this.clockOffset) },
        );
        res = await this.send(url, path, signed.headers, r.body);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code ?? "";
        if (attempt < this.opts.maxAttempts && RETRY_NET.has(code)) {
          await this.backoff(attempt);
          continue;
        }
        throw e;
      }
      if (res.status >= 200 && res.status < 300) return String(res.headers.etag ?? "").replace(/^"|"$/g, "");
      const err = this.error(res);
      if (attempt < this.opts.maxAttempts) {
        if (SKEW_CODES.has(err.name) && res.headers.date) {
          const server = Date.parse(res.headers.date);
          if (Number.isFinite(server)) this.clockOffset = server - Date.now();
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

  private backoff(attempt: number): Promise<void> {
    const ms = Math.random() * Math.min(20_000, 100 * 2 ** attempt);
    return new Promise((r) => setTimeout(r, ms));
  }

  private send(url: URL, path: string, headers: Record<string, string>, body: Buffer): Promise<Response> {
    const mod = url.protocol === "https:" ? https : http;
    return new Promise((resolve, reject) => {
      const req = mod.request({ agent: this.agent, protocol: url.protocol, hostname: url.hostname, port: url.port || undefined, method: "PUT", path, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }));
        res.on("error", reject);
      });
      req.setTimeout(IDLE_MS, () => req.destroy(Object.assign(new Error(`no answer for ${IDLE_MS / 1000} s`), { code: "ETIMEDOUT" })));
      req.on("error", reject);
      req.end(body);
    });
  }

  /** The error the SDK would throw for this answer: S3's XML error code and message, and the status. */
  private error(res: Response): S3ServiceException {
    const tag = (t: string) => res.body.match(new RegExp(`<${t}>([^<]*)</${t}>`))?.[1];
    const name = tag("Code") ?? (res.status === 412 ? "PreconditionFailed" : res.status === 404 ? "NotFound" : `HTTP${res.status}`);
    return new s3sdk.S3ServiceException({
      name,
      $fault: res.status >= 500 ? "server" : "client",
      $metadata: { httpStatusCode: res.status, requestId: String(res.headers["x-amz-request-id"] ?? "") || undefined },
      message: tag("Message") ?? name,
    });
  }

  destroy(): void {
    this.agent.destroy();
  }
}
