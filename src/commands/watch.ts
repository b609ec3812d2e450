/**
 * `repogen watch`: the resident publisher. It holds the state folder's lock for as long as it runs,
 * keeps the State loaded between runs, and runs the pipeline's stages (pipeline.ts runSettling) when a
 * build appears, when a hook hands one over, and before the Release files' Valid-Until runs out.
 */
import { readdirSync, readFileSync, statSync, watch, type FSWatcher } from "node:fs";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { hashWithCache } from "../builds/scan.js";
import { loadConfig, type Config } from "../config.js";
import { errorLine, UsageError } from "../errors.js";
import { acquireLock, type Lock } from "../publish/lock.js";
import { listPending, type BuildOutcome } from "../publish/pending.js";
import { State } from "../publish/state.js";
import { runSettling, type GenerateOptions } from "../pipeline.js";
import { readPassphrase } from "../signing/passphrase.js";
import { io, parse, str } from "./args.js";
import { applyOverrides, clock as fixedClock, pipelineOptions } from "./generate.js";

export const HELP = `Usage: repogen watch [options]

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

export interface WatchOptions {
  config: Config;
  /** The pipeline's options for a run at `now` (families, keys, site files). */
  pipeline: (now: Date) => GenerateOptions;
  /** The clock: injectable so that tests can bring an expiry near. */
  clock: () => Date;
  log: (priority: number, line: string) => void;
  rescanMs?: number;
  stableMs?: number;
  /** How often the clock is compared with the next re-signing time. */
  resignCheckMs?: number;
}

/** Without inotify: how often the job folders' mtimes are compared (a stat each: cheap even at 2000). */
const POLL_MS = 250;
/** How often a run also surveys the tree and applies retention. */
const RETENTION_EVERY_MS = 10 * 60_000;
const LOG_INFO = 6;
const LOG_WARNING = 4;
const LOG_ERR = 3;

/** A folder's and its entries' sizes and mtimes: unchanged over an interval means no one writes it. */
function snapshot(dir: string): string {
  try {
    return readdirSync(dir)
      .sort()
      .map((n) => {
        const st = statSync(path.join(dir, n), { throwIfNoEntry: false });
        return st ? `${n}:${st.size}:${st.mtimeMs}` : n;
      })
      .join("|");
  } catch {
    return "";
  }
}

export class Watcher {
  private lock: Lock | null = null;
  private state!: State;
  private watchers = new Map<string, FSWatcher>();
  private timers = new Set<NodeJS.Timeout>();
  private running: Promise<void> | null = null;
  private again = false;
  private stopping = false;
  private abort = new AbortController();
  private outcomes = new Map<string, string>();
  /** Build folders seen changing that were not whole yet: their last snapshot and when it was taken. */
  private unsettled = new Map<string, { snap: string; since: number }>();
  /** Build folders to look at before the next run: changed, new, or rejected while still young. */
  private candidates = new Set<string>();
  /** Set when inotify cannot be had (its limits reached): the folder is polled instead. */
  private polling = false;
  private resignAt = Infinity;
  private retainedAt = 0;
  private lastSignature = "";
  /** Runs done so far (tests and the benchmark wait on it). */
  runs = 0;
  private readonly rescanMs: number;
  private readonly stableMs: number;
  private readonly resignCheckMs: number;
  private idleWaiters: Array<() => void> = [];

  constructor(private readonly o: WatchOptions) {
    this.rescanMs = o.rescanMs ?? 60_000;
    this.stableMs = o.stableMs ?? 300;
    this.resignCheckMs = o.resignCheckMs ?? 60_000;
  }

  /** Takes the lock (LockedError if held), loads the state, publishes what is there, and starts watching. */
  async start(): Promise<void> {
    this.lock = await acquireLock(this.o.config.state);
    this.state = new State(this.o.config.state, { resident: true });
    await this.state.load();
    this.o.log(LOG_INFO, `watching ${this.o.config.builds} (pid ${process.pid})`);
    this.watchDir(this.o.config.builds, (name) => {
      if (name && !name.startsWith(".")) this.watchJob(path.join(this.o.config.builds, name), true);
      this.kick();
    });
    for (const j of this.jobDirs()) this.watchJob(j);
    await mkdir(path.join(this.o.config.state, "pending"), { recursive: true });
    // Settling removes markers, which is an event too: only new markers matter.
    this.watchDir(path.join(this.o.config.state, "pending"), () => {
      if (listPending(this.o.config.state).size) this.kick();
    });
    this.every(this.rescanMs, () => {
      if (this.signature() !== this.lastSignature) this.kick();
    });
    this.every(this.resignCheckMs, () => this.checkResign());
    await this.runNow("start");
  }

  private every(ms: number, fn: () => void): void {
    const t = setInterval(fn, ms);
    t.unref();
    this.timers.add(t);
  }

  private after(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
  }

  private jobDirs(): string[] {
    try {
      return readdirSync(this.o.config.builds, { withFileTypes: true })
        .filter((d) => d.isDirectory() && !d.name.startsWith("."))
        .map((d) => path.join(this.o.config.builds, d.name));
    } catch {
      return [];
    }
  }

  /** What the safety rescan compares: every job folder's mtime (a build coming or going changes it) and the pending markers. */
  private signature(): string {
    const parts = this.jobDirs().map((d) => `${d}:${statSync(d, { throwIfNoEntry: false })?.mtimeMs ?? 0}`);
    try {
      parts.push(...readdirSync(path.join(this.o.config.state, "pending")));
    } catch {
      /* none */
    }
    return parts.join("\n");
  }

  private watchDir(dir: string, onEvent: (name: string | null) => void): void {
    if (this.watchers.has(dir) || this.stopping) return;
    try {
      const w = watch(dir, { persistent: false }, (_ev, name) => onEvent(name === null ? null : String(name)));
      w.on("error", () => {
        w.close();
        this.watchers.delete(dir);
      });
      this.watchers.set(dir, w);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      // Not there (yet): the safety rescan notices when it comes. Out of inotify instances or
      // watches: poll instead, once a second, which costs a stat per job folder.
      if ((code === "EMFILE" || code === "ENOSPC") && !this.polling) {
        this.polling = true;
        this.o.log(LOG_WARNING, `cannot watch ${dir} (${code}: the system's inotify limits are reached): polling every ${POLL_MS} ms instead`);
        this.every(POLL_MS, () => {
          if (this.candidates.size || this.signature() !== this.lastSignature) this.kick();
        });
      }
    }
  }

  /** A build folder to look at: watched from the inside until it is whole. */
  private candidate(dir: string): void {
    this.candidates.add(dir);
    this.watchDir(dir, () => this.kick());
  }

  /** A job folder: a new build folder in it, or a change inside one that is not whole yet, triggers a look. */
  private watchJob(jobDir: string, fresh = false): void {
    if (this.watchers.has(jobDir)) return;
    // A job folder that just appeared may hold build folders made before its watch began.
    if (fresh)
      try {
        for (const d of readdirSync(jobDir, { withFileTypes: true })) if (d.isDirectory() && !d.name.startsWith(".")) this.candidate(path.join(jobDir, d.name));
      } catch {
        /* gone again */
      }
    this.watchDir(jobDir, (name) => {
      if (!name || name.startsWith(".")) return;
      const dir = path.join(jobDir, name);
      // A build folder made in place (mkdir, then files): watch inside it until it is whole.
      this.candidate(dir);
      this.kick();
    });
  }

  /** Whether a build folder is whole: build.json parses and every artifact it names has its SHA-256, or nothing changed for stableMs. */
  private async whole(dir: string): Promise<boolean> {
    const snap = snapshot(dir);
    const prev = this.unsettled.get(dir);
    if (prev && prev.snap === snap && Date.now() - prev.since >= this.stableMs) return true;
    if (prev && prev.snap !== snap) {
      // Still being written: no use hashing it yet.
      this.unsettled.set(dir, { snap, since: Date.now() });
      return false;
    }
    try {
      const j = JSON.parse(readFileSync(path.join(dir, "build.json"), "utf8")) as { artifacts?: Array<{ path?: string; sha256?: string }>; result?: string };
      let ok = true;
      for (const a of j.artifacts ?? []) {
        if (typeof a.path !== "string" || typeof a.sha256 !== "string") continue;
        // The digest lands in the state's cache, so the run that reads the build does not hash the file again.
        const f = path.join(dir, a.path);
        if (!statSync(f, { throwIfNoEntry: false })?.isFile() || (await hashWithCache(f, this.state)) !== a.sha256) ok = false;
      }
      if (ok) return true;
    } catch {
      /* not there or not whole yet */
    }
    if (!prev || prev.snap !== snap) this.unsettled.set(dir, { snap, since: Date.now() });
    return false;
  }

  /** The build folders that changed since the last run and are not whole yet, and how many became whole. */
  private async notWhole(): Promise<{ waiting: string[]; whole: number }> {
    const out: string[] = [];
    let whole = 0;
    for (const dir of this.candidates) {
      if (await this.whole(dir)) {
        this.unsettled.delete(dir);
        this.candidates.delete(dir);
        whole++;
        // Whole: events inside it no longer matter (the job folder's watch still sees it replaced).
        this.watchers.get(dir)?.close();
        this.watchers.delete(dir);
      } else out.push(dir);
    }
    return { waiting: out, whole };
  }

  /** Something changed: run soon (runs coalesce; one more run follows a run that was busy meanwhile). */
  kick(): void {
    if (process.env.REPOGEN_DEBUG) this.o.log(7, `kick (running: ${this.running !== null})`);
    if (this.stopping) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.loop();
  }

  private async loop(): Promise<void> {
    try {
      // A few milliseconds let the events of one copy (folder, files, rename) arrive together.
      await new Promise((r) => setTimeout(r, 20));
      do {
        this.again = false;
        const { waiting, whole } = await this.notWhole();
        if (process.env.REPOGEN_DEBUG) this.o.log(7, `look: ${whole} whole, waiting ${waiting.join(" ")}, watching ${[...this.watchers.keys()].join(" ")}`);
        if (waiting.length) this.after(Math.min(this.stableMs, 100), () => this.kick());
        // Only builds still being written changed: nothing to publish yet.
        if (!whole && this.signature() === this.lastSignature && !listPending(this.o.config.state).size) continue;
        await this.runOnce("change", new Set(waiting.map((d) => path.relative(this.o.config.builds, d).split(path.sep).join("/"))));
      } while (this.again && !this.stopping);
    } finally {
      this.running = null;
      for (const w of this.idleWaiters.splice(0)) w();
    }
  }

  /** A run that starts after this call (one in progress may have read the clock before it). */
  private async runNow(reason: string): Promise<void> {
    while (this.running) await this.running.catch(() => undefined);
    if (this.stopping) return;
    this.running = (async () => {
      try {
        await this.runOnce(reason, new Set());
      } finally {
        this.running = null;
        for (const w of this.idleWaiters.splice(0)) w();
      }
    })();
    await this.running;
    // Changes that came during this run: the loop looks at them now.
    if (this.again) {
      this.again = false;
      this.kick();
    }
  }

  /** Resolves once no run is in progress (tests). */
  idle(): Promise<void> {
    return this.running ? new Promise((r) => this.idleWaiters.push(r)) : Promise.resolve();
  }

  /** Compares the clock with the next re-signing time; runs when it has come. */
  checkResign(): Promise<void> {
    if (this.o.clock().getTime() < this.resignAt) return Promise.resolve();
    this.o.log(LOG_INFO, `re-signing: Valid-Until is less than half of valid_days = ${this.o.config.validDays} away`);
    return this.runNow("re-sign");
  }

  private async runOnce(reason: string, quiet: Set<string>): Promise<void> {
    if (this.stopping) return;
    const now = this.o.clock();
    const signature = this.signature();
    try {
      const t = Date.now();
      // Retention (and the walk of the whole tree it needs) at the first run and then every few minutes.
      const skipRetention = this.runs > 0 && Date.now() - this.retainedAt < RETENTION_EVERY_MS;
      const r = await runSettling({ ...this.o.pipeline(new Date(Math.floor(now.getTime() / 1000) * 1000)), signal: this.abort.signal, skipRetention, quick: false }, this.state);
      if (!skipRetention) this.retainedAt = Date.now();
      this.runs++;
      this.lastSignature = signature;
      this.report(r.outcomes, quiet);
      const written = r.summary.added.length + r.summary.updated.length + r.summary.removed.length;
      if (process.env.REPOGEN_DEBUG) this.o.log(7, `timings ${JSON.stringify(r.summary.timings)}`);
      if (written) this.o.log(LOG_INFO, `${reason}: wrote ${r.summary.added.length} new and ${r.summary.updated.length} changed files, removed ${r.summary.removed.length} (${Date.now() - t} ms)`);
      this.resignAt = this.nextResign(r.summary.published);
      if (r.pendingLeft) this.again = true;
    } catch (e) {
      if (this.abort.signal.aborted) return;
      this.o.log(LOG_ERR, `run failed: ${errorLine(e)}`);
      // Try again later rather than in a tight loop (a full disk, a key gone).
      this.after(Math.min(this.rescanMs, 10_000), () => this.kick());
    }
  }

  /** One line per build whose fate changed since the last run. */
  private report(outcomes: Map<string, BuildOutcome>, quiet: Set<string>): void {
    // The first run only says how things stand: thousands of "published" lines at every start would
    // bury the changes. Rejections are still named one by one.
    const first = this.runs === 1;
    const seen = new Set<string>();
    const counts: Record<string, number> = {};
    for (const [id, oc] of outcomes) {
      seen.add(id);
      // Still being written: said once it has been left alone for a while (a later run looks again).
      // A folder without its build.json yet is most likely being copied in: it gets longer to settle.
      const settle = oc.status === "rejected" && /^build\.json is missing/.test(oc.reason) ? Math.max(this.stableMs, 5000) : this.stableMs;
      if (oc.status === "rejected" && (quiet.has(id) || this.young(id, settle))) {
        this.candidate(path.join(this.o.config.builds, ...id.split("/")));
        this.after(Math.min(this.stableMs, 100), () => this.kick());
        continue;
      }
      const line =
        oc.status === "published"
          ? `published ${id} as ${oc.name} ${oc.version} (${oc.arch}) in ${oc.repository}`
          : oc.status === "rejected"
            ? `rejected ${id}: ${oc.reason}`
            : `kept out ${id}: ${oc.reason}`;
      if (this.outcomes.get(id) === line) continue;
      this.outcomes.set(id, line);
      counts[oc.status] = (counts[oc.status] ?? 0) + 1;
      if (!first || oc.status === "rejected") this.o.log(oc.status === "rejected" ? LOG_WARNING : LOG_INFO, line);
    }
    if (first) this.o.log(LOG_INFO, `${counts.published ?? 0} builds published, ${counts.rejected ?? 0} rejected, ${counts["not-chosen"] ?? 0} kept out`);
    for (const id of [...this.outcomes.keys()])
      if (!seen.has(id)) {
        this.outcomes.delete(id);
        this.o.log(LOG_INFO, `gone ${id}: its folder is no longer in the builds folder`);
      }
  }

  /** Whether a build folder or an entry in it changed less than `within` ms ago. */
  private young(id: string, within = this.stableMs): boolean {
    const dir = path.join(this.o.config.builds, ...id.split("/"));
    const times = [statSync(dir, { throwIfNoEntry: false })?.mtimeMs ?? 0];
    try {
      for (const n of readdirSync(dir)) times.push(statSync(path.join(dir, n), { throwIfNoEntry: false })?.mtimeMs ?? 0);
    } catch {
      return false;
    }
    return Date.now() - Math.max(...times) < within;
  }

  /** When the next run must re-sign: half of valid_days before the earliest published Valid-Until. */
  private nextResign(published: Record<string, unknown>): number {
    if (this.o.config.validDays === 0) return Infinity;
    let at = Infinity;
    for (const k of Object.keys(published)) {
      if (!k.startsWith("apt ")) continue;
      try {
        const rel = readFileSync(path.join(this.o.config.output, "apt", "dists", k.slice(4), "Release"), "utf8");
        const until = Date.parse(/^Valid-Until: (.*)$/m.exec(rel)?.[1] ?? "");
        // The family re-signs once less than half the validity is left; a second later to be past it.
        if (!Number.isNaN(until)) at = Math.min(at, until - (this.o.config.validDays * 86400_000) / 2 + 1000);
      } catch {
        /* not published */
      }
    }
    return at;
  }

  /** Stops between two stages (or after the current publish stage), then lets go of the lock. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.abort.abort();
    for (const w of this.watchers.values()) w.close();
    this.watchers.clear();
    for (const t of this.timers) clearTimeout(t), clearInterval(t);
    this.timers.clear();
    await this.running?.catch(() => undefined);
    await this.lock?.release();
    this.lock = null;
  }
}

function logger(prefix: boolean) {
  return (priority: number, line: string) => process.stderr.write(`${prefix ? `<${priority}>` : ""}${line.replace(/[\r\n]+/g, " ")}\n`);
}

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, {
    builds: { type: "string" },
    out: { type: "string" },
    keys: { type: "string" },
    state: { type: "string" },
    now: { type: "string" },
    "passphrase-file": { type: "string" },
    rescan: { type: "string" },
    stable: { type: "string" },
    "priority-prefix": { type: "boolean" },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (positionals.length) throw new UsageError(`watch takes no arguments (got "${positionals[0]}")`);
  io(values);
  const num = (k: string, d: number) => {
    const v = str(values[k]);
    if (v === undefined) return d;
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0) throw new UsageError(`--${k} "${v}" is not a positive number`);
    return n;
  };
  const config = applyOverrides(loadConfig(str(values.config)), values);
  const rescanMs = num("rescan", 60) * 1000;
  const stableMs = num("stable", 300);
  const start = str(values.now) !== undefined ? fixedClock(str(values.now)).getTime() : null;
  const t0 = Date.now();
  const clock = () => new Date(start === null ? Date.now() : start + (Date.now() - t0));
  const passphrase = await readPassphrase(str(values["passphrase-file"]));
  const log = logger(values["priority-prefix"] === true || process.env.JOURNAL_STREAM !== undefined);
  const w = new Watcher({ config, clock, log, rescanMs, stableMs, pipeline: (now) => pipelineOptions(config, now, passphrase, (s) => log(LOG_WARNING, s)) });
  let stopped: (code: number) => void = () => undefined;
  const done = new Promise<number>((r) => (stopped = r));
  const onSignal = (sig: string) => {
    log(LOG_INFO, `${sig}: stopping`);
    void w.stop().then(() => stopped(0));
  };
  process.once("SIGTERM", () => onSignal("SIGTERM"));
  process.once("SIGINT", () => onSignal("SIGINT"));
  await w.start();
  // Something to keep the event loop alive: the watchers and timers do not (they are unref'd).
  const keepAlive = setInterval(() => undefined, 1 << 30);
  const code = await done;
  clearInterval(keepAlive);
  log(LOG_INFO, "stopped");
  return code;
}
