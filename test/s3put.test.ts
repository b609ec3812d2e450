// The direct PutObject's retries and errors, against a server on 127.0.0.1 that answers as S3 does
// when it is busy, drops a connection, refuses a signature or sees a skewed clock. (That real
// radosgw accepts its requests is in e2e/s3-publish.radosgw.test.ts.)
import { afterEach, describe, expect, it } from "vitest";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { createHash } from "node:crypto";
import { S3Client } from "@aws-sdk/client-s3";
import { DirectPut } from "../src/publish/storage/s3put.js";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

const xmlError = (code: string) => `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${code} said the server</Message></Error>`;

interface Seen {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

let server: http.Server | null = null;
let put: DirectPut | null = null;

afterEach(async () => {
  put?.destroy();
  put = null;
  await new Promise((r) => (server ? server.close(r) : r(undefined)));
  server = null;
});

/** A server that answers the n-th request (from 0) with answers[n], the last one from then on. */
async function serve(answers: Array<(req: http.IncomingMessage, res: http.ServerResponse) => void>): Promise<{ seen: Seen[]; client: DirectPut }> {
  const seen: Seen[] = [];
  server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      seen.push({ path: req.url ?? "", headers: req.headers, body });
      answers[Math.min(seen.length - 1, answers.length - 1)]!(req, res);
    });
  });
  await new Promise<void>((r) => server!.listen(0, "127.0.0.1", r));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const sdk = new S3Client({ endpoint, region: "us-east-1", forcePathStyle: true, credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" } });
  put = new DirectPut(sdk, "bucket", { endpoint, forcePathStyle: true, maxAttempts: 4, sockets: 2 });
  return { seen, client: put };
}

const ok = (_: http.IncomingMessage, res: http.ServerResponse) => res.writeHead(200, { ETag: '"0123abcd"' }).end();
const fail = (status: number, code: string, headers: Record<string, string> = {}) => (_: http.IncomingMessage, res: http.ServerResponse) =>
  res.writeHead(status, { "Content-Type": "application/xml", ...headers }).end(xmlError(code));

const body = Buffer.from("some bytes");
const request = (key = "repo/apt/pool/main/a/a_1.0+b1_all.deb") => ({
  key,
  body,
  md5: createHash("md5").update(body).digest("base64"),
  sha256: createHash("sha256").update(body).digest("hex"),
  contentType: "application/vnd.debian.binary-package",
  cacheControl: "public, max-age=31536000, immutable",
  metadata: { sha256: "ab" },
  ifNoneMatch: true,
});

describe("direct PutObject", () => {
  it("sends the bucket's path, the headers, the signed payload hash and the body; returns the ETag", async () => {
    const { seen, client } = await serve([ok]);
    expect(await client.put(request())).toBe("0123abcd");
    expect(seen).toHaveLength(1);
    const s = seen[0]!;
    expect(s.path).toBe("/bucket/repo/apt/pool/main/a/a_1.0%2Bb1_all.deb");
    expect(s.body).toBe("some bytes");
    expect(s.headers["if-none-match"]).toBe("*");
    expect(s.headers["x-amz-meta-sha256"]).toBe("ab");
    expect(s.headers["x-amz-content-sha256"]).toBe(request().sha256);
    expect(s.headers["content-md5"]).toBe(request().md5);
    expect(s.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/us-east-1\/s3\/aws4_request, SignedHeaders=[^,]*content-md5;[^,]*if-none-match;[^,]*x-amz-content-sha256/);
  });

  it("a busy server (503 SlowDown, 500) is tried again, up to four times in all", async () => {
    const a = await serve([fail(503, "SlowDown"), fail(500, "InternalError"), ok]);
    expect(await a.client.put(request())).toBe("0123abcd");
    expect(a.seen).toHaveLength(3);
    await new Promise((r) => server!.close(r));
    put!.destroy();
    const b = await serve([fail(503, "SlowDown")]);
    await expect(b.client.put(request())).rejects.toMatchObject({ name: "SlowDown", $metadata: { httpStatusCode: 503 } });
    expect(b.seen).toHaveLength(4);
  });

  it("a dropped connection is tried again", async () => {
    const { seen, client } = await serve([(req) => req.socket.destroy(), ok]);
    expect(await client.put(request())).toBe("0123abcd");
    expect(seen).toHaveLength(2);
  });

  it("a refusal (412 on a taken pool key, 403, 400 BadDigest) is thrown at once, with S3's code and status", async () => {
    for (const [status, code] of [
      [412, "PreconditionFailed"],
      [403, "SignatureDoesNotMatch"],
      [400, "BadDigest"],
    ] as const) {
      const { seen, client } = await serve([fail(status, code)]);
      await expect(client.put(request())).rejects.toMatchObject({ name: code, $metadata: { httpStatusCode: status }, message: `${code} said the server` });
      expect(seen).toHaveLength(1);
      await new Promise((r) => server!.close(r));
      put!.destroy();
      server = null;
    }
  });

  it("a skewed clock is corrected from the server's Date and the request signed again", async () => {
    const serverTime = new Date(Date.now() + 3 * 3600_000);
    const { seen, client } = await serve([fail(403, "RequestTimeTooSkewed", { Date: serverTime.toUTCString() }), ok]);
    expect(await client.put(request())).toBe("0123abcd");
    expect(seen).toHaveLength(2);
    const stamp = (h: http.IncomingHttpHeaders) => {
      const m = String(h["x-amz-date"]).match(/^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/)!;
      return Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
    };
    expect(Math.abs(stamp(seen[0]!.headers) - Date.now())).toBeLessThan(60_000);
    expect(Math.abs(stamp(seen[1]!.headers) - serverTime.getTime())).toBeLessThan(60_000);
  });
});
