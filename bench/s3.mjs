#!/usr/bin/env node
// Object storage benchmark: the same generate into a local folder and into a real radosgw bucket on
// loopback (started from nothing, as the tests do), in turns, so that a noisy stretch of a shared
// machine falls on both. Prints medians, the ratio S3/folder and the S3 request counts.
// Then the floor: the same number of PutObjects as the cold run made, of the corpus's sizes, at the
// same concurrency and with nothing else to do, through the SDK and through repogen's direct path.
// Usage: npm run bench:s3 [-- --quick]   (--quick: 400 builds). Needs radosgw ceph-mon ceph-osd ceph-common.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { startRadosgw } from "../test/support/radosgw.mjs";
import { DirectPut } from "../dist/publish/storage/s3put.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const CLI = path.join(ROOT, "dist", "cli.js");
const QUICK = process.argv.includes("--quick");
const N = QUICK ? 400 : 2000;
const RUNS = 3;
/** Nothing-new runs per turn: each is under a second, so a few more make a steadier median. */
const AGAIN = 3;
/** Uploads in flight, as S3Storage.poolConcurrency. */
const CONCURRENCY = 16;
const WORK = path.join(ROOT, "bench", ".work", "s3");
const NOW = new Date(Math.floor(Date.now() / 1000) * 1000).toISOString();

function sh(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: "utf8", maxBuffer: 1 << 30, ...opts });
  if (r.status !== 0) throw new Error(`${cmd} ${args.slice(0, 6).join(" ")} exited ${r.status}: ${r.stderr}`);
  return r.stdout;
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const sha256 = (f) => createHash("sha256").update(readFileSync(f)).digest("hex");

/** The corpus: small .debs built by dpkg-deb once, cached in bench/.work/s3. */
function corpus() {
  const debs = path.join(WORK, "debs");
  const builds = path.join(WORK, `builds-${N}`);
  mkdirSync(debs, { recursive: true });
  const stage = path.join(WORK, "stage-tmp");
  for (let i = 0; i < N; i++) {
    const name = `bench${String(i).padStart(5, "0")}`;
    const file = path.join(debs, `${name}_1.0-1_amd64.deb`);
    if (!existsSync(file)) {
      rmSync(stage, { recursive: true, force: true });
      mkdirSync(path.join(stage, "DEBIAN"), { recursive: true });
      mkdirSync(path.join(stage, `usr/share/${name}`), { recursive: true });
      writeFileSync(path.join(stage, "DEBIAN/control"), `Package: ${name}\nVersion: 1.0-1\nArchitecture: amd64\nMaintainer: Bench <bench@example.org>\nSection: utils\nDescription: synthetic package ${i}\n A package made for the benchmark.\n`);
      writeFileSync(path.join(stage, `usr/share/${name}/data.txt`), createHash("sha512").update(String(i)).digest("hex").repeat(40 + (i % 50)));
      sh("dpkg-deb", ["--root-owner-group", "-Zxz", "--build", stage, file], { env: { ...process.env, SOURCE_DATE_EPOCH: "1700000000" } });
    }
    const uuid = `u-${name}`;
    const d = path.join(builds, name, uuid);
    if (existsSync(path.join(d, "build.json"))) continue;
    mkdirSync(d, { recursive: true });
    linkSync(file, path.join(d, path.basename(file)));
    const start = new Date(Date.parse("2026-11-20T00:00:00Z") + i * 1000).toISOString().replace(/\.000Z$/, "Z");
    writeFileSync(
      path.join(d, "build.json"),
      JSON.stringify({ job: name, uuid, platform: "debian-12", arch: "amd64", start, finish: start, result: "success", main_binary: path.basename(file), artifacts: [{ path: path.basename(file), sha256: sha256(file) }] }),
    );
  }
  return builds;
}

function timedGenerate(args, env) {
  const t = process.hrtime.bigint();
  const out = sh(process.execPath, [CLI, "generate", ...args, "--now", NOW, "--json", "--quiet"], { env: { ...process.env, ...env } });
  const s = Number(process.hrtime.bigint() - t) / 1e9;
  return { s, requests: JSON.parse(out).requests ?? {} };
}

/**
 * n PutObjects of bodies 900 and 1600 bytes long in turn (the corpus's packages and pages), `limit`
 * at once, If-None-Match on each (as the pool's): the time they take with nothing else to do.
 */
async function rawPuts(g, way, n, limit, prefix) {
  const client = g.client();
  const direct = new DirectPut(client, "bench", { endpoint: g.endpoint, forcePathStyle: true, maxAttempts: 4, sockets: 2 * limit });
  const bodies = [900, 1600].map((len) => {
    const body = Buffer.alloc(len, 0x61);
    return { body, md5: createHash("md5").update(body).digest("base64"), sha256: createHash("sha256").update(body).digest("hex") };
  });
  const put = (i) => {
    const b = bodies[Math.abs(i) % 2];
    const Key = `${prefix}/pool/main/b/bench${String(i).padStart(5, "0")}/bench${i}_1.0-1_amd64.deb`;
    const headers = { contentType: "application/vnd.debian.binary-package", cacheControl: "public, max-age=31536000, immutable" };
    return way === "sdk"
      ? client.send(new PutObjectCommand({ Bucket: "bench", Key, Body: b.body, ContentLength: b.body.length, ContentMD5: b.md5, IfNoneMatch: "*", ContentType: headers.contentType, CacheControl: headers.cacheControl, Metadata: { sha256: b.sha256 } }))
      : direct.put({ key: Key, body: b.body, md5: b.md5, sha256: b.sha256, ...headers, metadata: { sha256: b.sha256 }, ifNoneMatch: true });
  };
  await put(-1); // the connection and the credentials, before the clock starts
  const t = process.hrtime.bigint();
  let next = 0;
  await Promise.all(Array.from({ length: limit }, async () => { for (let i = next++; i < n; i = next++) await put(i); }));
  const s = Number(process.hrtime.bigint() - t) / 1e9;
  direct.destroy();
  client.destroy();
  return s;
}

const fmt = (r) => Object.entries(r).sort().map(([k, v]) => `${k} ${v}`).join(", ");
const total = (r) => Object.values(r).reduce((a, b) => a + b, 0);

mkdirSync(WORK, { recursive: true });
let t = Date.now();
const builds = corpus();
if (process.argv.includes("--corpus-only")) process.exit(0);
console.log(`object storage benchmark: ${N} builds (versioning as-is), medians of ${RUNS} turns; corpus ready in ${((Date.now() - t) / 1000).toFixed(0)} s`);
t = Date.now();
const g = await startRadosgw();
try {
  console.log(`radosgw on ${g.endpoint} (pids ${g.pids.join(" ")}) up in ${((Date.now() - t) / 1000).toFixed(1)} s`);
  await g.createBucket("bench");
  const keys = path.join(WORK, "keys");
  if (!existsSync(keys)) sh(process.execPath, [CLI, "keygen", "--keys", keys]);
  const s3cfg = (prefix, state) => {
    const f = path.join(WORK, `${prefix}.toml`);
    writeFileSync(
      f,
      `versioning = "as-is"\nbuilds = ${JSON.stringify(builds)}\nkeys = ${JSON.stringify(keys)}\nstate = ${JSON.stringify(state)}\noutput = "s3://bench/${prefix}"\n` +
        `[s3]\nendpoint = "${g.endpoint}"\npublic_url = "${g.endpoint}/bench"\nforce_path_style = true\n`,
    );
    return f;
  };
  const folderCfg = path.join(WORK, "folder.toml");
  writeFileSync(folderCfg, `versioning = "as-is"\n`);
  const rows = { cold: { f: [], s: [] }, again: { f: [], s: [] } };
  let coldReq = {};
  let againReq = {};
  for (let i = 0; i < RUNS; i++) {
    const out = path.join(WORK, `out-${i}`);
    const fstate = path.join(WORK, `fstate-${i}`);
    const sstate = path.join(WORK, `sstate-${i}`);
    for (const d of [out, fstate, sstate]) rmSync(d, { recursive: true, force: true });
    const folderArgs = ["--config", folderCfg, "--builds", builds, "--keys", keys, "--out", out, "--state", fstate];
    const s3Args = ["--config", s3cfg(`run-${i}-${process.pid}`, sstate)];
    // alternate which goes first
    const order = i % 2 ? ["s", "f"] : ["f", "s"];
    for (const phase of ["cold", ...Array(AGAIN).fill("again")]) {
      for (const which of order) {
        const r = which === "f" ? timedGenerate(folderArgs, {}) : timedGenerate(s3Args, g.env);
        rows[phase][which].push(r.s);
        if (which === "s") phase === "cold" ? (coldReq = r.requests) : (againReq = r.requests);
      }
    }
    rmSync(out, { recursive: true, force: true });
  }
  const line = (name, f, s, req) =>
    console.log(`${name.padEnd(30)} folder ${median(f).toFixed(2).padStart(7)} s   s3 ${median(s).toFixed(2).padStart(7)} s   ratio ${(median(s) / median(f)).toFixed(2)}   requests ${total(req)} (${fmt(req)})`);
  line(`cold, ${N} builds`, rows.cold.f, rows.cold.s, coldReq);
  line("nothing new", rows.again.f, rows.again.s, againReq);
  console.log("targets: cold ratio <= 3, nothing-new ratio <= 1.5");
  const n = coldReq.PutObject ?? 0;
  const floor = { sdk: [], direct: [] };
  for (let i = 0; i < RUNS; i++) for (const way of i % 2 ? ["direct", "sdk"] : ["sdk", "direct"]) floor[way].push(await rawPuts(g, way, n, CONCURRENCY, `floor-${process.pid}-${i}-${way}`));
  const f = median(rows.cold.f);
  console.log(
    `floor: ${n} PutObjects alone, ${CONCURRENCY} at once: SDK ${median(floor.sdk).toFixed(2)} s (${(n / median(floor.sdk)).toFixed(0)}/s), ` +
      `direct ${median(floor.direct).toFixed(2)} s (${(n / median(floor.direct)).toFixed(0)}/s) = ${(median(floor.direct) / f).toFixed(2)} x the folder run`,
  );
} finally {
  await g.stop();
}
