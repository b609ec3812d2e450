#!/usr/bin/env node
import {
  repogenVersion
} from "./chunk-IEWX2NAL.js";
import {
  BookkeepingError,
  CorruptArchiveError,
  FormatError,
  KeyError,
  LockedError,
  UnsafePathError,
  UsageError,
  errorLine
} from "./chunk-URTPPSHB.js";

// dist/cli.js
import v8 from "node:v8";
var HELP = `repogen: turn finished builds into signed APT and FreeBSD pkg repositories

Usage: repogen COMMAND [options]

Commands:
  generate              read finished builds, emit packages, write, sign and publish both repositories
  keygen                create the signing keys into the keys folder (refuses to overwrite)
  verify TARGET         check a published or mirrored tree (a folder or an http(s):// URL) as a client would
  package SPEC ...      build one .deb or .pkg from a spec and a staged tree (prints its path)
  inspect FILE          print the metadata of a .deb or .pkg
  import FILE...        wrap existing .deb/.pkg files into finished-build folders
  hook --job=... FILE   builder-web's upload hook: record one build and publish it (several at once are fine)
  watch                 stay resident: publish each new build within moments, re-sign before expiry

Common options:
  --config FILE   configuration (default ./repogen.toml when it exists)
  --json          one JSON document on stdout, human text on stderr
  --quiet, -q     print only errors
  --help, -h      help for a command: repogen COMMAND --help
  --version       print repogen's version

Exit codes: 0 done; 1 failed (published tree unchanged); 2 usage or configuration error;
3 published, but some builds were rejected; 4 another generate holds the lock;
5 published, but the run could not finish its bookkeeping (state, retention, index page).
`;
process.env.UV_THREADPOOL_SIZE ??= "8";
v8.setFlagsFromString("--max-semi-space-size=2");
var COMMANDS = {
  package: () => import("./package-P3MJAUP3.js"),
  inspect: () => import("./inspect-PSAE57SZ.js"),
  generate: () => import("./generate-LMVOQWSM.js"),
  keygen: () => import("./keygen-4V7APFGY.js"),
  import: () => import("./import-MIK75YRA.js"),
  verify: () => import("./verify-MCTKE6RC.js"),
  hook: () => import("./hook-SWHHJQZM.js"),
  watch: () => import("./watch-WKYJNGD4.js")
};
async function main(argv) {
  const [cmd, ...rest] = argv;
  if (cmd === void 0 || cmd === "--help" || cmd === "-h" || cmd === "help") {
    process.stdout.write(HELP);
    return cmd === void 0 ? 2 : 0;
  }
  if (cmd === "--version" || cmd === "-V") {
    process.stdout.write(`repogen ${repogenVersion()}
`);
    return 0;
  }
  const load = COMMANDS[cmd];
  if (!load) {
    process.stderr.write(`repogen: unknown command "${cmd}" (see repogen --help)
`);
    return 2;
  }
  const { run } = await load();
  return run(rest);
}
function exitCodeFor(err) {
  if (err instanceof LockedError)
    return 4;
  if (err instanceof BookkeepingError)
    return 5;
  if (err instanceof UsageError || err instanceof FormatError || err instanceof UnsafePathError)
    return 2;
  if (err instanceof KeyError || err instanceof CorruptArchiveError)
    return 1;
  return 1;
}
function exit(code) {
  process.exitCode = code;
  let pending = 2;
  const done = () => {
    if (--pending === 0)
      process.exit(code);
  };
  process.stdout.write("", done);
  process.stderr.write("", done);
}
main(process.argv.slice(2)).then((code) => exit(code), (err) => {
  process.stderr.write(`repogen: ${errorLine(err)}
`);
  if (process.env.REPOGEN_DEBUG && err instanceof Error)
    process.stderr.write(`${err.stack}
`);
  exit(exitCodeFor(err));
});
