/**
 * Judges the OpenPGP signatures of InRelease and Release.gpg the way apt judges gpgv's report: each
 * signature packet is good (GOODSIG), by a key that has expired or is revoked at `now` (EXPKEYSIG,
 * REVKEYSIG: worthless), by a key the keyring lacks (NO_PUBKEY), or bad (BADSIG). The file passes
 * with at least one good signature and no bad one; signatures by other keys are normal while keys
 * rotate. Key expiry is judged at `now`, as gpgv does, not at the signature's creation.
 */
import * as openpgp from "openpgp";
import { keyPolicy, signingKeyInfo } from "../signing/policy.js";

export interface SignatureReport {
  /** Fingerprints of the keys whose signatures are good at `now`. */
  good: string[];
  /** Keys in the keyring whose signature verifies but which have expired (or were revoked) at `now`. */
  worthless: Array<{ fingerprint: string; why: string }>;
  /** Key ids of signatures by keys the keyring does not hold. */
  unknown: string[];
  /** Signatures that do not verify, with the reason. */
  bad: Array<{ key: string; why: string }>;
  /** Things that hold now but will not for long (a key expiring before Valid-Until, a key sqv refuses). */
  notes: string[];
  /** Set when the signature block itself cannot be read. */
  error?: string;
}

export async function readKeyring(b: Buffer): Promise<openpgp.Key[]> {
  const text = b.toString("latin1");
  if (text.includes("-----BEGIN PGP PUBLIC KEY BLOCK-----")) return openpgp.readKeys({ armoredKeys: text });
  return openpgp.readKeys({ binaryKeys: new Uint8Array(b) });
}

export function accepted(r: SignatureReport): boolean {
  return r.error === undefined && r.good.length > 0 && r.bad.length === 0;
}

/** Why a file's signatures fail, in gpgv's words, or null when apt would accept it. */
export function failure(r: SignatureReport): string | null {
  if (r.error !== undefined) return r.error;
  if (accepted(r)) return null;
  const parts: string[] = [];
  for (const b of r.bad) parts.push(`BADSIG ${b.key} (${b.why})`);
  for (const w of r.worthless) parts.push(`${w.why}`);
  if (r.unknown.length) parts.push(`NO_PUBKEY ${r.unknown.join(" ")} (signed only by keys the keyring does not hold)`);
  return parts.join("; ") || "no signature";
}

const iso = (d: Date) => d.toISOString().replace(/\.000Z$/, "Z");

export async function checkSignatures(
  data: { text?: string; binary?: Buffer },
  armoredSignature: string,
  keys: openpgp.Key[],
  now: Date,
  validUntil?: Date,
): Promise<SignatureReport> {
  const r: SignatureReport = { good: [], worthless: [], unknown: [], bad: [], notes: [] };
  let message: openpgp.Message<string | Uint8Array>;
  let signature: openpgp.Signature;
  try {
    message = data.text !== undefined ? await openpgp.createMessage({ text: data.text }) : await openpgp.createMessage({ binary: new Uint8Array(data.binary!) });
    signature = await openpgp.readSignature({ armoredSignature });
  } catch (e) {
    r.error = (e as Error).message;
    return r;
  }
  if (!signature.packets.length) {
    r.error = "no signature";
    return r;
  }
  // A minute of slack for a signature made on a clock slightly ahead.
  const res = await openpgp.verify({ message, signature, verificationKeys: keys, date: new Date(now.getTime() + 60_000), expectSigned: false });
  for (const s of res.signatures) {
    const keyId = s.keyID.toHex().toUpperCase();
    const key = keys.find((k) => k.getKeys(s.keyID).length > 0);
    if (!key) {
      await s.verified.catch(() => undefined);
      r.unknown.push(keyId);
      continue;
    }
    const fpr = key.getFingerprint().toUpperCase();
    try {
      await s.verified;
    } catch (e) {
      r.bad.push({ key: fpr, why: (e as Error).message });
      continue;
    }
    const revoked = await key.isRevoked(undefined, undefined, now).catch(() => false);
    if (revoked) {
      r.worthless.push({ fingerprint: fpr, why: `REVKEYSIG ${fpr} (the key is revoked)` });
      continue;
    }
    const { expires } = await signingKeyInfo(key, s.keyID);
    if (expires && expires.getTime() <= now.getTime()) {
      r.worthless.push({ fingerprint: fpr, why: `EXPKEYSIG ${fpr} (the key expired on ${iso(expires)})` });
      continue;
    }
    r.good.push(fpr);
    if (expires && validUntil && expires.getTime() < validUntil.getTime())
      r.notes.push(`the signing key ${fpr} expires on ${iso(expires)}, before Valid-Until ${iso(validUntil)}: clients will refuse this Release from then on`);
    const policy = await keyPolicy(key, now);
    for (const p of [...policy.problems, ...policy.warnings]) r.notes.push(`the signing key ${fpr}: ${p}`);
  }
  return r;
}
