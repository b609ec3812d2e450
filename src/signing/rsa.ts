/**
 * FreeBSD catalogue signatures: RSASSA-PKCS1-v1_5 with SHA-256 over the lowercase hex SHA-256 of the
 * signed member (what `pkg repo` does; same as `printf %s HEX | openssl dgst -sha256 -sign key.pem`).
 */
import { createHash, createPublicKey, sign, verify, type KeyObject } from "node:crypto";

export function hexDigest(data: Buffer): string {
  return createHash("sha256").update(data).digest("hex");
}

export function signCatalogue(data: Buffer, key: KeyObject): Buffer {
  return sign("sha256", Buffer.from(hexDigest(data), "ascii"), key);
}

export function verifyCatalogue(data: Buffer, signature: Buffer, publicPem: string): boolean {
  return verify("sha256", Buffer.from(hexDigest(data), "ascii"), createPublicKey(publicPem), signature);
}

/** The fingerprint a client lists under trusted/: sha256 hex of the public key file's bytes. */
export function fingerprint(publicPem: string): string {
  return createHash("sha256").update(publicPem).digest("hex");
}

/**
 * Whether a published catalogue archive's member is signed by this key (either mode's members): a
 * catalogue signed by a key that no longer signs is re-signed, so a key switch takes effect at once.
 */
export function catalogueSignedBy(members: Array<{ name: string; data?: Buffer }>, member: string, key: KeyObject): boolean {
  const content = members.find((e) => e.name === member)?.data;
  let sig = members.find((e) => e.name === "signature")?.data;
  if (sig && sig[sig.length - 1] === 0) sig = sig.subarray(0, -1);
  sig = sig ?? members.find((e) => e.name === `${member}.sig`)?.data;
  if (!content || !sig) return false;
  try {
    return verify("sha256", Buffer.from(hexDigest(content), "ascii"), createPublicKey(key), sig);
  } catch {
    return false;
  }
}
