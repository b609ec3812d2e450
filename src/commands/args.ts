/** Argument parsing shared by the commands: node's parseArgs, with usage errors as UsageError. */
import { parseArgs, type ParseArgsConfig } from "node:util";
import { UsageError } from "../errors.js";

export type Options = NonNullable<ParseArgsConfig["options"]>;

export const COMMON: Options = {
  config: { type: "string" },
  json: { type: "boolean" },
  quiet: { type: "boolean", short: "q" },
  help: { type: "boolean", short: "h" },
};

export function parse(argv: string[], options: Options) {
  try {
    return parseArgs({ args: argv, options: { ...COMMON, ...options }, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError((e as Error).message.split("\n")[0]!.replace(/^TypeError \[[A-Z_]+\]: /, ""));
  }
}

export function str(v: unknown): string | undefined {
  return typeof v === "string" ? v : undefined;
}

/** Output channel: with --json, only the JSON document goes to stdout. */
export interface Io {
  json: boolean;
  quiet: boolean;
  out: (s: string) => void;
  err: (s: string) => void;
}

export function io(values: Record<string, unknown>): Io {
  const json = values.json === true;
  const quiet = values.quiet === true;
  return {
    json,
    quiet,
    out: (s) => process.stdout.write(s.endsWith("\n") ? s : s + "\n"),
    err: (s) => process.stderr.write(s.endsWith("\n") ? s : s + "\n"),
  };
}
