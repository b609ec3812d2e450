/** The keys folder: loading (with permission and demo-key warnings) and writing new keys (keygen). */
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { readFile, stat, writeFile, mkdir } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { KeyError, UsageError } from "../errors.js";
import { generateAptKey, loadAptSigner, type AptSigner } from "./openpgp.js";

export const APT_KEY = "apt-signing-key.asc";
export const APT_PUB = "apt-signing-key.pub.asc";
export const PKG_KEY = "pkg-signing-key.pem";
export const PKG_PUB = "pkg-signing-key.pub.pem";

const DEMO_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "keys.example");

export interface PkgSigner {
  key: KeyObject;
  publicPem: string;
}

export async function readPassphrase(file: string | undefined): Promise<string | undefined> {
  if (file === undefined) return undefined;
  try {
    return (await readFile(file, "utf8")).replace(/\r?\n$/, "");
  } catch (e) {
    throw new UsageError(`cannot read passphrase file: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, file);
  }
}

async function warnPermissions(file: string, warn: (s: string) => void): Promise<void> {
  const st = await stat(file);
  if (st.mode & 0o077) warn(`warning: ${file} is readable by group or others (mode ${(st.mode & 0o777).toString(8)}); chmod 600 it`);
}

function isDemo(file: string, name: string): boolean {
  const demo = path.join(DEMO_DIR, name);
  if (!existsSync(demo)) return false;
  try {
    return readFileSync(demo, "utf8").trim() === readFileSync(file, "utf8").trim();
  } catch {
    return false;
  }
}

/** Reads a private key file: a missing one is a KeyError; the demo key and loose modes are warned of. */
async function readKeyFile(keysDir: string, name: string, what: string, warn: (s: string) => void): Promise<{ file: string; text: string }> {
  const file = path.join(keysDir, name);
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch {
    throw new KeyError(`no ${what} (run "repogen keygen --keys ${keysDir}" or put one there)`, file);
  }
  if (isDemo(file, name)) warn(`WARNING: signing with the PUBLIC DEMO KEY ${name} from keys.example/: anyone can forge this repository. Run "repogen keygen" for real keys.`);
  else await warnPermissions(file, warn);
  return { file, text };
}

export async function loadAptKey(keysDir: string, passphrase: string | undefined, warn: (s: string) => void): Promise<AptSigner> {
  const { file, text } = await readKeyFile(keysDir, APT_KEY, "APT signing key (an armored OpenPGP private key)", warn);
  return loadAptSigner(text, passphrase, file);
}

export async function loadPkgKey(keysDir: string, passphrase: string | undefined, warn: (s: string) => void): Promise<PkgSigner> {
  const { file, text } = await readKeyFile(keysDir, PKG_KEY, "FreeBSD signing key (an RSA private key in PEM)", warn);
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: text, format: "pem", passphrase });
  } catch (e) {
    const msg = (e as Error).message;
    if (/passphrase|decrypt|bad decrypt/i.test(msg)) throw new KeyError(passphrase === undefined ? "the RSA key is encrypted: give --passphrase-file" : "wrong passphrase for the RSA key", file);
    throw new KeyError(`not a PEM private key: ${msg}`, file);
  }
  if (key.asymmetricKeyType !== "rsa") throw new KeyError(`the FreeBSD signing key must be RSA, not ${key.asymmetricKeyType}`, file);
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < 2048) throw new KeyError(`the RSA key has ${bits} bits; at least 2048 are needed`, file);
  const publicPem = createPublicKey(key).export({ type: "spki", format: "pem" }).toString();
  return { key, publicPem };
}

export interface KeygenOptions {
  keysDir: string;
  name: string;
  email: string;
  aptKey: "ed25519" | "rsa4096";
  passphrase?: string;
}

export async function keygen(o: KeygenOptions): Promise<string[]> {
  const files = [APT_KEY, APT_PUB, PKG_KEY, PKG_PUB].map((f) => path.join(o.keysDir, f));
  for (const f of files) if (existsSync(f)) throw new UsageError("refusing to overwrite an existing key", f);
  await mkdir(o.keysDir, { recursive: true, mode: 0o700 });
  const apt = await generateAptKey({ name: o.name, email: o.email, type: o.aptKey, passphrase: o.passphrase });
  const rsa = generateKeyPairSync("rsa", { modulusLength: 4096 });
  const pkgPriv = o.passphrase
    ? rsa.privateKey.export({ type: "pkcs8", format: "pem", cipher: "aes-256-cbc", passphrase: o.passphrase })
    : rsa.privateKey.export({ type: "pkcs8", format: "pem" });
  const pkgPub = rsa.publicKey.export({ type: "spki", format: "pem" });
  // "wx": never overwrite, even if a key appeared since the check above.
  await writeFile(files[0]!, apt.privateKey, { mode: 0o600, flag: "wx" });
  await writeFile(files[1]!, apt.publicKey, { mode: 0o644, flag: "wx" });
  await writeFile(files[2]!, pkgPriv, { mode: 0o600, flag: "wx" });
  await writeFile(files[3]!, pkgPub, { mode: 0o644, flag: "wx" });
  return files;
}
