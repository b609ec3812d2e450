/**
 * The AWS SDK, loaded with require(). It ships CommonJS only, and a CommonJS package imported from an
 * ES module is first scanned for its exports, which doubled its loading time (about 150 ms against
 * 75 ms on 2 shared cores): a cost on every start of a run into a bucket, a third of one with
 * nothing new. Types come from the packages themselves (import type).
 */
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

export const s3sdk = require("@aws-sdk/client-s3") as typeof import("@aws-sdk/client-s3");
export const sigv4 = require("@smithy/signature-v4") as typeof import("@smithy/signature-v4");
