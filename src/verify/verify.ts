/**
 * Checks a published or mirrored tree as a client would: signatures, Valid-Until, every index listed
 * in InRelease by its by-hash copy, every pool file an index names; for FreeBSD the catalogue
 * signatures and the packages they name. Returns one line per problem.
 */
import * as openpgp from "openpgp";
import { decompressBuffer, detectCompression } from "../archive/compress.js";
import { readTarBuffer } from "../archive/tar.js";
import { parseParagraphs, get } from "../debian/control.js";
import { releaseSha256List } from "../debian/repository.js";
import { MARKER } from "../publish/retention.js";
import { verifyCatalogue, fingerprint } from "../signing/rsa.js";
import { createHash } from "node:crypto";
import { FetchError, unsafeName, type TreeSource } from "./source.js";
import { accepted, checkSignatures, failure, readKeyring } from "./signatures.js";
import { UnsafePathError, errorLine } from "../errors.js";

export interface VerifyOptions {
  aptKeyring?: Buffer;
  pkgPubkey?: string;
  deep: boolean;
  now: Date;
}

export interface VerifyReport {
  problems: string[];
  warnings: string[];
  checked: { suites: string[]; abis: string[]; poolFiles: number };
  /** Per signed file (InRelease, Release.gpg), the fingerprints of the keys whose signatures are good. */
  signers: Record<string, string[]>;
}

const sha256 = (b: Buffer) => createHash("sha256").update(b).digest("hex");

/**
 * The text a cleartext signature covers (RFC 4880 §7.1, as gpgv reads it): trailing spaces and tabs
 * (and a CR) of every line are not part of it, so a line may carry them and still verify.
 */
export function canonicalText(text: string): string {
  return text.replace(/[ \t\r]+$/gm, "");
}

/**
 * Splits an InRelease as apt does, strictly: header, blank line, text, signature, nothing after.
 * Trailing white space on a line is not part of a cleartext-signed message (it is removed before
 * hashing), so it is dropped here, as gpgv and apt ignore it.
 */
export function parseInRelease(text: string): { body: string; signature: string } | string {
  const lines = text.split("\n").map((l) => l.replace(/[ \t\r]+$/, ""));
  if (lines[0] !== "-----BEGIN PGP SIGNED MESSAGE-----") return "does not start with -----BEGIN PGP SIGNED MESSAGE-----";
  let i = 1;
  while (i < lines.length && lines[i] !== "") {
    if (!/^Hash: [A-Z0-9, ]+$/.test(lines[i]!)) return `unexpected armor header "${lines[i]}"`;
    i++;
  }
  const sigStart = lines.indexOf("-----BEGIN PGP SIGNATURE-----", i);
  if (sigStart < 0) return "no signature block";
  const sigEnd = lines.indexOf("-----END PGP SIGNATURE-----", sigStart);
  if (sigEnd < 0) return "signature block is not closed";
  if (lines.slice(sigEnd + 1).some((l) => l.trim() !== "")) return "text after the signature block";
  const body = lines
    .slice(i + 1, sigStart)
    .map((l) => (l.startsWith("- ") ? l.slice(2) : l))
    .join("\n");
  return { body, signature: lines.slice(sigStart, sigEnd + 1).join("\n") + "\n" };
}

function releaseField(body: string, name: string): string | undefined {
  return new RegExp(`^${name}: (.*)$`, "m").exec(body)?.[1];
}

/**
 * A suite whose Codename is not its folder's name is reachable under dists/CODENAME too (debmirror
 * asks for that name), showing the same signed InRelease. Skipped while a run is publishing the
 * suite (its marker is there): the alias follows the suite's InRelease.
 */
async function checkCodenameAlias(src: TreeSource, suite: string, inrel: Buffer, body: string, r: VerifyReport): Promise<void> {
  const codename = releaseField(body, "Codename");
  if (!codename || codename === suite || !/^[A-Za-z0-9][A-Za-z0-9.+_-]*$/.test(codename)) return;
  const other = await src.get(`apt/dists/${codename}/InRelease`);
  if (!other) r.problems.push(`apt/dists/${codename}/InRelease: missing (apt/dists/${suite} has Codename ${codename}, and mirrors ask for it by that name)`);
  else if (!other.equals(inrel)) r.problems.push(`apt/dists/${codename}/InRelease: differs from apt/dists/${suite}/InRelease, whose Codename it is`);
}

async function verifySuite(src: TreeSource, suite: string, keys: openpgp.Key[], o: VerifyOptions, r: VerifyReport, checkedPool: Set<string>): Promise<void> {
  const base = `apt/dists/${suite}`;
  const p = (s: string) => r.problems.push(`${base}/${s}`);
  const inrel = await src.get(`${base}/InRelease`);
  if (!inrel) return void p("InRelease: missing");
  const parsed = parseInRelease(inrel.toString("utf8"));
  if (typeof parsed === "string") return void p(`InRelease: ${parsed}`);
  // What the signature covers, and what apt reads: every line without its trailing whitespace.
  const signed = canonicalText(parsed.body);
  const body = signed.endsWith("\n") ? signed : signed + "\n";
  const untilText = releaseField(body, "Valid-Until");
  const untilDate = untilText === undefined ? undefined : new Date(Date.parse(untilText.replace(/ UTC$/, " GMT")));
  const sigs = await checkSignatures({ text: signed.replace(/\n$/, "") }, parsed.signature, keys, o.now, untilDate);
  const bad = failure(sigs);
  if (bad) return void p(`InRelease: signature does not verify (${bad})`);
  r.signers[`${base}/InRelease`] = sigs.good;
  for (const w of sigs.worthless) r.warnings.push(`warning: ${base}/InRelease: ${w.why}; the other signature is good`);
  for (const n of sigs.notes) r.warnings.push(`warning: ${base}/InRelease: ${n}`);
  const date = Date.parse((releaseField(body, "Date") ?? "").replace(/ UTC$/, " GMT"));
  if (Number.isNaN(date)) p("InRelease: no valid Date");
  else if (date > o.now.getTime() + 10_000) p(`InRelease: Date ${releaseField(body, "Date")} is in the future`);
  if (untilDate !== undefined && untilDate.getTime() < o.now.getTime()) p(`InRelease: expired (Valid-Until ${untilText})`);
  const listed = releaseSha256List(body);
  if (!listed.length) return void p("InRelease: no SHA256 list");
  const markerBuf = await src.get(`${base}/${MARKER}`);
  let marker: Record<string, string> = {};
  if (markerBuf) {
    try {
      marker = (JSON.parse(markerBuf.toString("utf8")) as { files: Record<string, string> }).files ?? {};
    } catch {
      marker = {};
    }
  }
  /** A file differing from what InRelease says is fine only as the new state a running (or killed) generate announced. */
  const announced = (rel: string, b: Buffer) => marker[rel] === sha256(b);
  if (!markerBuf) await checkCodenameAlias(src, suite, inrel, body, r);
  // Release and Release.gpg: apt prefers InRelease; these two must agree with it or be the announced new pair.
  const rel = await src.get(`${base}/Release`);
  const relGpg = await src.get(`${base}/Release.gpg`);
  if (!rel) p("Release: missing");
  if (!relGpg) p("Release.gpg: missing");
  if (rel && !(canonicalText(rel.toString("utf8")) === body || announced("Release", rel))) p("Release: differs from the text InRelease signs");
  if (rel && relGpg) {
    const gpgSigs = await checkSignatures({ binary: rel }, relGpg.toString("utf8"), keys, o.now);
    const gpgOk = accepted(gpgSigs);
    if (gpgOk) r.signers[`${base}/Release.gpg`] = gpgSigs.good;
    const gpgOld = !gpgOk && accepted(await checkSignatures({ binary: Buffer.from(body) }, relGpg.toString("utf8"), keys, o.now));
    if (!gpgOk && !(gpgOld && announced("Release", rel)) && !(announced("Release.gpg", relGpg) && canonicalText(rel.toString("utf8")) === body))
      p("Release.gpg: signature does not verify Release");
  }
  let packagesText: Map<string, string> = new Map();
  const safe = listed.filter((f) => {
    const why = unsafeName(f.path) ?? (/^[0-9a-f]{64}$/.test(f.hex) ? null : "a digest that is not 64 hex digits");
    if (why) p(`InRelease: lists "${f.path}", which holds ${why}; not read`);
    return !why;
  });
  // Index files by name and by hash; the by-hash copies may all be absent (a mirror made by
  // debmirror or apt-mirror copies index files by name only): that is one warning, not a problem.
  const present = new Set<string>();
  const noByHash: Array<{ path: string; hex: string }> = [];
  const missing: string[] = [];
  let byHashSeen = 0;
  const found: Array<{ f: (typeof safe)[number]; b: Buffer | null; canon: Buffer | null }> = [];
  const listedPaths = new Set(safe.map((f) => f.path));
  for (const f of safe) {
    // The uncompressed Contents is listed beside its .gz for apt-file and served by no one (as in
    // Debian's archive); only a copy that is there must match.
    const unserved = /(^|\/)Contents-[^/.]+$/.test(f.path) && (listedPaths.has(`${f.path}.gz`) || listedPaths.has(`${f.path}.xz`));
    if (unserved) {
      const there = await src.get(`${base}/${f.path}`);
      if (there && (there.length !== f.size || sha256(there) !== f.hex) && !announced(f.path, there)) p(`${f.path}: does not match InRelease (size or SHA256)`);
      continue;
    }
    const dir = f.path.includes("/") ? f.path.slice(0, f.path.lastIndexOf("/")) : "";
    const b = await src.get(`${base}/${dir ? dir + "/" : ""}by-hash/SHA256/${f.hex}`);
    const canon = await src.get(`${base}/${f.path}`);
    if (b) byHashSeen++;
    if (b || canon) present.add(f.path);
    found.push({ f, b, canon });
  }
  const compressedAway = (name: string) => name.replace(/\.(gz|xz|bz2|lzma|zst)$/, "");
  const hasSibling = (name: string) => [...present].some((x) => x !== name && compressedAway(x) === compressedAway(name));
  for (const { f, b, canon } of found) {
    if (b && (b.length !== f.size || sha256(b) !== f.hex)) p(`${f.path}: by-hash copy does not match its name or size`);
    if (canon && (canon.length !== f.size || sha256(canon) !== f.hex) && !announced(f.path, canon)) p(`${f.path}: does not match InRelease (size or SHA256)`);
    // Release may list forms that are not there (the uncompressed Packages, Contents-ARCH for
    // apt-file), as Debian's does: fine while another form of the same index is.
    if (!canon && !b && !hasSibling(f.path)) missing.push(f.path);
    if (canon && !b) noByHash.push(f);
    const good = b && sha256(b) === f.hex ? b : canon && sha256(canon) === f.hex ? canon : null;
    if (good && /\/Packages(\.gz|\.xz)?$/.test(f.path)) {
      const arch = f.path.replace(/\/Packages(\.gz|\.xz)?$/, "");
      if (!packagesText.has(arch)) {
        try {
          packagesText.set(arch, (await decompressBuffer(detectCompression(good), good)).toString("utf8"));
        } catch {
          p(`${f.path}: cannot be decompressed`);
        }
      }
    }
  }
  const mirror = noByHash.length > 0 && byHashSeen === 0;
  // Such mirrors also leave out Contents unless told otherwise (debmirror --getcontents).
  const leftOut = mirror ? missing.filter((n) => /(^|\/)Contents-[^/]+$/.test(n)) : [];
  for (const n of missing) if (!leftOut.includes(n)) p(`${n}: missing`);
  if (mirror)
    r.warnings.push(
      `warning: ${base}: no by-hash copies${leftOut.length ? ` and no ${leftOut.join(", ")}` : ""} (a mirror that copies index files by name, as debmirror and apt-mirror do): the indexes were checked by name`,
    );
  else for (const n of noByHash) p(`${n.path}: by-hash copy ${n.hex} missing`);
  for (const [arch, text] of packagesText) {
    let paras;
    try {
      paras = parseParagraphs(text);
    } catch (e) {
      p(`${arch}/Packages: ${(e as Error).message}`);
      continue;
    }
    for (const para of paras) {
      const filename = get(para, "Filename");
      const size = Number(get(para, "Size"));
      const hex = get(para, "SHA256");
      if (!filename || !hex || !Number.isFinite(size)) {
        p(`${arch}/Packages: ${get(para, "Package") ?? "a paragraph"} lacks Filename, Size or SHA256`);
        continue;
      }
      const why = unsafeName(filename);
      if (why) {
        r.problems.push(`${base}/${arch}/Packages: ${get(para, "Package") ?? "a paragraph"} has Filename "${filename}", which holds ${why}; not read`);
        continue;
      }
      const poolRel = `apt/${filename}`;
      if (checkedPool.has(poolRel)) continue;
      checkedPool.add(poolRel);
      const have = await src.size(poolRel);
      if (have === null) r.problems.push(`${poolRel}: missing (named by ${base}/${arch}/Packages)`);
      else if (have !== size) r.problems.push(`${poolRel}: size ${have}, Packages says ${size}`);
      else if (o.deep && (await src.sha256(poolRel, size)) !== hex) r.problems.push(`${poolRel}: SHA256 differs from Packages`);
    }
  }
}

async function verifyAbi(src: TreeSource, abi: string, pub: string | undefined, o: VerifyOptions, r: VerifyReport): Promise<void> {
  const base = `pkg/${abi}`;
  const p = (s: string) => r.problems.push(`${base}/${s}`);
  if (!(await src.get(`${base}/meta.conf`))) p("meta.conf: missing");
  let names: Set<string> | null = null;
  for (const [archive, member] of [
    ["data.pkg", "data"],
    ["packagesite.pkg", "packagesite.yaml"],
  ] as const) {
    const b = await src.get(`${base}/${archive}`);
    if (!b) {
      p(`${archive}: missing`);
      continue;
    }
    let entries;
    try {
      entries = readTarBuffer(await decompressBuffer(detectCompression(b), b));
    } catch (e) {
      p(`${archive}: cannot be read (${(e as Error).message})`);
      continue;
    }
    const content = entries.find((e) => e.name === member)?.data;
    if (!content) {
      p(`${archive}: no ${member} member`);
      continue;
    }
    let sig = entries.find((e) => e.name === "signature")?.data;
    let key = pub;
    if (sig) sig = sig[sig.length - 1] === 0 ? sig.subarray(0, -1) : sig;
    else {
      sig = entries.find((e) => e.name === `${member}.sig`)?.data;
      const embedded = entries.find((e) => e.name === `${member}.pub`)?.data?.toString("utf8");
      if (embedded && pub && fingerprint(embedded) !== fingerprint(pub) && embedded.trim() !== pub.trim()) {
        p(`${archive}: signed by a key that is not the trusted one`);
        continue;
      }
      key = key ?? embedded;
    }
    if (!sig || !key) {
      p(`${archive}: no signature`);
      continue;
    }
    let ok = false;
    try {
      ok = verifyCatalogue(content, sig, key);
    } catch {
      ok = false;
    }
    if (!ok) {
      p(`${archive}: signature does not verify`);
      continue;
    }
    let pkgs: Array<Record<string, unknown>> = [];
    try {
      if (member === "data") {
        if (content.includes(0x0a)) p(`${archive}: data is not one line`);
        pkgs = (JSON.parse(content.toString("utf8")) as { packages: Array<Record<string, unknown>> }).packages;
      } else pkgs = content.toString("utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
    } catch (e) {
      p(`${archive}: catalogue is not valid JSON (${(e as Error).message})`);
      continue;
    }
    const here = new Set<string>();
    for (const pk of pkgs) {
      const name = String(pk.repopath ?? pk.path);
      const why = unsafeName(name);
      if (why) {
        p(`${archive}: names the package file "${name}", which holds ${why}; not read`);
        continue;
      }
      const rel = `${base}/${name}`;
      here.add(rel);
      if (names?.has(rel)) continue;
      const size = await src.size(rel);
      if (size === null) r.problems.push(`${rel}: missing (named by ${base}/${archive})`);
      else if (size !== pk.pkgsize) r.problems.push(`${rel}: size ${size}, the catalogue says ${String(pk.pkgsize)}`);
      else if (o.deep && (await src.sha256(rel, size)) !== pk.sum) r.problems.push(`${rel}: SHA-256 differs from the catalogue`);
      r.checked.poolFiles++;
    }
    names = names ?? here;
  }
}

/**
 * A source whose refused names (a symlink out of a folder tree) become one problem line each and
 * read as absent; a transport failure (time-out, size cap) stops the whole check.
 */
function guarded(src: TreeSource, r: VerifyReport): TreeSource {
  const refuse = (e: unknown): null => {
    if (!(e instanceof UnsafePathError)) throw e;
    const line = e.line();
    if (!r.problems.includes(line)) r.problems.push(line);
    return null;
  };
  return {
    describe: src.describe,
    get: (rel) => src.get(rel).catch(refuse),
    size: (rel) => src.size(rel).catch(refuse),
    sha256: (rel, expect) => src.sha256(rel, expect).catch(refuse),
    list: (rel) => src.list(rel).catch(refuse),
  };
}

export async function verifyTree(source: TreeSource, o: VerifyOptions): Promise<VerifyReport> {
  const r: VerifyReport = { problems: [], warnings: [], checked: { suites: [], abis: [], poolFiles: 0 }, signers: {} };
  try {
    await verifyAll(guarded(source, r), o, r);
  } catch (e) {
    if (!(e instanceof FetchError)) throw e;
    r.problems.push(errorLine(e));
  }
  return r;
}

async function verifyAll(src: TreeSource, o: VerifyOptions, r: VerifyReport): Promise<void> {
  let suites = await src.list("apt/dists");
  let abis = (await src.list("pkg"))?.filter((n) => n.startsWith("FreeBSD:")) ?? null;
  if (suites === null || abis === null) {
    // A server that lists no folders: the index page names the suites and ABIs.
    const html = (await src.get("index.html"))?.toString("utf8") ?? "";
    suites = suites ?? [...new Set([...html.matchAll(/Suites: ([A-Za-z0-9._-]+)/g)].map((m) => m[1]!))];
    abis = abis ?? [...new Set([...html.matchAll(/pkg\/(FreeBSD:[^/"<]+)\//g)].map((m) => m[1]!))];
  }
  if (!suites.length && !abis.length) r.problems.push(`${src.describe}: no APT suite and no FreeBSD repository found`);
  if (suites.length) {
    let ring = o.aptKeyring;
    if (!ring) {
      ring = (await src.get("apt/archive-keyring.gpg")) ?? undefined;
      r.warnings.push("warning: checking APT signatures with the key published in the tree: this proves consistency, not authenticity (give --apt-keyring)");
    }
    let keys: openpgp.Key[] = [];
    try {
      if (!ring) throw new Error("no keyring");
      keys = await readKeyring(ring);
    } catch (e) {
      r.problems.push(`apt/archive-keyring.gpg: cannot read the keyring (${(e as Error).message})`);
    }
    const checkedPool = new Set<string>();
    if (keys.length) for (const s of suites) await verifySuite(src, s, keys, o, r, checkedPool);
    r.checked.suites = suites;
    r.checked.poolFiles += checkedPool.size;
  }
  if (abis.length) {
    let pub = o.pkgPubkey;
    if (!pub) {
      pub = (await src.get("pkg/repo.pub"))?.toString("utf8");
      r.warnings.push("warning: checking FreeBSD signatures with the key published in the tree: this proves consistency, not authenticity (give --pkg-pubkey)");
    }
    for (const a of abis) await verifyAbi(src, a, pub, o, r);
    r.checked.abis = abis;
  }
}
