import {
  UsageError
} from "./chunk-URTPPSHB.js";

// dist/commands/args.js
import { parseArgs } from "node:util";
var COMMON = {
  config: { type: "string" },
  json: { type: "boolean" },
  quiet: { type: "boolean", short: "q" },
  help: { type: "boolean", short: "h" }
};
function parse(argv, options) {
  try {
    return parseArgs({ args: argv, options: { ...COMMON, ...options }, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError(e.message.split("\n")[0].replace(/^TypeError \[[A-Z_]+\]: /, ""));
  }
}
function str(v) {
  return typeof v === "string" ? v : void 0;
}
function io(values) {
  const json = values.json === true;
  const quiet = values.quiet === true;
  return {
    json,
    quiet,
    out: (s) => process.stdout.write(s.endsWith("\n") ? s : s + "\n"),
    err: (s) => process.stderr.write(s.endsWith("\n") ? s : s + "\n")
  };
}

export {
  parse,
  str,
  io
};
