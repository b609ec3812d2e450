/** The keys folder: loading (with permission and demo-key warnings) and writing new keys (keygen). */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { readFile, stat, writeFile, mkdir } from "node:fs/promises";
import path from "node:path";
import { KeyError, UsageError } from "../errors.js";
import { packageRoot } from "../version.js";
import { aptSigner, generateAptKey, loadAptKey, type AptKey, type AptSigner } from "./openpgp.js";

export const APT_KEY = "apt-signing-key.asc";
export const APT_PUB = "apt-signing-key.pub.asc";
export const PKG_KEY = "pkg-signing-key.pem";
export const PKG_PUB = "pkg-signing-key.pub.pem";

const DEMO_DIR = path.join(packageRoot(), "keys.example");

export interface PkgSigner {
  key: KeyObject;
  publicPem: string;
}

export { readPassphrase } from "./passphrase.js";

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

export interface ExpiryWindow {
  now: Date;
  /** The Valid-Until the run writes (now when it writes none): a key must outlive it. */
  validUntil: Date;
  /** A key that expires before this gets a warning. */
  warnUntil: Date;
}

const day = (d: Date) => d.toISOString().slice(0, 10);

/** The window of a run: Valid-Until = now + valid_days; a warning for keys that expire within valid_days after it. */
export function expiryWindow(now: Date, validDays: number): ExpiryWindow {
  const validUntil = new Date(now.getTime() + validDays * 86400_000);
  return { now, validUntil, warnUntil: new Date(validUntil.getTime() + Math.max(validDays, 14) * 86400_000) };
}

/**
 * Loads every key of `[apt] signing_keys` (names in the keys folder) and checks each: what Debian's
 * clients accept (policy.ts), and that it outlives the Valid-Until this run writes. Nothing is signed
 * unless all of them pass: a key that clients would refuse at some point before Valid-Until makes a
 * repository that breaks on its own.
 */
export async function loadAptKeys(keysDir: string, names: string[], passphrase: string | undefined, w: ExpiryWindow, warn: (s: string) => void): Promise<AptSigner> {
  const keys: AptKey[] = [];
  for (const name of names) {
    const { file, text } = await readKeyFile(keysDir, name, "APT signing key (an armored OpenPGP private key)", warn);
    const k = await loadAptKey(text, passphrase, file, w.now);
    for (const x of k.warnings) warn(`warning: ${file}: ${x}`);
    const same = keys.find((o) => o.fingerprint === k.fingerprint);
    if (same) throw new KeyError(`the same key as ${same.file} (${k.fingerprint}); list each key once in [apt] signing_keys`, file);
    if (k.expires && k.expires.getTime() <= w.now.getTime()) throw new KeyError(`the OpenPGP key ${k.fingerprint} expired on ${k.expires.toISOString()}; apt refuses its signatures (EXPKEYSIG)`, file);
    if (k.expires && k.expires.getTime() < w.validUntil.getTime())
      throw new KeyError(
        `the OpenPGP key ${k.fingerprint} expires on ${k.expires.toISOString()}, before the Valid-Until this run would write (${w.validUntil.toISOString()}): clients would refuse the repository from then on. Extend it (gpg --quick-set-expire) or rotate to a new key (see "Rotating keys" in the README)`,
        file,
      );
    if (k.expires && k.expires.getTime() < w.warnUntil.getTime())
      warn(`warning: ${file}: the OpenPGP key ${k.fingerprint} expires on ${day(k.expires)}; runs from ${day(new Date(k.expires.getTime() - (w.validUntil.getTime() - w.now.getTime())))} on will refuse it: extend it or rotate to a new key now`);
    keys.push(k);
  }
  return aptSigner(keys);
}

export async function loadPkgKey(keysDir: string, passphrase: string | undefined, warn: (s: string) => void, name = PKG_KEY): Promise<PkgSigner> {
  const { file, text } = await readKeyFile(keysDir, name, "FreeBSD signing key (an RSA private key in PEM)", warn);
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
  /** Only this key file (a .asc is an OpenPGP key, a .pem an RSA key); default: both keys under their usual names. */
  file?: string;
  /** Seconds from creation until the OpenPGP key expires; 0: never. */
  expiresIn: number;
  /** The OpenPGP key's creation time (default: now). */
  created?: Date;
}

/** The public half's name beside a private key file: NAME.asc → NAME.pub.asc, NAME.pem → NAME.pub.pem. */
export function publicName(file: string): string {
  return file.replace(/\.(asc|pem)$/, ".pub.$1");
}

/** A key file name inside the keys folder: a plain name, never a path. */
export function checkKeyName(name: string, what: string): void {
  if (!/^[A-Za-z0-9][A-Za-z0-9._+-]*$/.test(name) || name.includes("..")) throw new UsageError(`${what} "${name}" must be a file name in the keys folder (letters, digits, . _ + -)`);
}

export async function keygen(o: KeygenOptions): Promise<string[]> {
  const apt = o.file === undefined || o.file.endsWith(".asc");
  const pkg = o.file === undefined || o.file.endsWith(".pem");
  if (o.file !== undefined) {
    checkKeyName(o.file, "--file");
    if (!apt && !pkg) throw new UsageError(`--file "${o.file}" must end in .asc (an OpenPGP key for APT) or .pem (an RSA key for FreeBSD)`);
    if (o.file.endsWith(".pub.asc") || o.file.endsWith(".pub.pem")) throw new UsageError(`--file names the private key; its public half is written beside it`);
  }
  const aptName = o.file ?? APT_KEY;
  const pkgName = o.file ?? PKG_KEY;
  const names = [...(apt ? [aptName, publicName(aptName)] : []), ...(pkg ? [pkgName, publicName(pkgName)] : [])];
  const files = names.map((f) => path.join(o.keysDir, f));
  for (const f of files) if (existsSync(f)) throw new UsageError("refusing to overwrite an existing key", f);
  await mkdir(o.keysDir, { recursive: true, mode: 0o700 });
  const contents: Array<[string | Buffer, number]> = [];
  if (apt) {
    const k = await generateAptKey({ name: o.name, email: o.email, type: o.aptKey, passphrase: o.passphrase, date: o.created, expiresIn: o.expiresIn });
    contents.push([k.privateKey, 0o600], [k.publicKey, 0o644]);
  }
  if (pkg) {
    const rsa = generateKeyPairSync("rsa", { modulusLength: 4096 });
    const pkgPriv = o.passphrase
      ? rsa.privateKey.export({ type: "pkcs8", format: "pem", cipher: "aes-256-cbc", passphrase: o.passphrase })
      : rsa.privateKey.export({ type: "pkcs8", format: "pem" });
    contents.push([pkgPriv, 0o600], [rsa.publicKey.export({ type: "spki", format: "pem" }), 0o644]);
  }
  // "wx": never overwrite, even if a key appeared since the check above.
  for (const [i, [data, mode]] of contents.entries()) await writeFile(files[i]!, data, { mode, flag: "wx" });
  return files;
}

/** "2y", "18m", "6w", "90d", "never", or an ISO date → seconds from `from` (0: never). */
export function parseExpiry(text: string, from: Date): number {
  if (text === "never" || text === "0") return 0;
  const m = /^(\d{1,4})([dwmy])$/.exec(text);
  let until: Date;
  if (m) {
    const n = Number(m[1]);
    until = new Date(from.getTime());
    if (m[2] === "d") until.setUTCDate(until.getUTCDate() + n);
    else if (m[2] === "w") until.setUTCDate(until.getUTCDate() + 7 * n);
    else if (m[2] === "m") until.setUTCMonth(until.getUTCMonth() + n);
    else until.setUTCFullYear(until.getUTCFullYear() + n);
  } else if (/^\d{4}-\d{2}-\d{2}/.test(text) && !Number.isNaN(Date.parse(text))) until = new Date(Date.parse(text));
  else throw new UsageError(`--expires "${text}" must be like 2y, 18m, 6w, 90d, an ISO date, or never`);
  const s = Math.floor((until.getTime() - from.getTime()) / 1000);
  if (s <= 0) throw new UsageError(`--expires "${text}" lies before the key's creation`);
  return s;
}

/** A public RSA key of the FreeBSD rotation: the next key (trusted ahead) or the previous one (revoked). */
export interface PkgPublicKey {
  name: string;
  /** The key as the catalogue's `.pub` member holds it once it signs (SPKI PEM, as keygen and `openssl rsa -pubout` write it). */
  pem: string;
  /** sha256 of those bytes: what pkg compares with the files under fingerprints/trusted and revoked. */
  fingerprint: string;
}

/** Reads `[pkg] trusted_keys` or `revoked_keys`: public PEM files in the keys folder (a private key is read for its public half). */
export async function loadPkgPublicKeys(keysDir: string, names: string[]): Promise<PkgPublicKey[]> {
  const out: PkgPublicKey[] = [];
  for (const name of names) {
    const file = path.join(keysDir, name);
    let text: string;
    try {
      text = await readFile(file, "utf8");
    } catch (e) {
      throw new KeyError(`cannot read the public key: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, file);
    }
    let key: KeyObject;
    try {
      key = createPublicKey({ key: text, format: "pem" });
    } catch (e) {
      throw new KeyError(`not a PEM public key: ${(e as Error).message}`, file);
    }
    if (key.asymmetricKeyType !== "rsa") throw new KeyError(`a FreeBSD key must be RSA, not ${key.asymmetricKeyType}`, file);
    const pem = key.export({ type: "spki", format: "pem" }).toString();
    out.push({ name, pem, fingerprint: createHash("sha256").update(pem).digest("hex") });
  }
  return out;
}

/** The published name of a rotation key's fingerprint file: ORIGIN.STEM (STEM: the key file without .pub.pem/.pem). */
export function fingerprintFileName(origin: string, keyName: string): string {
  return `${origin}.${keyName.replace(/(\.pub)?\.pem$/, "")}`;
}

const fingerprintFile = (hex: string) => `function: "sha256"\nfingerprint: "${hex}"\n`;

/**
 * The key files a FreeBSD repository publishes beside its catalogues, relative to pkg/: repo.pub
 * (the signing key); in fingerprints mode fingerprints/trusted/ORIGIN (the signing key),
 * fingerprints/trusted/ORIGIN.STEM for each next key and fingerprints/revoked/ORIGIN.STEM for each
 * previous one, the folders a client copies into its own fingerprints folder; in pubkey mode
 * repo.STEM.pub for each next key, which a client installs in place of repo.pub when the key changes.
 */
export function pkgKeyFiles(
  mode: "pubkey" | "fingerprints",
  origin: string,
  signingPem: string,
  trusted: PkgPublicKey[],
  revoked: PkgPublicKey[],
  subject: string,
): Array<{ path: string; data: string }> {
  const signing = createHash("sha256").update(signingPem).digest("hex");
  for (const r of revoked) {
    // pkg refuses a catalogue when any certificate in it is revoked: it would lock every client out.
    if (r.fingerprint === signing) throw new KeyError(`${r.name} in [pkg] revoked_keys is the key that signs: pkg would refuse the repository`, subject);
    if (trusted.some((t) => t.fingerprint === r.fingerprint)) throw new KeyError(`${r.name} is in both [pkg] trusted_keys and revoked_keys`, subject);
  }
  const files = [{ path: "repo.pub", data: signingPem }];
  const stem = (n: string) => n.replace(/(\.pub)?\.pem$/, "");
  if (mode === "fingerprints") {
    files.push({ path: `fingerprints/trusted/${origin}`, data: fingerprintFile(signing) });
    for (const t of trusted) if (t.fingerprint !== signing) files.push({ path: `fingerprints/trusted/${fingerprintFileName(origin, t.name)}`, data: fingerprintFile(t.fingerprint) });
    for (const r of revoked) files.push({ path: `fingerprints/revoked/${fingerprintFileName(origin, r.name)}`, data: fingerprintFile(r.fingerprint) });
  } else for (const t of trusted) if (t.fingerprint !== signing) files.push({ path: `repo.${stem(t.name)}.pub`, data: t.pem });
  return files;
}
