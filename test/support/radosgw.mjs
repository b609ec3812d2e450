// A single-node Ceph (one monitor, one OSD on memstore, radosgw) on 127.0.0.1 with free ports,
// started from nothing in a scratch folder, for the S3 tests and the benchmark. Each daemon runs in
// the foreground as a child of this process, and stop() ends each one by its pid.
// Plain JavaScript so that bench/ (plain node) and the vitest files share it.
import { spawn, spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, readFileSync, existsSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { CreateBucketCommand, PutBucketPolicyCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";

// The SDK warns on every start under Node 20, its future minimum.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, "127.0.0.1", () => {
      const port = s.address().port;
      s.close(() => resolve(port));
    });
    s.on("error", reject);
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Polls check() every `every` ms until it returns true, at most `limit` ms; throws with what. */
async function until(what, limit, check, every = 200) {
  const end = Date.now() + limit;
  while (Date.now() < end) {
    if (await check()) return;
    await sleep(every);
  }
  throw new Error(`radosgw set-up: ${what} not ready after ${limit} ms`);
}

export const ACCESS_KEY = "REPOGENTESTKEY000001";
export const SECRET_KEY = "repogen-test-secret-key-0000000000000001";

/**
 * Starts the cluster. Returns { endpoint, port, env (credentials for child processes), client(),
 * createBucket(name, { publicRead }), stop() }. Throws (after stopping what it started) on failure.
 */
export async function startRadosgw(opts = {}) {
  const dir = opts.dir ?? mkdtempSync(path.join(os.tmpdir(), "repogen-ceph-"));
  const pids = [];
  const children = [];
  // Also when the test process ends without calling stop (a crash, a time-out): by pid, at once.
  const onExit = () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) try { process.kill(c.pid, "SIGKILL"); } catch { /* gone */ }
  };
  process.once("exit", onExit);
  const stop = async () => {
    process.removeListener("exit", onExit);
    for (const c of children.reverse()) {
      if (c.exitCode === null && c.signalCode === null) {
        try {
          process.kill(c.pid, "SIGTERM");
        } catch {
          /* gone already */
        }
      }
    }
    for (const c of children) {
      for (let i = 0; i < 50 && c.exitCode === null && c.signalCode === null; i++) await sleep(100);
      if (c.exitCode === null && c.signalCode === null) {
        try {
          process.kill(c.pid, "SIGKILL");
        } catch {
          /* gone */
        }
      }
    }
    children.length = 0;
    if (!opts.keep) rmSync(dir, { recursive: true, force: true });
  };
  try {
    const [p2, p1, rgwPort] = [await freePort(), await freePort(), await freePort()];
    const conf = path.join(dir, "ceph.conf");
    for (const d of ["run", "log", "mon", "osd/ceph-0", "rgw"]) mkdirSync(path.join(dir, d), { recursive: true });
    const fsid = randomUUID();
    const monAddr = `[v2:127.0.0.1:${p2},v1:127.0.0.1:${p1}]`;
    writeFileSync(
      conf,
      `[global]
fsid = ${fsid}
mon host = ${monAddr}
mon initial members = a
public addr = 127.0.0.1
auth cluster required = none
auth service required = none
auth client required = none
ms mon client mode = crc
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd crush chooseleaf type = 0
mon allow pool size one = true
mon warn on pool no redundancy = false
# The monitor refuses to start below 5% free disk (its store is a few MB here; the OSD is in memory):
# a shared machine's disk full of other work must not stop the tests.
mon data avail crit = 1
mon data avail warn = 2
osd objectstore = memstore
memstore device bytes = 2147483648
# Errors only in the daemons' logs: at the default levels (1/5) every request also formats debug
# lines into an in-memory log, a tenth of radosgw's CPU per PutObject on a small machine.
debug rgw = 0/0
debug rgw sync = 0/0
debug osd = 0/0
debug objclass = 0/0
debug rados = 0/0
debug objecter = 0/0
debug monc = 0/0
debug auth = 0/0
debug asok = 0/0
debug civetweb = 0/0
debug crypto = 0/0
debug finisher = 0/0
debug heartbeatmap = 0/0
debug optracker = 0/0
debug perfcounter = 0/0
debug throttle = 0/0
debug tp = 0/0
debug memdb = 0/0
debug rocksdb = 0/0
debug leveldb = 0/0
# One OSD on a small machine: one queue shard with two threads and one messenger thread per daemon
# hop between fewer threads per request than the defaults (5 or 8 shards, 3 messenger threads):
# 4000 PutObjects, 16 at once, 790 -> 910 per second on 2 cores.
osd op num shards = 1
osd op num threads per shard = 2
ms async op threads = 1
${opts.extraConf ?? ""}run dir = ${dir}/run
log file = ${dir}/log/$name.log
admin socket = ${dir}/run/$name.asok
keyring = ${dir}/keyring
mon data = ${dir}/mon/$cluster-$id
osd data = ${dir}/osd/$cluster-$id
[client.rgw.a]
rgw frontends = beast endpoint=127.0.0.1:${rgwPort} tcp_nodelay=1
rgw data = ${dir}/rgw
`,
    );
    const env = { ...process.env, CEPH_CONF: conf };
    const run = (cmd, args, timeout = 30_000) => {
      const r = spawnSync(cmd, ["-c", conf, ...args], { env, encoding: "utf8", timeout });
      if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} exited ${r.status}: ${r.stderr || r.error}`);
      return r.stdout;
    };
    const daemon = (cmd, args) => {
      const log = path.join(dir, "log", `${cmd}.out`);
      const c = spawn(cmd, ["-c", conf, "-f", ...args], { env, stdio: "ignore" });
      children.push(c);
      pids.push(c.pid);
      c.on("error", () => writeFileSync(log, `${cmd} failed to start\n`));
      return c;
    };
    const map = path.join(dir, "monmap");
    const keyring = path.join(dir, "keyring");
    spawnSync("monmaptool", ["--create", "--fsid", fsid, "--addv", "a", monAddr, map], { env });
    run("ceph-authtool", ["--create-keyring", keyring, "--gen-key", "-n", "mon.", "--cap", "mon", "allow *"]);
    run("ceph-mon", ["--mkfs", "-i", "a", "--monmap", map, "--keyring", keyring]);
    daemon("ceph-mon", ["-i", "a"]);
    await until("ceph-mon", 20_000, () => spawnSync("ceph", ["-c", conf, "--connect-timeout", "2", "mon", "stat"], { env, timeout: 5000 }).status === 0, 100);
    const osdUuid = randomUUID();
    const id = run("ceph", ["osd", "new", osdUuid]).trim();
    run("ceph-osd", ["-i", id, "--mkfs", "--osd-uuid", osdUuid]);
    daemon("ceph-osd", ["-i", id]);
    await until("ceph-osd", 30_000, () => / 1 up/.test(spawnSync("ceph", ["-c", conf, "osd", "stat"], { env, encoding: "utf8", timeout: 5000 }).stdout ?? ""), 200);
    daemon("radosgw", ["-n", "client.rgw.a"]);
    const endpoint = `http://127.0.0.1:${rgwPort}`;
    await until("radosgw", 60_000, async () => (await fetch(endpoint + "/").catch(() => null)) !== null, 200);
    run("radosgw-admin", ["user", "create", "--uid=test", "--display-name=test", `--access-key=${ACCESS_KEY}`, `--secret-key=${SECRET_KEY}`]);
    const client = () =>
      new S3Client({
        endpoint,
        region: "us-east-1",
        forcePathStyle: true,
        credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY },
        requestChecksumCalculation: "WHEN_REQUIRED",
        responseChecksumValidation: "WHEN_REQUIRED",
      });
    const admin = client();
    /** A bucket, readable by anyone (what apt and pkg need) when publicRead. */
    const createBucket = async (name, o = { publicRead: true }) => {
      await admin.send(new CreateBucketCommand({ Bucket: name }));
      if (o.publicRead) {
        const policy = {
          Version: "2012-10-17",
          Statement: [{ Effect: "Allow", Principal: "*", Action: ["s3:GetObject"], Resource: [`arn:aws:s3:::${name}/*`] }],
        };
        await admin.send(new PutBucketPolicyCommand({ Bucket: name, Policy: JSON.stringify(policy) }));
      }
    };
    // Warm-up: the first bucket and the first object make radosgw's pools (seconds each).
    await createBucket("warmup");
    await admin.send(new PutObjectCommand({ Bucket: "warmup", Key: "w", Body: "w" }));
    return {
      dir,
      endpoint,
      port: rgwPort,
      pids,
      /** Credentials the AWS way, for child processes. */
      env: { AWS_ACCESS_KEY_ID: ACCESS_KEY, AWS_SECRET_ACCESS_KEY: SECRET_KEY, AWS_REGION: "us-east-1", AWS_EC2_METADATA_DISABLED: "true" },
      client,
      createBucket,
      /** Another user, with no rights on the buckets made above. */
      createUser: (uid, access, secret) => run("radosgw-admin", ["user", "create", `--uid=${uid}`, `--display-name=${uid}`, `--access-key=${access}`, `--secret-key=${secret}`]),
      stop,
      log: (name) => (existsSync(path.join(dir, "log", name)) ? readFileSync(path.join(dir, "log", name), "utf8") : ""),
    };
  } catch (e) {
    await stop();
    throw e;
  }
}
