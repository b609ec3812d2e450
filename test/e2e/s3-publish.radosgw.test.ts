// Publishing into a real S3 server (Ceph radosgw on 127.0.0.1, started from nothing by the set-up):
// real apt-get and the FreeBSD catalogues' readers on the bucket's public URL, request counts, the
// pool's never-replace rule, the two-writer lease and the one-line access errors.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { createHash, randomBytes } from "node:crypto";
import { HeadObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { DirectPut } from "../../src/publish/storage/s3put.js";
import { must, repogen, ROOT, sh, tmp } from "../helpers.js";
import { AptRoot, problems } from "../apt-helpers.js";
import { craftDeb, readyBuild } from "../builds.js";
import { addDebs, generate, getObject, s3Site, spawnGenerate, startRadosgw, summary, total, waitLeaseExpiry, type Gateway, type Site } from "../s3-helpers.js";

const NOW = new Date(Math.floor(Date.now() / 1000) * 1000).toISOString();
const FIX = path.join(ROOT, "test", "fixtures", "freebsd");
let g: Gateway;

beforeAll(async () => {
  g = await startRadosgw();
}, 180_000);
afterAll(async () => {
  await g?.stop();
});


async function aptFor(s: Site, name: string): Promise<AptRoot> {
  const apt = new AptRoot(path.join(s.work, name));
  const ring = path.join(s.work, `${name}.gpg`);
  writeFileSync(ring, Buffer.from(await (await fetch(`${s.url}/apt/archive-keyring.gpg`)).arrayBuffer()));
  apt.addSource(`${s.url}/apt`, "debian-12", ring);
  return apt;
}

function verifyBoth(s: Site): void {
  const pub = repogen(["verify", s.url, "--apt-keyring", path.join(s.keys, "apt-signing-key.pub.asc")], { env: s.env });
  expect(pub.stderr.replace(/^warning:.*\n/gm, ""), "verify on the public URL").toBe("");
  expect(pub.status).toBe(0);
  const priv = repogen(["verify", `s3://${s.bucket}/repo`, "--config", s.config, "--deep", "--apt-keyring", path.join(s.keys, "apt-signing-key.pub.asc")], { env: s.env });
  expect(priv.stderr.replace(/^warning:.*\n/gm, ""), "verify on s3://").toBe("");
  expect(priv.status).toBe(0);
}

describe("generate into a bucket", () => {
  it("apt-get update and install from the public URL, FreeBSD catalogues readable, headers for a CDN, verify on both URLs", async () => {
    const s = await s3Site(g, "repo-main", { multipartMib: 5, toml: `[apt.suites.debian-12]\ncodename = "bookworm"\n` });
    addDebs(s, 0, 5, "2026-11-20T10:00:00Z");
    // one package over multipart_mib: uploaded in parts
    const big = path.join(s.work, "big_1.0-1_amd64.deb");
    craftDeb(big, "Package: bigpkg\nVersion: 1.0-1\nArchitecture: amd64\nMaintainer: A <a@example.org>\nDescription: big\n", { "blob.bin": randomBytes(7 << 20) });
    readyBuild(s.builds, { job: "bigpkg", uuid: "b-big", start: "2026-11-20T10:00:00Z" }, big);
    readyBuild(s.builds, { job: "hello", uuid: "fb-hello", platform: "freebsd-14", start: "2026-11-19T11:00:00Z" }, path.join(FIX, "repo/All/hello-1.0_1.pkg"));
    const r = generate(s, NOW);
    expect(r.status, r.stderr).toBe(0);
    const j = summary(r);
    expect(j.requests?.CreateMultipartUpload).toBe(1);
    expect(j.requests?.UploadPart).toBeGreaterThanOrEqual(1);

    const apt = await aptFor(s, "root");
    const u = apt.apt(["update"]);
    expect(u.status, u.stdout + u.stderr).toBe(0);
    expect(problems(u)).toEqual([]);
    const i = apt.install("pkg0003", "bigpkg");
    expect(i.status, i.stdout + i.stderr).toBe(0);
    expect(problems(i)).toEqual([]);
    verifyBoth(s);
    // the Codename alias: the same suite under dists/bookworm, copies made after the suite's InRelease
    const byCodename = new AptRoot(path.join(s.work, "root-bookworm"));
    byCodename.addSource(`${s.url}/apt`, "bookworm", path.join(s.work, "root.gpg"));
    const ub = byCodename.apt(["update"]);
    expect(problems(ub), ub.stdout + ub.stderr).toEqual([]);
    expect(byCodename.install("pkg0002").status).toBe(0);
    expect(j.added).toContain("apt/dists/bookworm/InRelease");
    expect(j.added.indexOf("apt/dists/bookworm/InRelease")).toBeGreaterThan(j.added.indexOf("apt/dists/debian-12/InRelease"));

    // FreeBSD: the catalogue fetched over HTTP, unpacked by tar, its signature checked by openssl
    const abi = `${s.url}/pkg/FreeBSD:14:amd64`;
    const d = tmp();
    const data = Buffer.from(await (await fetch(`${abi}/data.pkg`)).arrayBuffer());
    writeFileSync(path.join(d, "data.pkg"), data);
    must("tar", ["-xf", path.join(d, "data.pkg"), "-C", d]);
    const member = readFileSync(path.join(d, "data"));
    const cat = JSON.parse(member.toString()) as { packages: Array<{ name: string; path: string; sum: string }> };
    expect(cat.packages.map((p) => p.name)).toEqual(["hello"]);
    const pkgBytes = Buffer.from(await (await fetch(`${abi}/${cat.packages[0]!.path}`)).arrayBuffer());
    expect(createHash("sha256").update(pkgBytes).digest("hex")).toBe(cat.packages[0]!.sum);
    writeFileSync(path.join(d, "hex"), createHash("sha256").update(member).digest("hex"));
    const sig = readFileSync(path.join(d, "signature"));
    writeFileSync(path.join(d, "data.sig"), sig.subarray(0, -1)); // pkg's signature ends with a NUL
    writeFileSync(path.join(d, "repo.pub"), Buffer.from(await (await fetch(`${s.url}/pkg/repo.pub`)).arrayBuffer()));
    const v = sh("openssl", ["dgst", "-sha256", "-verify", path.join(d, "repo.pub"), "-signature", path.join(d, "data.sig"), path.join(d, "hex")]);
    expect(v.stdout).toContain("Verified OK");

    // headers a CDN acts on
    const head = async (rel: string) => (await fetch(`${s.url}/${rel}`, { method: "HEAD" })).headers;
    const inrel = await head("apt/dists/debian-12/InRelease");
    expect(inrel.get("cache-control")).toBe("public, max-age=60");
    expect(inrel.get("content-type")).toMatch(/^text\/plain/);
    const pool = j.added.find((f) => f.startsWith("apt/pool/main/p/pkg0001/"))!;
    const ph = await head(pool);
    expect(ph.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(ph.get("content-type")).toBe("application/vnd.debian.binary-package");
    const byHash = j.added.find((f) => f.includes("/by-hash/SHA256/"))!;
    expect((await head(byHash)).get("cache-control")).toContain("immutable");
    expect((await head("index.html")).get("content-type")).toMatch(/^text\/html/);
    expect((await head("apt/dists/debian-12/main/binary-amd64/Packages.xz")).get("cache-control")).toBe("public, max-age=60");
  });

  it("a second run with nothing new writes nothing; ten new builds cost the same requests in a small and a large repository", async () => {
    const small = await s3Site(g, "repo-small");
    const large = await s3Site(g, "repo-large");
    addDebs(small, 0, 20, "2026-11-20T10:00:00Z");
    addDebs(large, 0, 220, "2026-11-20T10:00:00Z");
    for (const s of [small, large]) expect(generate(s, NOW).status).toBe(0);
    // twice: a run that stops at its checks leaves the record trusted for the next one
    for (const s of [small, large, small, large]) {
      const again = summary(generate(s, NOW));
      expect(again.added).toEqual([]);
      expect(again.updated).toEqual([]);
      const req = again.requests!;
      expect(req.PutObject ?? 0, JSON.stringify(req)).toBe(1); // the lease, taken (and released after the summary)
      expect(req.DeleteObject ?? 0).toBe(0);
      expect(req.ListObjectsV2 ?? 0).toBe(0);
    }
    addDebs(small, 1000, 10, "2026-11-21T10:00:00Z");
    addDebs(large, 1000, 10, "2026-11-21T10:00:00Z");
    const a = summary(generate(small, NOW));
    const b = summary(generate(large, NOW));
    expect(a.added.filter((f) => f.startsWith("apt/pool/"))).toHaveLength(10);
    expect(b.added.filter((f) => f.startsWith("apt/pool/"))).toHaveLength(10);
    expect(b.requests!.PutObject).toBe(a.requests!.PutObject);
    expect(b.requests!.ListObjectsV2 ?? 0).toBe(0);
    expect(total(b.requests), `${JSON.stringify(a.requests)} vs ${JSON.stringify(b.requests)}`).toBe(total(a.requests));
    // a state folder that knows nothing rebuilds its record from one listing and still writes nothing
    const fresh = await s3Site(g, "repo-large", { work: large.work, keys: large.keys, state: path.join(large.work, "state-fresh") });
    const f = summary(generate(fresh, NOW));
    expect(f.added).toEqual([]);
    expect(f.requests!.ListObjectsV2).toBeGreaterThanOrEqual(1);
    const apt = await aptFor(large, "root");
    expect(problems(apt.apt(["update"]))).toEqual([]);
    expect(apt.install("pkg1009").status).toBe(0);
  });

  it("a pool object already in the bucket with other bytes is never replaced: that build is rejected", async () => {
    const s = await s3Site(g, "repo-conflict");
    addDebs(s, 0, 3, "2026-11-20T10:00:00Z");
    expect(generate(s, NOW).status).toBe(0);
    addDebs(s, 10, 2, "2026-11-21T10:00:00Z");
    const dry = summary(generate(s, NOW, ["--dry-run"]));
    const target = dry.added.find((f) => f.startsWith("apt/pool/main/p/pkg0010/"))!;
    expect(target).toBeTruthy();
    const c = g.client();
    await c.send(new PutObjectCommand({ Bucket: s.bucket, Key: `repo/${target}`, Body: "somebody else's bytes" }));
    const r = generate(s, NOW);
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/pkg0010.*never replaced/);
    expect((await getObject(c, s.bucket, `repo/${target}`))!.toString()).toBe("somebody else's bytes");
    const apt = await aptFor(s, "root");
    expect(problems(apt.apt(["update"]))).toEqual([]);
    expect(apt.install("pkg0011").status).toBe(0);
    expect(apt.install("pkg0010").status).not.toBe(0);
  });
});

describe("the direct PutObject (signed by the SDK's signer, without its middleware)", () => {
  it("keys with reserved characters, headers and metadata as sent; a damaged body or a taken key is refused, not retried", async () => {
    await g.createBucket("repo-direct");
    const sdk = new S3Client({ endpoint: g.endpoint, region: "us-east-1", forcePathStyle: true, credentials: { accessKeyId: g.env.AWS_ACCESS_KEY_ID!, secretAccessKey: g.env.AWS_SECRET_ACCESS_KEY! } });
    const d = new DirectPut(sdk, "repo-direct", { endpoint: g.endpoint, forcePathStyle: true, maxAttempts: 4, sockets: 4 });
    try {
      const body = Buffer.from("the bytes\n");
      const md5 = createHash("md5").update(body).digest("base64");
      const sha = createHash("sha256").update(body).digest("hex");
      const key = "repo/pkg/FreeBSD:14:amd64/All/a+b~c!d'e(f)g*h i%j=k&l.pkg";
      const req = { key, body, md5, sha256: sha, contentType: "application/octet-stream", cacheControl: "public, max-age=31536000, immutable", metadata: { sha256: sha }, ifNoneMatch: true };
      const etag = await d.put(req);
      expect(etag).toBe(createHash("md5").update(body).digest("hex"));
      expect((await getObject(sdk, "repo-direct", key))?.toString()).toBe("the bytes\n");
      const h = await sdk.send(new HeadObjectCommand({ Bucket: "repo-direct", Key: key }));
      expect([h.ContentType, h.CacheControl, h.Metadata?.sha256]).toEqual(["application/octet-stream", "public, max-age=31536000, immutable", sha]);
      // the pool rule: If-None-Match: * on a taken key is 412, at once
      await expect(d.put(req)).rejects.toMatchObject({ $metadata: { httpStatusCode: 412 } });
      // bytes that do not match their Content-MD5 or their signed SHA-256 are refused by the server
      const other = { ...req, key: "repo/x/damaged", ifNoneMatch: false };
      const bad = Buffer.from("the bytez\n");
      await expect(d.put({ ...other, body: bad, sha256: createHash("sha256").update(bad).digest("hex") })).rejects.toMatchObject({ name: "BadDigest" });
      await expect(d.put({ ...other, body: bad, md5: createHash("md5").update(bad).digest("base64") })).rejects.toMatchObject({ name: "XAmzContentSHA256Mismatch" });
      expect(await getObject(sdk, "repo-direct", "repo/x/damaged")).toBeNull();
    } finally {
      d.destroy();
      sdk.destroy();
    }
  });
});

describe("two writers on one bucket", () => {
  it("two runs from different state folders at once: one exits 4, the bucket stays whole", async () => {
    const a = await s3Site(g, "repo-race");
    const b = await s3Site(g, "repo-race", { work: a.work, keys: a.keys, state: path.join(a.work, "state-b") });
    addDebs(a, 0, 60, "2026-11-20T10:00:00Z");
    const ra = spawnGenerate(a, NOW);
    const rb = spawnGenerate(b, NOW);
    const [x, y] = await Promise.all([ra.done, rb.done]);
    expect([x.code, y.code].sort()).toEqual([0, 4]);
    expect(x.code === 4 ? x.stderr : y.stderr).toMatch(/lease/);
    verifyBoth(a);
    // the loser's next run publishes nothing new, from a record it rebuilds
    const again = summary(generate(b, NOW));
    expect(again.added).toEqual([]);
  });

  it("a killed writer's lease blocks the next run until it expires, then is taken over", async () => {
    const s = await s3Site(g, "repo-takeover", { leaseSeconds: 4 });
    addDebs(s, 0, 5, "2026-11-20T10:00:00Z");
    expect(generate(s, NOW).status).toBe(0);
    addDebs(s, 10, 5, "2026-11-21T10:00:00Z");
    // killed (SIGKILL) right after its third write into the bucket, holding the lease
    const killed = generate(s, NOW, [], { REPOGEN_FAILPOINT_WRITES: "3" });
    expect(killed.status).toBe(-1);
    const other = await s3Site(g, "repo-takeover", { work: s.work, keys: s.keys, state: path.join(s.work, "state-2"), leaseSeconds: 4 });
    const blocked = generate(other, NOW);
    expect(blocked.status).toBe(4);
    expect(blocked.stderr).toMatch(/holds the bucket's lease until/);
    await waitLeaseExpiry(g.client(), s.bucket);
    const r = generate(other, NOW);
    expect(r.status, r.stderr).toBe(0);
    verifyBoth(s);
    const apt = await aptFor(s, "root");
    expect(problems(apt.apt(["update"]))).toEqual([]);
    expect(apt.install("pkg0014").status).toBe(0);
  });

  it("a run whose lease was taken over while it was stopped stops before its next write", async () => {
    const s = await s3Site(g, "repo-stopped", { leaseSeconds: 3 });
    addDebs(s, 0, 40, "2026-11-20T10:00:00Z");
    const other = await s3Site(g, "repo-stopped", { work: s.work, keys: s.keys, state: path.join(s.work, "state-2"), leaseSeconds: 3 });
    const run = spawnGenerate(s, NOW);
    // wait until it holds the lease, then freeze it past the expiry
    const c = g.client();
    for (let i = 0; i < 200 && !(await getObject(c, s.bucket, "repo/.repogen/lease.json")); i++) await new Promise((r) => setTimeout(r, 25));
    run.child.kill("SIGSTOP");
    await waitLeaseExpiry(c, s.bucket);
    const r = generate(other, NOW);
    run.child.kill("SIGCONT");
    const res = await run.done;
    expect(r.status, r.stderr).toBe(0);
    expect(res.code, res.stderr).toBe(4);
    expect(res.stderr).toMatch(/lease/);
    verifyBoth(s);
  });
});

describe("access errors", () => {
  it("wrong credentials, a missing bucket, no permission: one line each, exit 2", async () => {
    const s = await s3Site(g, "repo-access");
    addDebs(s, 0, 1, "2026-11-20T10:00:00Z");
    const wrong = generate(s, NOW, [], { AWS_SECRET_ACCESS_KEY: "not-the-secret" });
    expect(wrong.status).toBe(2);
    expect(wrong.stderr.trim().split("\n")).toHaveLength(1);
    expect(wrong.stderr).toMatch(/wrong credentials/);
    const none = generate(s, NOW, [], { AWS_ACCESS_KEY_ID: "NOSUCHUSERKEY0000001" });
    expect(none.status).toBe(2);
    expect(none.stderr).toMatch(/wrong credentials \(InvalidAccessKeyId\)/);
    writeFileSync(s.config, readFileSync(s.config, "utf8").replace("s3://repo-access/", "s3://no-such-bucket/"));
    const missing = generate(s, NOW);
    expect(missing.status).toBe(2);
    expect(missing.stderr.trim().split("\n")).toHaveLength(1);
    expect(missing.stderr).toMatch(/bucket does not exist/);
    writeFileSync(s.config, readFileSync(s.config, "utf8").replace("s3://no-such-bucket/", "s3://repo-access/"));
    g.createUser("stranger", "STRANGERKEY000000001", "stranger-secret-000000000000000000000001");
    const denied = generate(s, NOW, [], { AWS_ACCESS_KEY_ID: "STRANGERKEY000000001", AWS_SECRET_ACCESS_KEY: "stranger-secret-000000000000000000000001" });
    expect(denied.status).toBe(2);
    expect(denied.stderr.trim().split("\n")).toHaveLength(1);
    expect(denied.stderr).toMatch(/no permission/);
    // credentials never come from the configuration
    writeFileSync(s.config, readFileSync(s.config, "utf8") + `secret_access_key = "x"\n`);
    const inConfig = generate(s, NOW);
    expect(inConfig.status).toBe(2);
    expect(inConfig.stderr).toMatch(/s3\.secret_access_key: credentials are never read from the configuration/);
  });
});
