import { readFile } from "node:fs/promises";
import { UsageError } from "../errors.js";
import { loadConfig } from "../config.js";
import { DEFAULT_LIMITS, folderSource, httpSource, s3Source } from "../verify/source.js";
import { verifyTree } from "../verify/verify.js";
import { clock } from "./generate.js";
import { io, parse, str } from "./args.js";

export const HELP = `Usage: repogen verify TARGET [options]

Check a published or mirrored tree (a folder, an http(s):// URL of the output root, or
s3://BUCKET/PREFIX read with AWS credentials and the [s3] settings of --config) as a client
would: InRelease, Release.gpg and Valid-Until; every index InRelease lists, by its by-hash copy; every
pool file an index names, with its size; the FreeBSD catalogues' signatures and the packages they
name. Exit 0 when consistent, 1 with one line per problem.

Options:
  --apt-keyring FILE   the OpenPGP public key clients trust (binary or armored)
  --pkg-pubkey FILE    the RSA public key (PEM) FreeBSD clients trust
                       (without these, the keys published in the tree are used, with a warning:
                       that proves consistency, not authenticity)
                       (a keyring holding any one of the signing keys passes; the keys that
                       signed are printed after the summary, "signers" in --json)
  --deep               hash every pool file too
  --now ISO8601        the clock to check Valid-Until against (default: now)
  --timeout SECONDS    over http, the most one request may take (default ${DEFAULT_LIMITS.requestMs / 1000})
  --max-time SECONDS   over http, the most the whole check may take (default ${DEFAULT_LIMITS.totalMs / 1000})
  --json               {"ok": …, "problems": […], …} on stdout
  --config FILE        for s3:// targets: the [s3] table (endpoint, region, force_path_style)

Every read is bounded: nothing outside TARGET is read (a name with "..", an absolute name, or in a
folder a symlink out of it, is refused and reported), and each kind of file has a size cap
(InRelease, Release, Release.gpg 16 MiB; keys, snippets, meta.conf, index.html 4 MiB; index files
and catalogues 1 GiB; a pool file no more than its index says). A time-out or a cap ends the check
with one line.

Examples:
  repogen verify https://packages.example.org --apt-keyring /etc/apt/keyrings/example.gpg --deep
  repogen verify s3://packages/repo --config repogen.toml
`;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, {
    "apt-keyring": { type: "string" },
    "pkg-pubkey": { type: "string" },
    deep: { type: "boolean" },
    now: { type: "string" },
    timeout: { type: "string" },
    "max-time": { type: "string" },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const o = io(values);
  if (positionals.length !== 1) throw new UsageError("verify takes exactly one TARGET (see repogen verify --help)");
  const target = positionals[0]!;
  const seconds = (k: string, dflt: number) => {
    const v = str(values[k]);
    if (v === undefined) return dflt;
    if (!/^\d+(\.\d+)?$/.test(v) || Number(v) <= 0) throw new UsageError(`--${k} "${v}" is not a positive number of seconds`);
    return Math.round(Number(v) * 1000);
  };
  const limits = { requestMs: seconds("timeout", DEFAULT_LIMITS.requestMs), totalMs: seconds("max-time", DEFAULT_LIMITS.totalMs) };
  const src = /^https?:\/\//.test(target)
    ? httpSource(target, limits)
    : target.startsWith("s3://")
      ? await s3Source(target, loadConfig(str(values.config)).s3)
      : folderSource(target);
  const readOpt = async (k: string) => {
    const f = str(values[k]);
    if (f === undefined) return undefined;
    return readFile(f).catch((e: NodeJS.ErrnoException) => {
      throw new UsageError(`cannot read: ${e.code ?? e.message}`, f);
    });
  };
  const report = await verifyTree(src, {
    aptKeyring: await readOpt("apt-keyring"),
    pkgPubkey: (await readOpt("pkg-pubkey"))?.toString("utf8"),
    deep: values.deep === true,
    now: clock(str(values.now), {}),
  });
  if (!o.quiet) for (const w of report.warnings) o.err(w);
  if (o.json) o.out(JSON.stringify({ ok: report.problems.length === 0, ...report }, null, 2));
  else {
    for (const pr of report.problems) o.err(pr);
    if (!o.quiet)
      o.out(
        `${report.problems.length ? "NOT consistent" : "consistent"}: ${report.checked.suites.length} APT suite(s), ${report.checked.abis.length} FreeBSD repositor${report.checked.abis.length === 1 ? "y" : "ies"}, ${report.checked.poolFiles} package files checked${values.deep ? " (deep)" : ""}; ${report.problems.length} problem(s)`,
      );
    if (!o.quiet) for (const [file, fprs] of Object.entries(report.signers)) o.out(`${file}: signed by ${fprs.join(", ")}`);
  }
  return report.problems.length ? 1 : 0;
}
