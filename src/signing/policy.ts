/**
 * What Debian's clients accept of an OpenPGP signing key, checked before a run signs with it: Debian 12's
 * gpgv verifies only v4 keys of the classic algorithms, and Debian 13's apt verifies with sqv, whose
 * policy (apt 3.0's /usr/share/apt/default-sequoia.config) refuses RSA under 2048 bits, DSA, and SHA-1
 * or SHA-224 in the signatures that bind a key together (since 2026-02-01), RSA-2048 from 2030-02-01
 * and brainpool curves from 2028-02-01. A key refused here would publish a repository that some client
 * refuses, so generate stops before writing anything; one that a client will refuse soon is warned of.
 */
import * as openpgp from "openpgp";

/** Hash algorithms of binding signatures, and from when sqv refuses them. */
const HASH_CUTOFF = new Map<number, [string, Date]>([
  [1, ["MD5", new Date(0)]],
  [2, ["SHA-1", new Date("2026-02-01T00:00:00Z")]],
  [3, ["RIPEMD-160", new Date(0)]],
  [11, ["SHA-224", new Date("2026-02-01T00:00:00Z")]],
]);
const RSA2048_CUTOFF = new Date("2030-02-01T00:00:00Z");
const BRAINPOOL_CUTOFF = new Date("2028-02-01T00:00:00Z");

export interface PolicyVerdict {
  /** Reasons a client refuses the key now. */
  problems: string[];
  /** Reasons a client will refuse it later (a date of apt's policy lies ahead). */
  warnings: string[];
}

/** Lenient enough to find the parts of a weak key, so that we, not openpgp.js, say what is wrong. */
const INSPECT = { ...openpgp.config, minRSABits: 512, rejectHashAlgorithms: new Set<openpgp.enums.hash>(), rejectPublicKeyAlgorithms: new Set<openpgp.enums.publicKey>() };

type KeyPacket = openpgp.PublicKeyPacket | openpgp.SecretKeyPacket | openpgp.PublicSubkeyPacket | openpgp.SecretSubkeyPacket;

const day = (d: Date) => d.toISOString().slice(0, 10);

function checkAlgorithm(p: KeyPacket, what: string, now: Date, v: PolicyVerdict): void {
  const info = p.getAlgorithmInfo() as { algorithm: string; bits?: number; curve?: string };
  const a = info.algorithm;
  const until = (cutoff: Date, text: string) => (now.getTime() >= cutoff.getTime() ? v.problems : v.warnings).push(`${text} ${now.getTime() >= cutoff.getTime() ? "since" : "from"} ${day(cutoff)}`);
  if (a === "rsaEncryptSign" || a === "rsaSign") {
    const bits = info.bits ?? 0;
    if (bits < 2048) v.problems.push(`the ${what} is RSA-${bits}; sqv (Debian 13) and apt refuse RSA under 2048 bits (use ed25519 or RSA 3072+)`);
    else if (bits < 3072) until(RSA2048_CUTOFF, `the ${what} is RSA-${bits}, which apt's sqv policy refuses`);
  } else if (a === "eddsaLegacy") {
    if (info.curve !== "ed25519Legacy") v.problems.push(`the ${what} uses EdDSA on ${info.curve}, which Debian's gpgv does not verify`);
  } else if (a === "ecdsa") {
    if (/^brainpool/.test(info.curve ?? "")) until(BRAINPOOL_CUTOFF, `the ${what} uses ECDSA on ${info.curve}, which apt's sqv policy refuses`);
    else if (!["nistP256", "nistP384", "nistP521"].includes(info.curve ?? "")) v.problems.push(`the ${what} uses ECDSA on ${info.curve}, which sqv refuses`);
  } else if (a === "ed25519" || a === "ed448") v.problems.push(`the ${what} uses the RFC 9580 ${a} algorithm, which Debian 12's gpgv does not verify (make a v4 ed25519 "legacy" key)`);
  else v.problems.push(`the ${what} is ${a}, which Debian's clients refuse for signing (use ed25519 or RSA 3072+)`);
}

function checkHash(sig: openpgp.SignaturePacket, what: string, now: Date, v: PolicyVerdict): void {
  const weak = HASH_CUTOFF.get(sig.hashAlgorithm as number);
  if (!weak) return;
  const [name, cutoff] = weak;
  const fix = "(re-sign it with a strong digest: gpg --cert-digest-algo SHA512 --quick-set-expire FPR 2y; or make a new key)";
  if (now.getTime() >= cutoff.getTime()) v.problems.push(`the ${what} uses ${name}, which sqv (Debian 13) refuses ${fix}`);
  else v.warnings.push(`the ${what} uses ${name}, which sqv (Debian 13) refuses from ${day(cutoff)} ${fix}`);
}

function newest(sigs: openpgp.SignaturePacket[]): openpgp.SignaturePacket | undefined {
  return [...sigs].sort((a, b) => (b.created?.getTime() ?? 0) - (a.created?.getTime() ?? 0))[0];
}

/** The key (primary or subkey) that signs data, and its binding signatures. */
async function signingPart(key: openpgp.Key): Promise<{ packet: KeyPacket; subkey: openpgp.Subkey | null }> {
  const k = await key.getSigningKey(undefined, null as unknown as Date, undefined, INSPECT);
  const subkey = key.subkeys.find((s) => s === k) ?? null;
  return { packet: k.keyPacket as KeyPacket, subkey };
}

/** Every reason Debian's clients refuse (or will refuse) signatures by this key at `now`. */
export async function keyPolicy(key: openpgp.Key, now: Date): Promise<PolicyVerdict> {
  const v: PolicyVerdict = { problems: [], warnings: [] };
  const out = v.problems;
  if (key.keyPacket.version !== 4) return { problems: [`OpenPGP key is version ${key.keyPacket.version}; Debian's gpgv needs a v4 key`], warnings: [] };
  checkAlgorithm(key.keyPacket as KeyPacket, "primary key", now, v);
  let self: openpgp.SignaturePacket | null = null;
  try {
    self = (await key.getPrimaryUser(null as unknown as Date, undefined, INSPECT)).selfCertification;
  } catch (e) {
    // openpgp.js itself may refuse a weak self-signature (SHA-1 with EdDSA): name the hash if that is why.
    const raw = newest(key.users.flatMap((u) => u.selfCertifications));
    const before = out.length;
    if (raw) checkHash(raw, "self-signature on the user ID", now, v);
    if (out.length === before) out.push(`no valid self-signature (${(e as Error).message})`);
  }
  if (self) checkHash(self, "self-signature on the user ID", now, v);
  let part: Awaited<ReturnType<typeof signingPart>> | null = null;
  try {
    part = await signingPart(key);
  } catch (e) {
    if (!out.length) out.push(`no key that can sign (${(e as Error).message})`);
  }
  if (part?.subkey) {
    checkAlgorithm(part.packet, "signing subkey", now, v);
    const binding = newest(part.subkey.bindingSignatures);
    if (binding) {
      checkHash(binding, "signing subkey's binding signature", now, v);
      if (binding.embeddedSignature) checkHash(binding.embeddedSignature, "signing subkey's back-signature", now, v);
    }
  }
  return v;
}

/**
 * When the signing part of a key expires (the earlier of the primary key's and the subkey's), and its
 * user ID. The subkey is the one with `keyId` (the issuer of a signature being checked), else the one
 * openpgp.js would sign with.
 */
export async function signingKeyInfo(key: openpgp.Key, keyId?: openpgp.KeyID): Promise<{ expires: Date | null; userId: string }> {
  const asDate = (d: Date | number | null) => (d instanceof Date && Number.isFinite(d.getTime()) ? d : null);
  let expires = asDate(await key.getExpirationTime(undefined, INSPECT));
  const subkey = keyId ? (key.subkeys.find((s) => s.getKeyID().equals(keyId)) ?? null) : ((await signingPart(key).catch(() => null))?.subkey ?? null);
  if (subkey) {
    const sub = asDate(await subkey.getExpirationTime(null as unknown as Date, INSPECT));
    if (sub && (!expires || sub < expires)) expires = sub;
  }
  let userId = "";
  try {
    userId = (await key.getPrimaryUser(null as unknown as Date, undefined, INSPECT)).user.userID?.userID ?? "";
  } catch {
    userId = key.getUserIDs()[0] ?? "";
  }
  return { expires, userId };
}
