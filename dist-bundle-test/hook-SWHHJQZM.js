import "./chunk-Z4VO2NSO.js";
import {
  State,
  addPending,
  announceArrival,
  applyOverrides,
  awaitArrivals,
  clock,
  pipelineOptions,
  readPassphrase,
  runUntilSettled,
  takeResult
} from "./chunk-JZDO5WIW.js";
import "./chunk-IEWX2NAL.js";
import {
  parsePlatform
} from "./chunk-Q3ZXJRKN.js";
import "./chunk-UPYNSUOV.js";
import "./chunk-L7I5STNP.js";
import "./chunk-5EWEZ3TV.js";
import "./chunk-IACGGMK5.js";
import {
  acquireLock,
  loadConfig
} from "./chunk-CSDMBHJD.js";
import "./chunk-XXK4KJ5C.js";
import "./chunk-NH2BR72R.js";
import {
  LockedError,
  UsageError,
  errorLine
} from "./chunk-URTPPSHB.js";

// dist/commands/hook.js
import { createHash } from "node:crypto";
import { createReadStream, existsSync, readFileSync, statSync } from "node:fs";
import { copyFile, link, mkdir, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
var HELP = `Usage: repogen hook --build-time=YYYYMMDDhhmmss --sha256=HEX --job=NAME --uuid=UUID
         --platform=PLATFORM --main-binary-filepath=bin/NAME.deb [--config FILE] ARTIFACT

builder-web's upload hook (put contrib/builder-web/repogen.sh into its upload-hooks/ folder). Checks
the artifact's SHA-256, records the build as BUILDS/JOB/UUID/build.json (the artifact hard-linked, or
copied across file systems) and publishes it. Hooks that run at the same time are published together
by whichever holds the state folder's lock: one or two runs for many hooks; with "repogen watch"
running, the build is handed over to it. Builds whose main binary is neither a .deb nor a .pkg are
skipped. Options builder-web passes that repogen does not use (--cache-dir, --data-dir, ...) are
accepted; other unknown --x=y options are ignored with a warning.

Options (besides builder-web's):
  --config FILE          configuration (default ./repogen.toml when it exists)
  --passphrase-file FILE passphrase of encrypted private keys
  --wait=SECONDS         how long to wait for the build to be published (default 600)
  --now ISO8601          the signing clock (tests)

Exit codes: 0 published (or skipped, or the same binary is published already); 1 not published in
time or failed (the build stays recorded: the next run publishes it); 2 bad call (nothing recorded);
3 recorded, but the run rejected the build (one line says why).

Example (as builder-web calls it):
  repogen hook --config /etc/repogen/repogen.toml --build-time=20261120100000 --sha256=3b1f... \\
    --job=hello --uuid=7f0afdeb-0a52-4de1-b96f-00f654ce9249 --platform=debian-12 \\
    --cache-dir=/var/cache/builder-web --data-dir=/var/lib/builder-web \\
    --main-binary-filepath=bin/hello.deb /var/lib/builder-web/_artifacts/3b/3b1f...
`;
var BUILDER_WEB_UNUSED = /* @__PURE__ */ new Set(["cache-dir", "data-dir"]);
var VALUED = /* @__PURE__ */ new Set(["build-time", "sha256", "job", "uuid", "platform", "main-binary-filepath", "config", "passphrase-file", "wait", "now", ...BUILDER_WEB_UNUSED]);
var FLAGS = /* @__PURE__ */ new Set(["json", "quiet", "help"]);
var JOB = /^[a-z0-9][a-z0-9+.-]+$/;
var UUID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
function parseHookArgs(argv, warn) {
  const values = {};
  const positionals = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--") {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (a === "-h")
      values.help = true;
    else if (a === "-q")
      values.quiet = true;
    else if (a.startsWith("--")) {
      const eq = a.indexOf("=");
      const name = eq < 0 ? a.slice(2) : a.slice(2, eq);
      if (FLAGS.has(name))
        values[name] = true;
      else if (VALUED.has(name)) {
        let v = eq < 0 ? argv[++i] : a.slice(eq + 1);
        if (v === void 0)
          throw new UsageError(`--${name} needs a value`);
        values[name] = v;
      } else
        warn(`repogen hook: ignoring unknown option ${eq < 0 ? a : a.slice(0, eq)}`);
    } else
      positionals.push(a);
  }
  if (values.help)
    return { help: true };
  const need = (k) => {
    const v = values[k];
    if (typeof v !== "string" || v === "")
      throw new UsageError(`--${k} is required (builder-web passes it; see repogen hook --help)`);
    return v;
  };
  const call = {
    buildTime: need("build-time"),
    sha256: need("sha256").toLowerCase(),
    job: need("job"),
    uuid: need("uuid"),
    platform: need("platform"),
    mainBinary: need("main-binary-filepath"),
    artifact: positionals[0] ?? "",
    values
  };
  if (positionals.length !== 1)
    throw new UsageError(`hook takes one ARTIFACT path (got ${positionals.length})`);
  return call;
}
function startOf(buildTime, subject) {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(buildTime);
  const d = m ? new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6])) : null;
  if (!m || !d || d.toISOString().slice(0, 19).replace(/[-:T]/g, "") !== buildTime)
    throw new UsageError(`--build-time "${buildTime}" is not YYYYMMDDhhmmss`, subject);
  return d;
}
async function sha256File(file) {
  const h = createHash("sha256");
  for await (const c of createReadStream(file, { highWaterMark: 1 << 20 }))
    h.update(c);
  return h.digest("hex");
}
async function archOf(file, kind, subject) {
  if (kind === "deb") {
    const { readDeb } = await import("./deb-GV44OZUF.js");
    return (await readDeb(file)).arch;
  }
  const { readPkg } = await import("./pkg-VCN3R6PA.js");
  const abi = (await readPkg(file)).manifest.abi;
  const arch = abi.split(":")[2];
  if (!arch || arch === "*")
    throw new UsageError(`the package's abi ${abi} names no architecture`, subject);
  return arch;
}
function recordedSha(buildJson) {
  try {
    const j = JSON.parse(readFileSync(buildJson, "utf8"));
    return j.artifacts?.find((a) => a.path === j.main_binary)?.sha256 ?? null;
  } catch {
    return null;
  }
}
async function record(c, call, kind, arch, start, subject) {
  const jobDir = path.join(c.builds, call.job);
  const dir = path.join(jobDir, call.uuid);
  const same = () => {
    const had = recordedSha(path.join(dir, "build.json"));
    if (had === call.sha256)
      return true;
    throw new UsageError(`is recorded already with a different binary (SHA-256 ${had ?? "unknown"})`, subject);
  };
  if (existsSync(dir))
    return !same();
  await mkdir(jobDir, { recursive: true });
  const tmp = path.join(jobDir, `.${call.uuid}.hook-${process.pid}`);
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp);
  try {
    const name = `${call.job}.${kind}`;
    try {
      await link(call.artifact, path.join(tmp, name));
    } catch {
      await copyFile(call.artifact, path.join(tmp, name));
    }
    const stamp = start.toISOString().replace(/\.\d{3}Z$/, "Z");
    const finish = new Date(Math.max(start.getTime(), Math.floor(Date.now() / 1e3) * 1e3)).toISOString().replace(/\.\d{3}Z$/, "Z");
    const build = {
      job: call.job,
      uuid: call.uuid,
      platform: call.platform,
      arch,
      start: stamp,
      finish,
      result: "success",
      main_binary: name,
      artifacts: [{ path: name, sha256: call.sha256 }],
      builder_web: { main_binary_filepath: call.mainBinary }
    };
    await writeFile(path.join(tmp, "build.json.tmp"), JSON.stringify(build, null, 2) + "\n");
    await rename(path.join(tmp, "build.json.tmp"), path.join(tmp, "build.json"));
    try {
      await rename(tmp, dir);
    } catch (e) {
      if (!existsSync(dir))
        throw e;
      return !same();
    }
    return true;
  } finally {
    await rm(tmp, { recursive: true, force: true }).catch(() => void 0);
  }
}
var ARRIVAL_WAIT_MS = 3e3;
var sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function publishAndWait(c, marker, deadline, now, passphrase, warn, counter) {
  let holder = 0;
  for (let own = 0; own < 3; ) {
    const r = await takeResult(c.state, marker);
    if (r)
      return r;
    let lock;
    try {
      lock = await acquireLock(c.state);
    } catch (e) {
      if (!(e instanceof LockedError))
        throw e;
      holder = e.pid;
      if (Date.now() > deadline)
        return { status: "timeout", holder };
      await sleep(100 + Math.random() * 100);
      continue;
    }
    try {
      const r0 = await takeResult(c.state, marker);
      if (r0)
        return r0;
      await awaitArrivals(c.state, ARRIVAL_WAIT_MS);
      const state = new State(c.state);
      await state.load();
      counter.runs += (await runUntilSettled(pipelineOptions(c, now, passphrase, warn), state)).length;
      own++;
    } finally {
      await lock.release();
    }
  }
  return await takeResult(c.state, marker) ?? { status: "not-found", reason: "no run settled the build", build: marker };
}
async function run(argv) {
  const err = (s) => process.stderr.write(s + "\n");
  const parsed = parseHookArgs(argv, err);
  if ("help" in parsed) {
    process.stdout.write(HELP);
    return 0;
  }
  const call = parsed;
  const quiet = call.values.quiet === true;
  const subject = `${call.job}/${call.uuid}`;
  const ext = path.extname(call.mainBinary);
  if (ext !== ".deb" && ext !== ".pkg") {
    if (!quiet)
      process.stdout.write(`skipped ${subject}: ${call.mainBinary} is neither a .deb nor a .pkg
`);
    return 0;
  }
  const kind = ext === ".deb" ? "deb" : "pkg";
  if (!JOB.test(call.job))
    throw new UsageError(`--job "${call.job}" is not a package name ([a-z0-9][a-z0-9+.-]+)`, subject);
  if (!UUID.test(call.uuid))
    throw new UsageError(`--uuid "${call.uuid}" has characters a folder name cannot have`, subject);
  const platform = parsePlatform(call.platform, subject);
  if (kind === "deb" !== (platform.family === "debian"))
    throw new UsageError(`a .${kind} cannot be published for platform ${call.platform}`, subject);
  if (!/^[0-9a-f]{64}$/.test(call.sha256))
    throw new UsageError(`--sha256 "${call.sha256}" is not 64 hex digits`, subject);
  const start = startOf(call.buildTime, subject);
  const wait = call.values.wait === void 0 ? 600 : Number(call.values.wait);
  if (!Number.isFinite(wait) || wait < 0)
    throw new UsageError(`--wait "${String(call.values.wait)}" is not a number of seconds`);
  const config = applyOverrides(loadConfig(typeof call.values.config === "string" ? call.values.config : void 0), {});
  const now = clock(typeof call.values.now === "string" ? call.values.now : void 0);
  const passphrase = await readPassphrase(typeof call.values["passphrase-file"] === "string" ? call.values["passphrase-file"] : void 0);
  const withdraw = await announceArrival(config.state);
  let marker;
  try {
    const arch = await check(call, kind, subject);
    await record(config, call, kind, arch, start, subject);
    marker = await addPending(config.state, call.job, call.uuid);
  } finally {
    await withdraw();
  }
  const counter = { runs: 0 };
  const r = await publishAndWait(config, marker, Date.now() + wait * 1e3, now, passphrase, err, counter);
  return report(r, { subject, quiet, json: call.values.json === true, wait, runs: counter.runs });
}
async function check(call, kind, subject) {
  const st = statSync(call.artifact, { throwIfNoEntry: false });
  if (!st || !st.isFile())
    throw new UsageError(`the artifact ${call.artifact} ${st ? "is not a regular file" : "does not exist"}`, subject);
  const got = await sha256File(call.artifact);
  if (got !== call.sha256)
    throw new UsageError(`the artifact ${call.artifact} has SHA-256 ${got}, --sha256 says ${call.sha256}`, subject);
  try {
    return await archOf(call.artifact, kind, subject);
  } catch (e) {
    throw new UsageError(`the artifact ${call.artifact} is not a readable .${kind}: ${errorLine(e)}`, subject);
  }
}
function report(r, o) {
  const err = (s) => process.stderr.write(s + "\n");
  const out = (s) => o.quiet || o.json ? void 0 : process.stdout.write(s + "\n");
  if (o.json)
    process.stdout.write(JSON.stringify({ ...r, build: o.subject, runs: o.runs }) + "\n");
  const subject = o.subject;
  switch (r.status) {
    case "published":
      out(`published ${subject} as ${r.name} ${r.version} (${r.arch}) in ${r.repository}`);
      return 0;
    case "not-chosen":
      out(`recorded ${subject}; ${r.reason}`);
      return 0;
    case "rejected":
      err(`repogen hook: ${subject}: recorded, but rejected: ${r.reason}`);
      return 3;
    case "timeout":
      err(`repogen hook: ${subject}: recorded, not published within ${o.wait} s: pid ${r.holder} holds the lock; its next run publishes it`);
      return 1;
    default:
      err(`repogen hook: ${subject}: recorded, not published: ${r.reason}`);
      return 1;
  }
}
export {
  HELP,
  parseHookArgs,
  run
};
