import "./chunk-Z4VO2NSO.js";
import {
  State,
  applyOverrides,
  clock,
  hashWithCache,
  listPending,
  pipelineOptions,
  readPassphrase,
  runSettling
} from "./chunk-JZDO5WIW.js";
import "./chunk-IEWX2NAL.js";
import "./chunk-Q3ZXJRKN.js";
import {
  io,
  parse,
  str
} from "./chunk-UPYNSUOV.js";
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
  UsageError,
  errorLine
} from "./chunk-URTPPSHB.js";

// dist/commands/watch.js
import { readdirSync, readFileSync, statSync, watch } from "node:fs";
import { mkdir } from "node:fs/promises";
import path from "node:path";
var HELP = `Usage: repogen watch [options]

Stay resident and publish each new build within moments of its build.json appearing (written to a
temporary name and renamed into place, or left unchanged for a moment). Holds the state folder's lock
while it runs: a cron generate on the same state exits 4, and "repogen hook" hands its builds over.
Re-signs the Release files before their Valid-Until runs out. Logs one line per change on stderr
(journald and syslog read it as it is). SIGTERM and SIGINT stop it between two publishing steps.

Options (override repogen.toml):
  --config FILE          configuration (default ./repogen.toml when it exists)
  --builds DIR, --out DIR, --keys DIR, --state DIR   as for generate
  --passphrase-file FILE passphrase of encrypted private keys
  --rescan SECONDS       a full look at the builds folder this often, for missed events (default 60)
  --stable MS            a build.json that is not whole yet is taken once unchanged this long (default 300)
  --now ISO8601          the clock starts here and runs on (tests)
  --priority-prefix      begin lines with syslog priorities ("<6>"); on by default under systemd

Exit codes: 0 stopped by a signal; 1 failed; 2 usage or configuration error; 4 the lock is held.

Example:
  repogen watch --config /etc/repogen/repogen.toml
`;
var POLL_MS = 250;
var RETENTION_EVERY_MS = 10 * 6e4;
var LOG_INFO = 6;
var LOG_WARNING = 4;
var LOG_ERR = 3;
function snapshot(dir) {
  try {
    return readdirSync(dir).sort().map((n) => {
      const st = statSync(path.join(dir, n), { throwIfNoEntry: false });
      return st ? `${n}:${st.size}:${st.mtimeMs}` : n;
    }).join("|");
  } catch {
    return "";
  }
}
var Watcher = class {
  o;
  lock = null;
  state;
  watchers = /* @__PURE__ */ new Map();
  timers = /* @__PURE__ */ new Set();
  running = null;
  again = false;
  stopping = false;
  abort = new AbortController();
  outcomes = /* @__PURE__ */ new Map();
  /** Build folders seen changing that were not whole yet: their last snapshot and when it was taken. */
  unsettled = /* @__PURE__ */ new Map();
  /** Build folders to look at before the next run: changed, new, or rejected while still young. */
  candidates = /* @__PURE__ */ new Set();
  /** Set when inotify cannot be had (its limits reached): the folder is polled instead. */
  polling = false;
  resignAt = Infinity;
  retainedAt = 0;
  lastSignature = "";
  /** Runs done so far (tests and the benchmark wait on it). */
  runs = 0;
  rescanMs;
  stableMs;
  resignCheckMs;
  idleWaiters = [];
  constructor(o) {
    this.o = o;
    this.rescanMs = o.rescanMs ?? 6e4;
    this.stableMs = o.stableMs ?? 300;
    this.resignCheckMs = o.resignCheckMs ?? 6e4;
  }
  /** Takes the lock (LockedError if held), loads the state, publishes what is there, and starts watching. */
  async start() {
    this.lock = await acquireLock(this.o.config.state);
    this.state = new State(this.o.config.state, { resident: true });
    await this.state.load();
    this.o.log(LOG_INFO, `watching ${this.o.config.builds} (pid ${process.pid})`);
    this.watchDir(this.o.config.builds, (name) => {
      if (name && !name.startsWith("."))
        this.watchJob(path.join(this.o.config.builds, name), true);
      this.kick();
    });
    for (const j of this.jobDirs())
      this.watchJob(j);
    await mkdir(path.join(this.o.config.state, "pending"), { recursive: true });
    this.watchDir(path.join(this.o.config.state, "pending"), () => {
      if (listPending(this.o.config.state).size)
        this.kick();
    });
    this.every(this.rescanMs, () => {
      if (this.signature() !== this.lastSignature)
        this.kick();
    });
    this.every(this.resignCheckMs, () => this.checkResign());
    await this.runNow("start");
  }
  every(ms, fn) {
    const t = setInterval(fn, ms);
    t.unref();
    this.timers.add(t);
  }
  after(ms, fn) {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
  }
  jobDirs() {
    try {
      return readdirSync(this.o.config.builds, { withFileTypes: true }).filter((d) => d.isDirectory() && !d.name.startsWith(".")).map((d) => path.join(this.o.config.builds, d.name));
    } catch {
      return [];
    }
  }
  /** What the safety rescan compares: every job folder's mtime (a build coming or going changes it) and the pending markers. */
  signature() {
    const parts = this.jobDirs().map((d) => `${d}:${statSync(d, { throwIfNoEntry: false })?.mtimeMs ?? 0}`);
    try {
      parts.push(...readdirSync(path.join(this.o.config.state, "pending")));
    } catch {
    }
    return parts.join("\n");
  }
  watchDir(dir, onEvent) {
    if (this.watchers.has(dir) || this.stopping)
      return;
    try {
      const w = watch(dir, { persistent: false }, (_ev, name) => onEvent(name === null ? null : String(name)));
      w.on("error", () => {
        w.close();
        this.watchers.delete(dir);
      });
      this.watchers.set(dir, w);
    } catch (e) {
      const code = e.code;
      if ((code === "EMFILE" || code === "ENOSPC") && !this.polling) {
        this.polling = true;
        this.o.log(LOG_WARNING, `cannot watch ${dir} (${code}: the system's inotify limits are reached): polling every ${POLL_MS} ms instead`);
        this.every(POLL_MS, () => {
          if (this.candidates.size || this.signature() !== this.lastSignature)
            this.kick();
        });
      }
    }
  }
  /** A build folder to look at: watched from the inside until it is whole. */
  candidate(dir) {
    this.candidates.add(dir);
    this.watchDir(dir, () => this.kick());
  }
  /** A job folder: a new build folder in it, or a change inside one that is not whole yet, triggers a look. */
  watchJob(jobDir, fresh = false) {
    if (this.watchers.has(jobDir))
      return;
    if (fresh)
      try {
        for (const d of readdirSync(jobDir, { withFileTypes: true }))
          if (d.isDirectory() && !d.name.startsWith("."))
            this.candidate(path.join(jobDir, d.name));
      } catch {
      }
    this.watchDir(jobDir, (name) => {
      if (!name || name.startsWith("."))
        return;
      const dir = path.join(jobDir, name);
      this.candidate(dir);
      this.kick();
    });
  }
  /** Whether a build folder is whole: build.json parses and every artifact it names has its SHA-256, or nothing changed for stableMs. */
  async whole(dir) {
    const snap = snapshot(dir);
    const prev = this.unsettled.get(dir);
    if (prev && prev.snap === snap && Date.now() - prev.since >= this.stableMs)
      return true;
    if (prev && prev.snap !== snap) {
      this.unsettled.set(dir, { snap, since: Date.now() });
      return false;
    }
    try {
      const j = JSON.parse(readFileSync(path.join(dir, "build.json"), "utf8"));
      let ok = true;
      for (const a of j.artifacts ?? []) {
        if (typeof a.path !== "string" || typeof a.sha256 !== "string")
          continue;
        const f = path.join(dir, a.path);
        if (!statSync(f, { throwIfNoEntry: false })?.isFile() || await hashWithCache(f, this.state) !== a.sha256)
          ok = false;
      }
      if (ok)
        return true;
    } catch {
    }
    if (!prev || prev.snap !== snap)
      this.unsettled.set(dir, { snap, since: Date.now() });
    return false;
  }
  /** The build folders that changed since the last run and are not whole yet, and how many became whole. */
  async notWhole() {
    const out = [];
    let whole = 0;
    for (const dir of this.candidates) {
      if (await this.whole(dir)) {
        this.unsettled.delete(dir);
        this.candidates.delete(dir);
        whole++;
        this.watchers.get(dir)?.close();
        this.watchers.delete(dir);
      } else
        out.push(dir);
    }
    return { waiting: out, whole };
  }
  /** Something changed: run soon (runs coalesce; one more run follows a run that was busy meanwhile). */
  kick() {
    if (process.env.REPOGEN_DEBUG)
      this.o.log(7, `kick (running: ${this.running !== null})`);
    if (this.stopping)
      return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.loop();
  }
  async loop() {
    try {
      await new Promise((r) => setTimeout(r, 20));
      do {
        this.again = false;
        const { waiting, whole } = await this.notWhole();
        if (process.env.REPOGEN_DEBUG)
          this.o.log(7, `look: ${whole} whole, waiting ${waiting.join(" ")}, watching ${[...this.watchers.keys()].join(" ")}`);
        if (waiting.length)
          this.after(Math.min(this.stableMs, 100), () => this.kick());
        if (!whole && this.signature() === this.lastSignature && !listPending(this.o.config.state).size)
          continue;
        await this.runOnce("change", new Set(waiting.map((d) => path.relative(this.o.config.builds, d).split(path.sep).join("/"))));
      } while (this.again && !this.stopping);
    } finally {
      this.running = null;
      for (const w of this.idleWaiters.splice(0))
        w();
    }
  }
  /** A run that starts after this call (one in progress may have read the clock before it). */
  async runNow(reason) {
    while (this.running)
      await this.running.catch(() => void 0);
    if (this.stopping)
      return;
    this.running = (async () => {
      try {
        await this.runOnce(reason, /* @__PURE__ */ new Set());
      } finally {
        this.running = null;
        for (const w of this.idleWaiters.splice(0))
          w();
      }
    })();
    await this.running;
    if (this.again) {
      this.again = false;
      this.kick();
    }
  }
  /** Resolves once no run is in progress (tests). */
  idle() {
    return this.running ? new Promise((r) => this.idleWaiters.push(r)) : Promise.resolve();
  }
  /** Compares the clock with the next re-signing time; runs when it has come. */
  checkResign() {
    if (this.o.clock().getTime() < this.resignAt)
      return Promise.resolve();
    this.o.log(LOG_INFO, `re-signing: Valid-Until is less than half of valid_days = ${this.o.config.validDays} away`);
    return this.runNow("re-sign");
  }
  async runOnce(reason, quiet) {
    if (this.stopping)
      return;
    const now = this.o.clock();
    const signature = this.signature();
    try {
      const t = Date.now();
      const skipRetention = this.runs > 0 && Date.now() - this.retainedAt < RETENTION_EVERY_MS;
      const r = await runSettling({ ...this.o.pipeline(new Date(Math.floor(now.getTime() / 1e3) * 1e3)), signal: this.abort.signal, skipRetention, quick: false }, this.state);
      if (!skipRetention)
        this.retainedAt = Date.now();
      this.runs++;
      this.lastSignature = signature;
      this.report(r.outcomes, quiet);
      const written = r.summary.added.length + r.summary.updated.length + r.summary.removed.length;
      if (process.env.REPOGEN_DEBUG)
        this.o.log(7, `timings ${JSON.stringify(r.summary.timings)}`);
      if (written)
        this.o.log(LOG_INFO, `${reason}: wrote ${r.summary.added.length} new and ${r.summary.updated.length} changed files, removed ${r.summary.removed.length} (${Date.now() - t} ms)`);
      this.resignAt = this.nextResign(r.summary.published);
      if (r.pendingLeft)
        this.again = true;
    } catch (e) {
      if (this.abort.signal.aborted)
        return;
      this.o.log(LOG_ERR, `run failed: ${errorLine(e)}`);
      this.after(Math.min(this.rescanMs, 1e4), () => this.kick());
    }
  }
  /** One line per build whose fate changed since the last run. */
  report(outcomes, quiet) {
    const first = this.runs === 1;
    const seen = /* @__PURE__ */ new Set();
    const counts = {};
    for (const [id, oc] of outcomes) {
      seen.add(id);
      if (oc.status === "rejected" && (quiet.has(id) || this.young(id))) {
        this.candidate(path.join(this.o.config.builds, ...id.split("/")));
        this.after(Math.min(this.stableMs, 100), () => this.kick());
        continue;
      }
      const line = oc.status === "published" ? `published ${id} as ${oc.name} ${oc.version} (${oc.arch}) in ${oc.repository}` : oc.status === "rejected" ? `rejected ${id}: ${oc.reason}` : `kept out ${id}: ${oc.reason}`;
      if (this.outcomes.get(id) === line)
        continue;
      this.outcomes.set(id, line);
      counts[oc.status] = (counts[oc.status] ?? 0) + 1;
      if (!first || oc.status === "rejected")
        this.o.log(oc.status === "rejected" ? LOG_WARNING : LOG_INFO, line);
    }
    if (first)
      this.o.log(LOG_INFO, `${counts.published ?? 0} builds published, ${counts.rejected ?? 0} rejected, ${counts["not-chosen"] ?? 0} kept out`);
    for (const id of [...this.outcomes.keys()])
      if (!seen.has(id)) {
        this.outcomes.delete(id);
        this.o.log(LOG_INFO, `gone ${id}: its folder is no longer in the builds folder`);
      }
  }
  /** Whether a build folder or an entry in it changed less than stableMs ago. */
  young(id) {
    const dir = path.join(this.o.config.builds, ...id.split("/"));
    const times = [statSync(dir, { throwIfNoEntry: false })?.mtimeMs ?? 0];
    try {
      for (const n of readdirSync(dir))
        times.push(statSync(path.join(dir, n), { throwIfNoEntry: false })?.mtimeMs ?? 0);
    } catch {
      return false;
    }
    return Date.now() - Math.max(...times) < this.stableMs;
  }
  /** When the next run must re-sign: half of valid_days before the earliest published Valid-Until. */
  nextResign(published) {
    if (this.o.config.validDays === 0)
      return Infinity;
    let at = Infinity;
    for (const k of Object.keys(published)) {
      if (!k.startsWith("apt "))
        continue;
      try {
        const rel = readFileSync(path.join(this.o.config.output, "apt", "dists", k.slice(4), "Release"), "utf8");
        const until = Date.parse(/^Valid-Until: (.*)$/m.exec(rel)?.[1] ?? "");
        if (!Number.isNaN(until))
          at = Math.min(at, until - this.o.config.validDays * 864e5 / 2 + 1e3);
      } catch {
      }
    }
    return at;
  }
  /** Stops between two stages (or after the current publish stage), then lets go of the lock. */
  async stop() {
    if (this.stopping)
      return;
    this.stopping = true;
    this.abort.abort();
    for (const w of this.watchers.values())
      w.close();
    this.watchers.clear();
    for (const t of this.timers)
      clearTimeout(t), clearInterval(t);
    this.timers.clear();
    await this.running?.catch(() => void 0);
    await this.lock?.release();
    this.lock = null;
  }
};
function logger(prefix) {
  return (priority, line) => process.stderr.write(`${prefix ? `<${priority}>` : ""}${line.replace(/[\r\n]+/g, " ")}
`);
}
async function run(argv) {
  const { values, positionals } = parse(argv, {
    builds: { type: "string" },
    out: { type: "string" },
    keys: { type: "string" },
    state: { type: "string" },
    now: { type: "string" },
    "passphrase-file": { type: "string" },
    rescan: { type: "string" },
    stable: { type: "string" },
    "priority-prefix": { type: "boolean" }
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (positionals.length)
    throw new UsageError(`watch takes no arguments (got "${positionals[0]}")`);
  io(values);
  const num = (k, d) => {
    const v = str(values[k]);
    if (v === void 0)
      return d;
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0)
      throw new UsageError(`--${k} "${v}" is not a positive number`);
    return n;
  };
  const config = applyOverrides(loadConfig(str(values.config)), values);
  const rescanMs = num("rescan", 60) * 1e3;
  const stableMs = num("stable", 300);
  const start = str(values.now) !== void 0 ? clock(str(values.now)).getTime() : null;
  const t0 = Date.now();
  const clock2 = () => new Date(start === null ? Date.now() : start + (Date.now() - t0));
  const passphrase = await readPassphrase(str(values["passphrase-file"]));
  const log = logger(values["priority-prefix"] === true || process.env.JOURNAL_STREAM !== void 0);
  const w = new Watcher({ config, clock: clock2, log, rescanMs, stableMs, pipeline: (now) => pipelineOptions(config, now, passphrase, (s) => log(LOG_WARNING, s)) });
  let stopped = () => void 0;
  const done = new Promise((r) => stopped = r);
  const onSignal = (sig) => {
    log(LOG_INFO, `${sig}: stopping`);
    void w.stop().then(() => stopped(0));
  };
  process.once("SIGTERM", () => onSignal("SIGTERM"));
  process.once("SIGINT", () => onSignal("SIGINT"));
  await w.start();
  const keepAlive = setInterval(() => void 0, 1 << 30);
  const code = await done;
  clearInterval(keepAlive);
  log(LOG_INFO, "stopped");
  return code;
}
export {
  HELP,
  Watcher,
  run
};
