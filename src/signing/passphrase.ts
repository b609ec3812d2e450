/** The passphrase of encrypted private keys, from a file (its last line break dropped). No OpenPGP code: every command reads it. */
import { readFile } from "node:fs/promises";
import { UsageError } from "../errors.js";

export async function readPassphrase(file: string | undefined): Promise<string | undefined> {
  if (file === undefined) return undefined;
  try {
    return (await readFile(file, "utf8")).replace(/\r?\n$/, "");
  } catch (e) {
    throw new UsageError(`cannot read passphrase file: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, file);
  }
}
