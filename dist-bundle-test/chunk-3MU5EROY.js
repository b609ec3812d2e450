import {
  RepogenError,
  UsageError
} from "./chunk-URTPPSHB.js";

// dist/publish/storage/s3client.js
import { S3Client, S3ServiceException } from "@aws-sdk/client-s3";
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
var StorageAccessError = class extends UsageError {
};
var StorageError = class extends RepogenError {
};
var MAX_ATTEMPTS = 4;
function makeClient(cfg) {
  const client = new S3Client({
    region: cfg.region,
    ...cfg.endpoint ? { endpoint: cfg.endpoint } : {},
    forcePathStyle: cfg.forcePathStyle,
    // Checksums only where S3 requires them: S3-compatible servers (radosgw 16) refuse the newer
    // trailing-checksum uploads; integrity comes from Content-MD5 and the ETag instead.
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
    maxAttempts: MAX_ATTEMPTS,
    // A run sends thousands of small requests of a handful of kinds: resolving the middleware stack
    // once per kind instead of once per request is about a tenth of the SDK's time per request.
    // (Our only middleware is on the client, added below, so the cached handlers include it.)
    cacheMiddleware: true
  });
  const counts = {};
  client.middlewareStack.add((next, context) => async (args) => {
    const name = (context.commandName ?? "Unknown").replace(/Command$/, "");
    counts[name] = (counts[name] ?? 0) + 1;
    return next(args);
  }, { step: "initialize", name: "repogenRequestCounter" });
  return { client, counts };
}
function statusOf(e) {
  return e?.$metadata?.httpStatusCode;
}
function codeOf(e) {
  const x = e;
  return x?.Code ?? x?.name ?? x?.code ?? "";
}
function s3Error(e, what, subject) {
  if (e instanceof RepogenError)
    return e;
  const code = codeOf(e);
  const status = statusOf(e);
  if (code === "InvalidAccessKeyId" || code === "SignatureDoesNotMatch" || code === "InvalidToken" || code === "ExpiredToken")
    return new StorageAccessError(`wrong credentials (${code}) while trying to ${what}: check AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or the AWS_PROFILE's credentials`, subject);
  if (code === "CredentialsProviderError" || /Could not load credentials/i.test(e?.message ?? ""))
    return new StorageAccessError(`no credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE with a shared credentials file`, subject);
  if (code === "NoSuchBucket")
    return new StorageAccessError(`the bucket does not exist (NoSuchBucket)`, subject);
  if (code === "AccessDenied" || status === 403)
    return new StorageAccessError(`no permission to ${what} (${code || "403 Forbidden"}): the credentials need s3:GetObject, s3:PutObject, s3:DeleteObject and s3:ListBucket on the bucket`, subject);
  const sys = e?.code;
  if (sys === "ECONNREFUSED" || sys === "ENOTFOUND" || sys === "ETIMEDOUT" || sys === "ECONNRESET")
    return new StorageError(`cannot reach the S3 endpoint (${sys}) while trying to ${what}`, subject);
  const msg = e instanceof S3ServiceException ? `${code}${status ? ` (HTTP ${status})` : ""}: ${e.message}` : e?.message ?? String(e);
  return new StorageError(`${what} failed: ${msg.split("\n")[0]}`, subject);
}

export {
  StorageAccessError,
  StorageError,
  MAX_ATTEMPTS,
  makeClient,
  statusOf,
  codeOf,
  s3Error
};
