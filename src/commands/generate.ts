import path from "node:path";
import { checkPathRules, checkS3Output, loadConfig, s3BaseUrl, type Config, type PathRole } from "../config.js";
import { UsageError } from "../errors.js";
import { DebianFamily } from "../debian/family.js";
import { generate, type GenerateOptions, type Summary } from "../pipeline.js";
import type { PkgSigner } from "../signing/keys.js";
import { readPassphrase } from "../signing/passphrase.js";
import { FreebsdFamily } from "../freebsd/family.js";
import { pkgSnippet } from "../site/render.js";
import type { AptSigner } from "../signing/openpgp.js";
import type { Family } from "../family.js";
import { io, parse, str } from "./args.js";

export const HELP = `Usage: repogen generate [options]

Read finished builds, emit packages, write and sign the APT and FreeBSD repositories, and publish
them into the output tree in an order that keeps it consistent at every instant. Safe to run from
cron: one run per state folder at a time, and a run with nothing new rewrites nothing.

Options (override repogen.toml):
  --config FILE          configuration (default ./repogen.toml when it exists)
  --builds DIR           finished builds (builds/JOB/UUID/build.json)
  --out DIR|s3://BUCKET/PREFIX
                         the static tree that is served: a folder or an S3 bucket
  --keys DIR             signing keys (see keys.example/)
  --state DIR            lock and caches; never inside --out
  --now ISO8601          the clock (tests, reproducible runs); SOURCE_DATE_EPOCH works too
  --passphrase-file FILE passphrase of encrypted private keys
  --dry-run              print what would change, write nothing
  --json                 a JSON summary on stdout
  --quiet                only errors and rejections

Exit codes: 0 done; 1 failed (tree unchanged); 2 usage/config error; 3 published, some builds
rejected (one line each on stderr); 4 another generate holds the lock; 5 published, but the
state, retention or the index page could not be finished (the tree is consistent; the next run
completes it).

Example:
  repogen generate --config examples/repogen.toml
`;

export function clock(nowArg: string | undefined, env = process.env): Date {
  if (nowArg !== undefined) {
    const t = Date.parse(nowArg);
    if (Number.isNaN(t) || !/^\d{4}-\d{2}-\d{2}/.test(nowArg)) throw new UsageError(`--now "${nowArg}" is not an ISO 8601 time`);
    return new Date(Math.floor(t / 1000) * 1000);
  }
  if (env.SOURCE_DATE_EPOCH !== undefined) {
    if (!/^\d+$/.test(env.SOURCE_DATE_EPOCH)) throw new UsageError(`SOURCE_DATE_EPOCH "${env.SOURCE_DATE_EPOCH}" is not a whole number`);
    return new Date(Number(env.SOURCE_DATE_EPOCH) * 1000);
  }
  return new Date(Math.floor(Date.now() / 1000) * 1000);
}

export function applyOverrides(c: Config, v: Record<string, unknown>): Config {
  const r = (k: string) => (str(v[k]) !== undefined ? path.resolve(str(v[k])!) : undefined);
  const out = { ...c };
  out.builds = r("builds") ?? c.builds;
  const outArg = str(v.out);
  out.output = outArg !== undefined && outArg.startsWith("s3://") ? checkS3Output(outArg) : (r("out") ?? c.output);
  out.keys = r("keys") ?? c.keys;
  out.state = r("state") ?? c.state;
  if (out.output !== c.output && out.baseUrl === c.baseUrl) out.baseUrl = s3BaseUrl(out) ?? out.baseUrl;
  const flags = new Set<PathRole>();
  for (const [flag, role] of [["builds", "builds"], ["out", "output"], ["keys", "keys"], ["state", "state"]] as const) if (str(v[flag]) !== undefined) flags.add(role);
  checkPathRules(out, flags);
  return out;
}

function progressBar(enabled: boolean) {
  if (!enabled) return undefined;
  let last = 0;
  return (done: number, total: number, what: string) => {
    const now = Date.now();
    if (done !== total && now - last < 100) return;
    last = now;
    const width = 30;
    const filled = total ? Math.round((done / total) * width) : width;
    process.stderr.write(`\r${what} [${"#".repeat(filled)}${" ".repeat(width - filled)}] ${done}/${total}${done === total ? "\n" : ""}`);
  };
}

function human(s: Summary): string {
  const lines: string[] = [];
  for (const r of s.repositories) lines.push(`${r.name}: ${r.packages} package${r.packages === 1 ? "" : "s"}${r.changed ? " (updated)" : " (unchanged)"}`);
  lines.push(
    `${s.dryRun ? "would write" : "wrote"} ${s.added.length} new and ${s.updated.length} changed files, ${s.dryRun ? "would remove" : "removed"} ${s.removed.length}, left ${s.unchanged} untouched; ${s.builds} builds read, ${s.failed} failed builds ignored, ${s.rejected.length} rejected (${s.timings.total} ms)`,
  );
  if (s.dryRun) for (const f of [...s.added, ...s.updated]) lines.push(`  would write ${f}`);
  if (s.dryRun) for (const f of s.removed) lines.push(`  would remove ${f}`);
  return lines.join("\n");
}

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, {
    builds: { type: "string" },
    out: { type: "string" },
    keys: { type: "string" },
    state: { type: "string" },
    now: { type: "string" },
    "passphrase-file": { type: "string" },
    "dry-run": { type: "boolean" },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (positionals.length) throw new UsageError(`generate takes no arguments (got "${positionals[0]}")`);
  const o = io(values);
  const config = applyOverrides(loadConfig(str(values.config)), values);
  const now = clock(str(values.now));
  const passphrase = await readPassphrase(str(values["passphrase-file"]));
  const summary = await generate({
    ...pipelineOptions(config, now, passphrase, (s) => o.err(s)),
    dryRun: values["dry-run"] === true,
    progress: progressBar(process.stderr.isTTY === true && !o.quiet && !o.json),
  });
  for (const w of summary.warnings) o.err(`warning: ${w}`);
  for (const r of summary.rejected) o.err(`rejected ${r.dir}: ${r.reason}`);
  if (o.json) o.out(JSON.stringify(summary, null, 2));
  else if (!o.quiet) o.out(human(summary));
  return summary.rejected.length ? 3 : 0;
}

/** The families, keys and site files of a run on this config: shared by generate, hook and watch. */
export function pipelineOptions(config: Config, now: Date, passphrase: string | undefined, warn: (s: string) => void): GenerateOptions {
  // Keys are loaded before anything is written: a missing key or a wrong passphrase changes nothing.
  let apt: AptSigner | undefined;
  let pkg: PkgSigner | undefined;
  let pkgKeys: Array<{ path: string; data: string }> = [];
  const families: Record<"debian" | "freebsd", Family> = {
    debian: new DebianFamily(() => apt!),
    freebsd: new FreebsdFamily(() =>
      config.pkg.signature === "pubkey" ? { mode: "pubkey", key: pkg!.key } : { mode: "fingerprints", key: pkg!.key, publicPem: pkg!.publicPem },
    ),
  };
  return {
    config,
    now,
    dryRun: false,
    families,
    loadKeys: async (needed) => {
      // Loaded here, not at start-up: a run that stops at its checks signs nothing (OpenPGP's code
      // is a good part of the start-up time).
      const { expiryWindow, loadAptKeys, loadPkgKey, loadPkgPublicKeys, pkgKeyFiles } = await import("../signing/keys.js");
      if (needed.has("debian")) apt = await loadAptKeys(config.keys, config.apt.signingKeys, passphrase, expiryWindow(now, config.validDays), warn);
      if (needed.has("freebsd")) {
        pkg = await loadPkgKey(config.keys, passphrase, warn, config.pkg.signingKey);
        const [trusted, revoked] = [await loadPkgPublicKeys(config.keys, config.pkg.trustedKeys), await loadPkgPublicKeys(config.keys, config.pkg.revokedKeys)];
        pkgKeys = pkgKeyFiles(config.pkg.signature, config.origin, pkg.publicPem, trusted, revoked, config.file ?? config.keys);
      }
      return { aptBinary: apt?.publicBinary, aptArmored: apt?.publicArmored, pkgPem: pkg?.publicPem };
    },
    extraFiles: (repos) => {
      if (!pkg || !repos.some((r) => r.kind === "pkg")) return [];
      return [
        ...pkgKeys.map((f) => ({ path: `pkg/${f.path}`, data: Buffer.from(f.data), stage: 1 as const })),
        { path: `pkg/${config.origin}.conf`, data: Buffer.from(pkgSnippet(config)), stage: 1 as const },
      ];
    },
    pkgConf: pkgSnippet(config),
  };
}
