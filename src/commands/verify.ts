import { readFile } from "node:fs/promises";
import { UsageError } from "../errors.js";
import { folderSource, httpSource } from "../verify/source.js";
import { verifyTree } from "../verify/verify.js";
import { clock } from "./generate.js";
import { io, parse, str } from "./args.js";

export const HELP = `Usage: repogen verify TARGET [options]

Check a published or mirrored tree (a folder, or an http(s):// URL of the output root) as a client
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
  --json               {"ok": …, "problems": […], …} on stdout

Example:
  repogen verify https://packages.example.org --apt-keyring /etc/apt/keyrings/example.gpg --deep
`;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, {
    "apt-keyring": { type: "string" },
    "pkg-pubkey": { type: "string" },
    deep: { type: "boolean" },
    now: { type: "string" },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const o = io(values);
  if (positionals.length !== 1) throw new UsageError("verify takes exactly one TARGET (see repogen verify --help)");
  const target = positionals[0]!;
  const src = /^https?:\/\//.test(target) ? httpSource(target) : folderSource(target);
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
