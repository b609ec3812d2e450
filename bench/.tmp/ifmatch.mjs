import { startRadosgw } from "/work/wt/storage/test/support/radosgw.mjs";
import { PutObjectCommand, GetObjectCommand } from "@aws-sdk/client-s3";
const g = await startRadosgw();
try {
  const c = g.client();
  await g.createBucket("bucket1");
  const p = await c.send(new PutObjectCommand({ Bucket: "bucket1", Key: "k", Body: "one", IfNoneMatch: "*" }));
  console.log("put etag", p.ETag);
  const gg = await c.send(new GetObjectCommand({ Bucket: "bucket1", Key: "k" }));
  console.log("get etag", gg.ETag);
  for (const im of [p.ETag, p.ETag.replace(/"/g, ""), '"wrong"']) {
    try { const r = await c.send(new PutObjectCommand({ Bucket: "bucket1", Key: "k", Body: "two" + im, IfMatch: im })); console.log("IfMatch", im, "ok", r.ETag); }
    catch (e) { console.log("IfMatch", im, "fail", e.$metadata?.httpStatusCode, e.name); }
  }
  try { await c.send(new PutObjectCommand({ Bucket: "bucket1", Key: "k", Body: "x", IfNoneMatch: "*" })); console.log("INM ok?!"); } catch (e) { console.log("INM", e.$metadata?.httpStatusCode, e.name); }
} finally { await g.stop(); }
