/**
 * OpenPGP signing for APT: InRelease framed by hand exactly as gpg writes it (a text-mode signature
 * over Release without its final newline), Release.gpg as a detached signature over the exact bytes.
 * Several keys sign side by side during a rotation: one armored block holds every key's signature
 * packet, as in Debian's own InRelease, so that a client holding any one of the keys accepts it.
 * Keys are v4 (ed25519 legacy or RSA), which Debian 12's gpgv verifies; v6 keys are not.
 */
import * as openpgp from "openpgp";
import { KeyError } from "../errors.js";
import { keyPolicy, signingKeyInfo } from "./policy.js";

/** One OpenPGP key that signs. */
export interface AptKey {
  /** The key file, for messages. */
  file: string;
  fingerprint: string;
  created: Date;
  /** When the key (or the subkey that signs) expires; null: never. */
  expires: Date | null;
  userId: string;
  key: openpgp.PrivateKey;
  /** What a client will refuse later (apt's policy dates ahead of `now`). */
  warnings: string[];
}

/** Every key that signs, as one signer: the repository's signatures and its published keyring. */
export interface AptSigner {
  keys: AptKey[];
  /** Binary public keyring of every key, as `gpg --export` writes it (gpgv needs binary). */
  publicBinary: Uint8Array;
  publicArmored: string;
  clearsign(text: string, date: Date): Promise<string>;
  detach(data: Uint8Array, date: Date): Promise<string>;
  /** Whether an InRelease carries a signature by each of these keys and by no other. */
  signedByAll(inRelease: string): Promise<boolean>;
}

const CONFIG = { nonDeterministicSignaturesViaNotation: false };

function dashEscape(text: string): string {
  return text
    .split("\n")
    .map((l) => (l.startsWith("-") ? `- ${l}` : l))
    .join("\n");
}

export const HASH_NAMES: Record<number, string> = { 1: "MD5", 2: "SHA1", 3: "RIPEMD160", 8: "SHA256", 9: "SHA384", 10: "SHA512", 11: "SHA224", 12: "SHA3-256", 14: "SHA3-512" };

/** Reads and unlocks one armored private key and checks it against what Debian's clients accept. */
export async function loadAptKey(armored: string, passphrase: string | undefined, subject: string, now: Date): Promise<AptKey> {
  let key: openpgp.PrivateKey;
  try {
    key = await openpgp.readPrivateKey({ armoredKey: armored });
  } catch (e) {
    throw new KeyError(`not an armored OpenPGP private key: ${(e as Error).message}`, subject);
  }
  const policy = await keyPolicy(key, now);
  if (policy.problems.length) throw new KeyError(`refused: ${policy.problems.join("; ")}`, subject);
  if (!key.isDecrypted()) {
    if (passphrase === undefined) throw new KeyError("the private key is encrypted: give --passphrase-file", subject);
    try {
      key = await openpgp.decryptKey({ privateKey: key, passphrase });
    } catch {
      throw new KeyError("wrong passphrase for the private key", subject);
    }
  }
  const info = await signingKeyInfo(key);
  return { file: subject, fingerprint: key.getFingerprint().toUpperCase(), created: key.getCreationTime(), expires: info.expires, userId: info.userId, key, warnings: policy.warnings };
}

/** A signature packet list for every key; each is dated `date`, or its key's creation if that is later. */
async function signatures(keys: AptKey[], message: openpgp.Message<string | Uint8Array>, date: Date): Promise<openpgp.Signature> {
  const packets = new openpgp.PacketList<openpgp.AnyPacket>();
  for (const k of keys) {
    const d = date.getTime() < k.created.getTime() ? k.created : date;
    const armored = await openpgp.sign({ message, signingKeys: k.key, detached: true, date: d, config: CONFIG });
    const sig = await openpgp.readSignature({ armoredSignature: armored as string });
    for (const p of sig.packets) packets.push(p);
  }
  return new openpgp.Signature(packets as unknown as openpgp.PacketList<openpgp.SignaturePacket>);
}

/** An armored signature block without armor headers, LF line ends. */
function armorBlock(sig: openpgp.Signature): string {
  const text = sig.armor().replace(/\r\n/g, "\n").replace(/^-----BEGIN PGP SIGNATURE-----\n(?:[A-Za-z]+: .*\n)*/, "-----BEGIN PGP SIGNATURE-----\n");
  return text.endsWith("\n") ? text : text + "\n";
}

export function aptSigner(keys: AptKey[]): AptSigner {
  if (!keys.length) throw new Error("aptSigner needs at least one key");
  const publicKeys = keys.map((k) => k.key.toPublic());
  const ring = publicKeys.map((k) => k.write());
  const publicBinary = new Uint8Array(ring.reduce((n, b) => n + b.length, 0));
  let at = 0;
  for (const b of ring) {
    publicBinary.set(b, at);
    at += b.length;
  }
  return {
    keys,
    publicBinary,
    // One armored block holding every key, as `gpg --export --armor A B` writes it.
    publicArmored: openpgp.armor(openpgp.enums.armor.publicKey, publicBinary, undefined, undefined, undefined, true).replace(/\r\n/g, "\n"),
    async clearsign(text: string, date: Date) {
      if (!text.endsWith("\n")) throw new Error("Release text must end with a newline");
      // Lines must not carry trailing white space: the cleartext framework strips it before hashing.
      const body = text.slice(0, -1);
      const sig = await signatures(keys, await openpgp.createMessage({ text: body, format: "utf8" }), date);
      const hashes = [...new Set(sig.packets.map((p) => HASH_NAMES[(p as openpgp.SignaturePacket).hashAlgorithm ?? 10] ?? "SHA512"))];
      return `-----BEGIN PGP SIGNED MESSAGE-----\nHash: ${hashes.join(",")}\n\n${dashEscape(body)}\n${armorBlock(sig)}`;
    },
    async detach(data: Uint8Array, date: Date) {
      return armorBlock(await signatures(keys, await openpgp.createMessage({ binary: data }), date));
    },
    async signedByAll(inRelease: string) {
      const block = /-----BEGIN PGP SIGNATURE-----[\s\S]*?-----END PGP SIGNATURE-----/.exec(inRelease)?.[0];
      if (!block) return false;
      try {
        const sig = await openpgp.readSignature({ armoredSignature: block });
        const issuers = sig.packets.map((p) => {
          const f = (p as openpgp.SignaturePacket).issuerFingerprint;
          return f ? Buffer.from(f).toString("hex").toUpperCase() : "";
        });
        // A key may sign with a subkey: match an issuer against every part of each key.
        const parts = keys.map((k) => k.key.getKeys().map((c) => c.getFingerprint().toUpperCase()));
        return issuers.length === keys.length && parts.every((fprs) => issuers.some((i) => fprs.includes(i)));
      } catch {
        return false;
      }
    },
  };
}

export interface GenerateKeyOptions {
  name: string;
  email: string;
  type: "ed25519" | "rsa4096";
  passphrase?: string;
  /** Creation time (default: now). */
  date?: Date;
  /** Seconds from creation; 0: never expires. */
  expiresIn: number;
}

/** A v4 key whose self-signatures use SHA-512 (openpgp.js's default, and what sqv wants: no SHA-1). */
export async function generateAptKey(opts: GenerateKeyOptions) {
  const common = {
    userIDs: [{ name: opts.name, email: opts.email }],
    format: "armored" as const,
    passphrase: opts.passphrase,
    date: opts.date,
    keyExpirationTime: opts.expiresIn,
    config: { v6Keys: false, preferredHashAlgorithm: openpgp.enums.hash.sha512 },
  };
  const res =
    opts.type === "ed25519"
      ? await openpgp.generateKey({ ...common, type: "ecc", curve: "ed25519Legacy" })
      : await openpgp.generateKey({ ...common, type: "rsa", rsaBits: 4096 });
  return { privateKey: res.privateKey, publicKey: res.publicKey };
}
