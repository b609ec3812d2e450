/**
 * The S3 client repogen uses: endpoint and addressing from `[s3]`, credentials the AWS way (the
 * environment, the shared credentials file, AWS_PROFILE), a middleware that counts requests by
 * command, and the translation of S3's errors into one line an operator can act on.
 */
import type { S3Client } from "@aws-sdk/client-s3";
import { s3sdk } from "./sdk.js";
import type { S3Config } from "../../config.js";
import { RepogenError, UsageError } from "../../errors.js";

// The SDK warns on every start under Node 20 (its future minimum); repogen supports Node 20.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

/** A bucket that cannot be used as configured (credentials, bucket, permission): exit 2, nothing written. */
export class StorageAccessError extends UsageError {}

/** An S3 request that failed for another reason (network, server): the run fails. */
export class StorageError extends RepogenError {}

export interface CountedClient {
  client: S3Client;
  counts: Record<string, number>;
}

/** Tries per request (the SDK's standard retry mode, and s3put.ts's). */
export const MAX_ATTEMPTS = 4;

export function makeClient(cfg: S3Config): CountedClient {
  const client = new s3sdk.S3Client({
    region: cfg.region,
    ...(cfg.endpoint ? { endpoint: cfg.endpoint } : {}),
    forcePathStyle: cfg.forcePathStyle,
    // Checksums only where S3 requires them: S3-compatible servers (radosgw 16) refuse the newer
    // trailing-checksum uploads; integrity comes from Content-MD5 and the ETag instead.
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
    maxAttempts: MAX_ATTEMPTS,
    // A run sends thousands of small requests of a handful of kinds: resolving the middleware stack
    // once per kind instead of once per request is about a tenth of the SDK's time per request.
    // (Our only middleware is on the client, added below, so the cached handlers include it.)
    cacheMiddleware: true,
  });
  const counts: Record<string, number> = {};
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const name = (context.commandName ?? "Unknown").replace(/Command$/, "");
      counts[name] = (counts[name] ?? 0) + 1;
      return next(args);
    },
    { step: "initialize", name: "repogenRequestCounter" },
  );
  return { client, counts };
}

export function statusOf(e: unknown): number | undefined {
  return (e as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
}

export function codeOf(e: unknown): string {
  const x = e as { name?: string; Code?: string; code?: string };
  return x?.Code ?? x?.name ?? x?.code ?? "";
}

/** One line for an S3 failure, typed: access problems are the configuration's, others the run's. */
export function s3Error(e: unknown, what: string, subject: string): RepogenError {
  if (e instanceof RepogenError) return e;
  const code = codeOf(e);
  const status = statusOf(e);
  if (code === "InvalidAccessKeyId" || code === "SignatureDoesNotMatch" || code === "InvalidToken" || code === "ExpiredToken")
    return new StorageAccessError(`wrong credentials (${code}) while trying to ${what}: check AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or the AWS_PROFILE's credentials`, subject);
  if (code === "CredentialsProviderError" || /Could not load credentials/i.test((e as Error)?.message ?? ""))
    return new StorageAccessError(`no credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE with a shared credentials file`, subject);
  if (code === "NoSuchBucket") return new StorageAccessError(`the bucket does not exist (NoSuchBucket)`, subject);
  if (code === "AccessDenied" || status === 403)
    return new StorageAccessError(`no permission to ${what} (${code || "403 Forbidden"}): the credentials need s3:GetObject, s3:PutObject, s3:DeleteObject and s3:ListBucket on the bucket`, subject);
  const sys = (e as NodeJS.ErrnoException)?.code;
  if (sys === "ECONNREFUSED" || sys === "ENOTFOUND" || sys === "ETIMEDOUT" || sys === "ECONNRESET")
    return new StorageError(`cannot reach the S3 endpoint (${sys}) while trying to ${what}`, subject);
  const msg = e instanceof s3sdk.S3ServiceException ? `${code}${status ? ` (HTTP ${status})` : ""}: ${e.message}` : (e as Error)?.message ?? String(e);
  return new StorageError(`${what} failed: ${msg.split("\n")[0]}`, subject);
}
