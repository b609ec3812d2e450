/**
 * OpenPGP signing for APT: InRelease framed by hand exactly as gpg writes it (a text-mode signature
 * over Release without its final newline), Release.gpg as a detached signature over the exact bytes.
 * Keys are v4 (ed25519 legacy or RSA), which Debian 12's gpgv verifies; v6 keys are not.
 */
import * as openpgp from "openpgp";
import { KeyError } from "../errors.js";

export interface AptSigner {
  fingerprint: string;
  created: Date;
  /** Binary public keyring, as `gpg --export` writes it (gpgv needs binary). */
  publicBinary: Uint8Array;
  publicArmored: string;
  clearsign(text: string, date: Date): Promise<string>;
  detach(data: Uint8Array, date: Date): Promise<string>;
}

const CONFIG = { nonDeterministicSignaturesViaNotation: false };

function dashEscape(text: string): string {
  return text
    .split("\n")
    .map((l) => (l.startsWith("-") ? `- ${l}` : l))
    .join("\n");
}

const HASH_NAMES: Record<number, string> = { 2: "SHA1", 8: "SHA256", 9: "SHA384", 10: "SHA512", 11: "SHA224" };

export async function loadAptSigner(armored: string, passphrase: string | undefined, subject: string): Promise<AptSigner> {
  let key: openpgp.PrivateKey;
  try {
    key = await openpgp.readPrivateKey({ armoredKey: armored });
  } catch (e) {
    throw new KeyError(`not an armored OpenPGP private key: ${(e as Error).message}`, subject);
  }
  if (key.keyPacket.version !== 4) throw new KeyError(`OpenPGP key is version ${key.keyPacket.version}; Debian's gpgv needs a v4 key`, subject);
  if (!key.isDecrypted()) {
    if (passphrase === undefined) throw new KeyError("the private key is encrypted: give --passphrase-file", subject);
    try {
      key = await openpgp.decryptKey({ privateKey: key, passphrase });
    } catch {
      throw new KeyError("wrong passphrase for the private key", subject);
    }
  }
  const created = key.getCreationTime();
  const expiry = await key.getExpirationTime();
  if (expiry instanceof Date && expiry.getTime() < Date.now()) throw new KeyError(`the OpenPGP key expired on ${expiry.toISOString()}`, subject);
  const pub = key.toPublic();
  const sigDate = (d: Date) => (d.getTime() < created.getTime() ? created : d);
  return {
    fingerprint: key.getFingerprint().toUpperCase(),
    created,
    publicBinary: pub.write(),
    publicArmored: pub.armor(),
    async clearsign(text: string, date: Date) {
      if (!text.endsWith("\n")) throw new Error("Release text must end with a newline");
      // Lines must not carry trailing white space: the cleartext framework strips it before hashing.
      const body = text.slice(0, -1);
      const message = await openpgp.createMessage({ text: body, format: "utf8" });
      const armoredSig = (await openpgp.sign({ message, signingKeys: key, detached: true, date: sigDate(date), config: CONFIG })) as string;
      const sig = await openpgp.readSignature({ armoredSignature: armoredSig });
      const hashAlgo = sig.packets[0]?.hashAlgorithm ?? 10;
      const hashName = HASH_NAMES[hashAlgo] ?? "SHA512";
      const sigBlock = armoredSig.replace(/\r\n/g, "\n").replace(/^-----BEGIN PGP SIGNATURE-----\n(?:[A-Za-z]+: .*\n)*/, "-----BEGIN PGP SIGNATURE-----\n");
      return `-----BEGIN PGP SIGNED MESSAGE-----\nHash: ${hashName}\n\n${dashEscape(body)}\n${sigBlock.endsWith("\n") ? sigBlock : sigBlock + "\n"}`;
    },
    async detach(data: Uint8Array, date: Date) {
      const message = await openpgp.createMessage({ binary: data });
      const s = (await openpgp.sign({ message, signingKeys: key, detached: true, date: sigDate(date), config: CONFIG })) as string;
      return s.replace(/\r\n/g, "\n");
    },
  };
}

export async function generateAptKey(opts: { name: string; email: string; type: "ed25519" | "rsa4096"; passphrase?: string; date?: Date }) {
  const common = { userIDs: [{ name: opts.name, email: opts.email }], format: "armored" as const, passphrase: opts.passphrase, date: opts.date, config: { v6Keys: false } };
  const res =
    opts.type === "ed25519"
      ? await openpgp.generateKey({ ...common, type: "ecc", curve: "ed25519Legacy" })
      : await openpgp.generateKey({ ...common, type: "rsa", rsaBits: 4096 });
  return { privateKey: res.privateKey, publicKey: res.publicKey };
}
