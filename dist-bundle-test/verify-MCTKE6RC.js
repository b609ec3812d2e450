import {
  clock,
  fingerprint,
  keyPolicy,
  releaseSha256List,
  signingKeyInfo,
  verifyCatalogue
} from "./chunk-JZDO5WIW.js";
import "./chunk-IEWX2NAL.js";
import "./chunk-Q3ZXJRKN.js";
import {
  io,
  parse,
  str
} from "./chunk-UPYNSUOV.js";
import {
  get,
  parseParagraphs
} from "./chunk-L7I5STNP.js";
import "./chunk-5EWEZ3TV.js";
import {
  decompressBuffer,
  detectCompression,
  readTarBuffer
} from "./chunk-IACGGMK5.js";
import {
  MARKER,
  loadConfig,
  parseS3Url
} from "./chunk-CSDMBHJD.js";
import "./chunk-XXK4KJ5C.js";
import "./chunk-NH2BR72R.js";
import {
  RepogenError,
  UnsafePathError,
  UsageError,
  errorLine
} from "./chunk-URTPPSHB.js";

// dist/commands/verify.js
import { readFile } from "node:fs/promises";

// dist/verify/source.js
import { createHash } from "node:crypto";
import { createReadStream, realpathSync } from "node:fs";
import { open, readdir, stat } from "node:fs/promises";
import path from "node:path";
var FetchError = class extends RepogenError {
};
var DEFAULT_LIMITS = { requestMs: 3e4, totalMs: 15 * 6e4 };
var MiB = 1 << 20;
function capFor(rel) {
  const base = rel.slice(rel.lastIndexOf("/") + 1);
  if (/^(InRelease|Release|Release\.gpg)$/.test(base))
    return 16 * MiB;
  if (rel === "index.html" || base === "meta.conf" || /\.(gpg|asc|pub|conf)$/.test(base))
    return 4 * MiB;
  if (base.startsWith("."))
    return 64 * MiB;
  return 1024 * MiB;
}
function unsafeName(rel) {
  if (rel === "")
    return "an empty name";
  if (rel.startsWith("/") || /^[A-Za-z]:/.test(rel))
    return "an absolute path";
  if (/[\\\x00-\x1f\x7f]/.test(rel))
    return "a backslash or control character";
  if (/^[a-z][a-z0-9+.-]*:/i.test(rel))
    return "a URL";
  const parts = rel.split("/");
  if (parts.includes(".."))
    return `".."`;
  if (parts.some((p) => p === "" || p === "."))
    return 'an empty or "." part';
  return null;
}
function checkName(rel) {
  const why = unsafeName(rel);
  if (why)
    throw new UnsafePathError(`refused: the name holds ${why}, so it could leave the tree`, rel);
}
var human = (n) => n >= MiB ? `${n / MiB} MiB` : `${n} bytes`;
function folderSource(root) {
  const realRoot = (() => {
    try {
      return realpathSync.native(root);
    } catch {
      return path.resolve(root);
    }
  })();
  const resolve = (rel) => {
    checkName(rel);
    let real;
    try {
      real = realpathSync.native(path.join(realRoot, rel));
    } catch {
      return null;
    }
    const r = path.relative(realRoot, real);
    if (r === ".." || r.startsWith(".." + path.sep) || path.isAbsolute(r))
      throw new UnsafePathError("refused: a symlink leads out of the tree", rel);
    return real;
  };
  const regular = async (rel) => {
    const real = resolve(rel);
    if (!real)
      return null;
    const st = await stat(real).catch(() => null);
    return st?.isFile() ? { real, size: st.size } : null;
  };
  return {
    describe: root,
    async get(rel) {
      const f = await regular(rel);
      if (!f)
        return null;
      const cap = capFor(rel);
      if (f.size > cap)
        throw new FetchError(`larger than the ${human(cap)} a file of this kind may be; not read`, path.join(root, rel));
      const fh = await open(f.real, "r");
      try {
        const buf = Buffer.alloc(f.size);
        let off = 0;
        while (off < f.size) {
          const { bytesRead } = await fh.read(buf, off, f.size - off, off);
          if (bytesRead === 0)
            break;
          off += bytesRead;
        }
        return buf.subarray(0, off);
      } finally {
        await fh.close();
      }
    },
    size: async (rel) => (await regular(rel))?.size ?? null,
    async sha256(rel) {
      const f = await regular(rel);
      if (!f)
        return null;
      const h = createHash("sha256");
      for await (const c of createReadStream(f.real, { highWaterMark: MiB }))
        h.update(c);
      return h.digest("hex");
    },
    list: async (rel) => {
      try {
        const dir = resolve(rel);
        if (!dir)
          return null;
        const ents = await readdir(dir, { withFileTypes: true });
        return ents.filter((e) => e.isDirectory() && !e.name.startsWith(".")).map((e) => e.name).sort();
      } catch (e) {
        if (e instanceof UnsafePathError)
          throw e;
        return null;
      }
    }
  };
}
function httpSource(base, limits = DEFAULT_LIMITS) {
  const root = base.replace(/\/+$/, "");
  const url = (rel) => `${root}/${rel.split("/").map(encodeURIComponent).join("/")}`;
  const deadline = AbortSignal.timeout(limits.totalMs);
  const secs = (ms) => `${ms / 1e3} s`;
  async function request(rel, method, suffix = "") {
    checkName(rel);
    const own = AbortSignal.timeout(limits.requestMs);
    const signal = AbortSignal.any([own, deadline]);
    let res;
    try {
      res = await fetch(url(rel) + suffix, { method, signal, redirect: "follow" });
    } catch (e) {
      throw failure2(e, rel, own);
    }
    if (!res.ok) {
      await res.body?.cancel().catch(() => void 0);
      return null;
    }
    return { res, signal: own };
  }
  function failure2(e, rel, own) {
    const where = url(rel);
    if (deadline.aborted)
      return new FetchError(`verify ran out of its ${secs(limits.totalMs)} overall time-out (--max-time) here; stopped`, where);
    if (own.aborted)
      return new FetchError(`no complete answer within ${secs(limits.requestMs)} (--timeout); stopped`, where);
    const cause = e.cause;
    return new FetchError(`cannot be fetched (${cause?.code ?? cause?.message ?? e.message}); stopped`, where);
  }
  async function body(rel, res, own, cap, onChunk) {
    const declared = Number(res.headers.get("content-length") ?? NaN);
    const tooBig = () => new FetchError(`larger than the ${human(cap)} a file of this kind may be; not read`, url(rel));
    if (declared > cap) {
      await res.body?.cancel().catch(() => void 0);
      throw tooBig();
    }
    let n = 0;
    if (!res.body)
      return 0;
    const reader = res.body.getReader();
    try {
      for (; ; ) {
        const { done, value } = await reader.read();
        if (done)
          break;
        n += value.byteLength;
        if (n > cap)
          throw tooBig();
        onChunk(value);
      }
    } catch (e) {
      if (e instanceof FetchError)
        throw e;
      throw failure2(e, rel, own);
    } finally {
      reader.cancel().catch(() => void 0);
    }
    return n;
  }
  return {
    describe: root,
    async get(rel) {
      const r = await request(rel, "GET");
      if (!r)
        return null;
      const parts = [];
      await body(rel, r.res, r.signal, capFor(rel), (c) => parts.push(c));
      return Buffer.concat(parts);
    },
    async size(rel) {
      const r = await request(rel, "HEAD");
      if (!r)
        return null;
      const n = r.res.headers.get("content-length");
      return n === null ? null : Number(n);
    },
    async sha256(rel, expect) {
      const r = await request(rel, "GET");
      if (!r)
        return null;
      const h = createHash("sha256");
      try {
        await body(rel, r.res, r.signal, expect !== void 0 ? expect : 64 * 1024 * MiB, (c) => h.update(c));
      } catch (e) {
        if (e instanceof FetchError && expect !== void 0 && /larger than/.test(e.message))
          return "(larger than the index says)";
        throw e;
      }
      return h.digest("hex");
    },
    async list(rel) {
      const r = await request(rel, "GET", "/");
      if (!r)
        return null;
      const parts = [];
      await body(rel, r.res, r.signal, 4 * MiB, (c) => parts.push(c));
      const html = Buffer.concat(parts).toString("utf8");
      const names = [...html.matchAll(/href="([^"?#/][^"?#]*)\/"/g)].map((m) => decodeURIComponent(m[1])).filter((n) => !n.startsWith(".") && !n.includes("/"));
      return [...new Set(names)].sort();
    }
  };
}
async function s3Source(url, cfg) {
  const u = parseS3Url(url);
  if (!u)
    throw new UsageError("must be s3://BUCKET or s3://BUCKET/PREFIX", url);
  const { makeClient, s3Error, statusOf } = await import("./s3client-P7OPJAGY.js");
  const { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command } = await import("@aws-sdk/client-s3");
  const { client } = makeClient(cfg);
  const key = (rel) => u.prefix ? `${u.prefix}/${rel}` : rel;
  const orNull = async (what, rel, f) => {
    try {
      return await f();
    } catch (e) {
      if (statusOf(e) === 404)
        return null;
      throw s3Error(e, what, `${url}/${rel}`);
    }
  };
  return {
    describe: url,
    get: (rel) => orNull("read", rel, async () => {
      const r = await client.send(new GetObjectCommand({ Bucket: u.bucket, Key: key(rel) }));
      return Buffer.from(await r.Body.transformToByteArray());
    }),
    size: (rel) => orNull("read", rel, async () => (await client.send(new HeadObjectCommand({ Bucket: u.bucket, Key: key(rel) }))).ContentLength ?? 0),
    sha256: (rel, expect) => orNull("read", rel, async () => {
      const r = await client.send(new GetObjectCommand({ Bucket: u.bucket, Key: key(rel) }));
      const h = createHash("sha256");
      let n = 0;
      for await (const c of r.Body) {
        n += c.length;
        if (expect !== void 0 && n > expect)
          return "size-exceeds-index";
        h.update(c);
      }
      return h.digest("hex");
    }),
    async list(rel) {
      const names = [];
      let token;
      for (let page = 0; page < 1e3; page++) {
        const r = await orNull("list", rel, () => client.send(new ListObjectsV2Command({ Bucket: u.bucket, Prefix: key(rel) + "/", Delimiter: "/", ContinuationToken: token })));
        if (!r)
          return null;
        for (const p of r.CommonPrefixes ?? []) {
          const n = p.Prefix.slice(key(rel).length + 1).replace(/\/$/, "");
          if (n && !n.startsWith("."))
            names.push(n);
        }
        if (!r.IsTruncated || !r.NextContinuationToken)
          break;
        token = r.NextContinuationToken;
      }
      return names.sort();
    }
  };
}

// dist/verify/verify.js
import { createHash as createHash2 } from "node:crypto";

// dist/verify/signatures.js
import * as openpgp from "openpgp";
async function readKeyring(b) {
  const text = b.toString("latin1");
  if (text.includes("-----BEGIN PGP PUBLIC KEY BLOCK-----"))
    return openpgp.readKeys({ armoredKeys: text });
  return openpgp.readKeys({ binaryKeys: new Uint8Array(b) });
}
function accepted(r) {
  return r.error === void 0 && r.good.length > 0 && r.bad.length === 0;
}
function failure(r) {
  if (r.error !== void 0)
    return r.error;
  if (accepted(r))
    return null;
  const parts = [];
  for (const b of r.bad)
    parts.push(`BADSIG ${b.key} (${b.why})`);
  for (const w of r.worthless)
    parts.push(`${w.why}`);
  if (r.unknown.length)
    parts.push(`NO_PUBKEY ${r.unknown.join(" ")} (signed only by keys the keyring does not hold)`);
  return parts.join("; ") || "no signature";
}
var iso = (d) => d.toISOString().replace(/\.000Z$/, "Z");
async function checkSignatures(data, armoredSignature, keys, now, validUntil) {
  const r = { good: [], worthless: [], unknown: [], bad: [], notes: [] };
  let message;
  let signature;
  try {
    message = data.text !== void 0 ? await openpgp.createMessage({ text: data.text }) : await openpgp.createMessage({ binary: new Uint8Array(data.binary) });
    signature = await openpgp.readSignature({ armoredSignature });
  } catch (e) {
    r.error = e.message;
    return r;
  }
  if (!signature.packets.length) {
    r.error = "no signature";
    return r;
  }
  const res = await openpgp.verify({ message, signature, verificationKeys: keys, date: new Date(now.getTime() + 6e4), expectSigned: false });
  for (const s of res.signatures) {
    const keyId = s.keyID.toHex().toUpperCase();
    const key = keys.find((k) => k.getKeys(s.keyID).length > 0);
    if (!key) {
      await s.verified.catch(() => void 0);
      r.unknown.push(keyId);
      continue;
    }
    const fpr = key.getFingerprint().toUpperCase();
    try {
      await s.verified;
    } catch (e) {
      r.bad.push({ key: fpr, why: e.message });
      continue;
    }
    const revoked = await key.isRevoked(void 0, void 0, now).catch(() => false);
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
    for (const p of [...policy.problems, ...policy.warnings])
      r.notes.push(`the signing key ${fpr}: ${p}`);
  }
  return r;
}

// dist/verify/verify.js
var sha256 = (b) => createHash2("sha256").update(b).digest("hex");
function canonicalText(text) {
  return text.replace(/[ \t\r]+$/gm, "");
}
function parseInRelease(text) {
  const lines = text.split("\n").map((l) => l.replace(/[ \t\r]+$/, ""));
  if (lines[0] !== "-----BEGIN PGP SIGNED MESSAGE-----")
    return "does not start with -----BEGIN PGP SIGNED MESSAGE-----";
  let i = 1;
  while (i < lines.length && lines[i] !== "") {
    if (!/^Hash: [A-Z0-9, ]+$/.test(lines[i]))
      return `unexpected armor header "${lines[i]}"`;
    i++;
  }
  const sigStart = lines.indexOf("-----BEGIN PGP SIGNATURE-----", i);
  if (sigStart < 0)
    return "no signature block";
  const sigEnd = lines.indexOf("-----END PGP SIGNATURE-----", sigStart);
  if (sigEnd < 0)
    return "signature block is not closed";
  if (lines.slice(sigEnd + 1).some((l) => l.trim() !== ""))
    return "text after the signature block";
  const body = lines.slice(i + 1, sigStart).map((l) => l.startsWith("- ") ? l.slice(2) : l).join("\n");
  return { body, signature: lines.slice(sigStart, sigEnd + 1).join("\n") + "\n" };
}
function releaseField(body, name) {
  return new RegExp(`^${name}: (.*)$`, "m").exec(body)?.[1];
}
async function checkCodenameAlias(src, suite, inrel, body, r) {
  const codename = releaseField(body, "Codename");
  if (!codename || codename === suite || !/^[A-Za-z0-9][A-Za-z0-9.+_-]*$/.test(codename))
    return;
  const other = await src.get(`apt/dists/${codename}/InRelease`);
  if (!other)
    r.problems.push(`apt/dists/${codename}/InRelease: missing (apt/dists/${suite} has Codename ${codename}, and mirrors ask for it by that name)`);
  else if (!other.equals(inrel))
    r.problems.push(`apt/dists/${codename}/InRelease: differs from apt/dists/${suite}/InRelease, whose Codename it is`);
}
async function verifySuite(src, suite, keys, o, r, checkedPool) {
  const base = `apt/dists/${suite}`;
  const p = (s) => r.problems.push(`${base}/${s}`);
  const inrel = await src.get(`${base}/InRelease`);
  if (!inrel)
    return void p("InRelease: missing");
  const parsed = parseInRelease(inrel.toString("utf8"));
  if (typeof parsed === "string")
    return void p(`InRelease: ${parsed}`);
  const signed = canonicalText(parsed.body);
  const body = signed.endsWith("\n") ? signed : signed + "\n";
  const untilText = releaseField(body, "Valid-Until");
  const untilDate = untilText === void 0 ? void 0 : new Date(Date.parse(untilText.replace(/ UTC$/, " GMT")));
  const sigs = await checkSignatures({ text: signed.replace(/\n$/, "") }, parsed.signature, keys, o.now, untilDate);
  const bad = failure(sigs);
  if (bad)
    return void p(`InRelease: signature does not verify (${bad})`);
  r.signers[`${base}/InRelease`] = sigs.good;
  for (const w of sigs.worthless)
    r.warnings.push(`warning: ${base}/InRelease: ${w.why}; the other signature is good`);
  for (const n of sigs.notes)
    r.warnings.push(`warning: ${base}/InRelease: ${n}`);
  const date = Date.parse((releaseField(body, "Date") ?? "").replace(/ UTC$/, " GMT"));
  if (Number.isNaN(date))
    p("InRelease: no valid Date");
  else if (date > o.now.getTime() + 1e4)
    p(`InRelease: Date ${releaseField(body, "Date")} is in the future`);
  if (untilDate !== void 0 && untilDate.getTime() < o.now.getTime())
    p(`InRelease: expired (Valid-Until ${untilText})`);
  const listed = releaseSha256List(body);
  if (!listed.length)
    return void p("InRelease: no SHA256 list");
  const markerBuf = await src.get(`${base}/${MARKER}`);
  let marker = {};
  if (markerBuf) {
    try {
      marker = JSON.parse(markerBuf.toString("utf8")).files ?? {};
    } catch {
      marker = {};
    }
  }
  const announced = (rel2, b) => marker[rel2] === sha256(b);
  if (!markerBuf)
    await checkCodenameAlias(src, suite, inrel, body, r);
  const rel = await src.get(`${base}/Release`);
  const relGpg = await src.get(`${base}/Release.gpg`);
  if (!rel)
    p("Release: missing");
  if (!relGpg)
    p("Release.gpg: missing");
  if (rel && !(canonicalText(rel.toString("utf8")) === body || announced("Release", rel)))
    p("Release: differs from the text InRelease signs");
  if (rel && relGpg) {
    const gpgSigs = await checkSignatures({ binary: rel }, relGpg.toString("utf8"), keys, o.now);
    const gpgOk = accepted(gpgSigs);
    if (gpgOk)
      r.signers[`${base}/Release.gpg`] = gpgSigs.good;
    const gpgOld = !gpgOk && accepted(await checkSignatures({ binary: Buffer.from(body) }, relGpg.toString("utf8"), keys, o.now));
    if (!gpgOk && !(gpgOld && announced("Release", rel)) && !(announced("Release.gpg", relGpg) && canonicalText(rel.toString("utf8")) === body))
      p("Release.gpg: signature does not verify Release");
  }
  let packagesText = /* @__PURE__ */ new Map();
  const safe = listed.filter((f) => {
    const why = unsafeName(f.path) ?? (/^[0-9a-f]{64}$/.test(f.hex) ? null : "a digest that is not 64 hex digits");
    if (why)
      p(`InRelease: lists "${f.path}", which holds ${why}; not read`);
    return !why;
  });
  const present = /* @__PURE__ */ new Set();
  const noByHash = [];
  const missing = [];
  let byHashSeen = 0;
  const found = [];
  const listedPaths = new Set(safe.map((f) => f.path));
  for (const f of safe) {
    const unserved = /(^|\/)Contents-[^/.]+$/.test(f.path) && (listedPaths.has(`${f.path}.gz`) || listedPaths.has(`${f.path}.xz`));
    if (unserved) {
      const there = await src.get(`${base}/${f.path}`);
      if (there && (there.length !== f.size || sha256(there) !== f.hex) && !announced(f.path, there))
        p(`${f.path}: does not match InRelease (size or SHA256)`);
      continue;
    }
    const dir = f.path.includes("/") ? f.path.slice(0, f.path.lastIndexOf("/")) : "";
    const b = await src.get(`${base}/${dir ? dir + "/" : ""}by-hash/SHA256/${f.hex}`);
    const canon = await src.get(`${base}/${f.path}`);
    if (b)
      byHashSeen++;
    if (b || canon)
      present.add(f.path);
    found.push({ f, b, canon });
  }
  const compressedAway = (name) => name.replace(/\.(gz|xz|bz2|lzma|zst)$/, "");
  const hasSibling = (name) => [...present].some((x) => x !== name && compressedAway(x) === compressedAway(name));
  for (const { f, b, canon } of found) {
    if (b && (b.length !== f.size || sha256(b) !== f.hex))
      p(`${f.path}: by-hash copy does not match its name or size`);
    if (canon && (canon.length !== f.size || sha256(canon) !== f.hex) && !announced(f.path, canon))
      p(`${f.path}: does not match InRelease (size or SHA256)`);
    if (!canon && !b && !hasSibling(f.path))
      missing.push(f.path);
    if (canon && !b)
      noByHash.push(f);
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
  const leftOut = mirror ? missing.filter((n) => /(^|\/)Contents-[^/]+$/.test(n)) : [];
  for (const n of missing)
    if (!leftOut.includes(n))
      p(`${n}: missing`);
  if (mirror)
    r.warnings.push(`warning: ${base}: no by-hash copies${leftOut.length ? ` and no ${leftOut.join(", ")}` : ""} (a mirror that copies index files by name, as debmirror and apt-mirror do): the indexes were checked by name`);
  else
    for (const n of noByHash)
      p(`${n.path}: by-hash copy ${n.hex} missing`);
  for (const [arch, text] of packagesText) {
    let paras;
    try {
      paras = parseParagraphs(text);
    } catch (e) {
      p(`${arch}/Packages: ${e.message}`);
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
      if (checkedPool.has(poolRel))
        continue;
      checkedPool.add(poolRel);
      const have = await src.size(poolRel);
      if (have === null)
        r.problems.push(`${poolRel}: missing (named by ${base}/${arch}/Packages)`);
      else if (have !== size)
        r.problems.push(`${poolRel}: size ${have}, Packages says ${size}`);
      else if (o.deep && await src.sha256(poolRel, size) !== hex)
        r.problems.push(`${poolRel}: SHA256 differs from Packages`);
    }
  }
}
async function verifyAbi(src, abi, pub, o, r) {
  const base = `pkg/${abi}`;
  const p = (s) => r.problems.push(`${base}/${s}`);
  if (!await src.get(`${base}/meta.conf`))
    p("meta.conf: missing");
  let names = null;
  for (const [archive, member] of [
    ["data.pkg", "data"],
    ["packagesite.pkg", "packagesite.yaml"]
  ]) {
    const b = await src.get(`${base}/${archive}`);
    if (!b) {
      p(`${archive}: missing`);
      continue;
    }
    let entries;
    try {
      entries = readTarBuffer(await decompressBuffer(detectCompression(b), b));
    } catch (e) {
      p(`${archive}: cannot be read (${e.message})`);
      continue;
    }
    const content = entries.find((e) => e.name === member)?.data;
    if (!content) {
      p(`${archive}: no ${member} member`);
      continue;
    }
    let sig = entries.find((e) => e.name === "signature")?.data;
    let key = pub;
    if (sig)
      sig = sig[sig.length - 1] === 0 ? sig.subarray(0, -1) : sig;
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
    let pkgs = [];
    try {
      if (member === "data") {
        if (content.includes(10))
          p(`${archive}: data is not one line`);
        pkgs = JSON.parse(content.toString("utf8")).packages;
      } else
        pkgs = content.toString("utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l));
    } catch (e) {
      p(`${archive}: catalogue is not valid JSON (${e.message})`);
      continue;
    }
    const here = /* @__PURE__ */ new Set();
    for (const pk of pkgs) {
      const name = String(pk.repopath ?? pk.path);
      const why = unsafeName(name);
      if (why) {
        p(`${archive}: names the package file "${name}", which holds ${why}; not read`);
        continue;
      }
      const rel = `${base}/${name}`;
      here.add(rel);
      if (names?.has(rel))
        continue;
      const size = await src.size(rel);
      if (size === null)
        r.problems.push(`${rel}: missing (named by ${base}/${archive})`);
      else if (size !== pk.pkgsize)
        r.problems.push(`${rel}: size ${size}, the catalogue says ${String(pk.pkgsize)}`);
      else if (o.deep && await src.sha256(rel, size) !== pk.sum)
        r.problems.push(`${rel}: SHA-256 differs from the catalogue`);
      r.checked.poolFiles++;
    }
    names = names ?? here;
  }
}
function guarded(src, r) {
  const refuse = (e) => {
    if (!(e instanceof UnsafePathError))
      throw e;
    const line = e.line();
    if (!r.problems.includes(line))
      r.problems.push(line);
    return null;
  };
  return {
    describe: src.describe,
    get: (rel) => src.get(rel).catch(refuse),
    size: (rel) => src.size(rel).catch(refuse),
    sha256: (rel, expect) => src.sha256(rel, expect).catch(refuse),
    list: (rel) => src.list(rel).catch(refuse)
  };
}
async function verifyTree(source, o) {
  const r = { problems: [], warnings: [], checked: { suites: [], abis: [], poolFiles: 0 }, signers: {} };
  try {
    await verifyAll(guarded(source, r), o, r);
  } catch (e) {
    if (!(e instanceof FetchError))
      throw e;
    r.problems.push(errorLine(e));
  }
  return r;
}
async function verifyAll(src, o, r) {
  let suites = await src.list("apt/dists");
  let abis = (await src.list("pkg"))?.filter((n) => n.startsWith("FreeBSD:")) ?? null;
  if (suites === null || abis === null) {
    const html = (await src.get("index.html"))?.toString("utf8") ?? "";
    suites = suites ?? [...new Set([...html.matchAll(/Suites: ([A-Za-z0-9._-]+)/g)].map((m) => m[1]))];
    abis = abis ?? [...new Set([...html.matchAll(/pkg\/(FreeBSD:[^/"<]+)\//g)].map((m) => m[1]))];
  }
  if (!suites.length && !abis.length)
    r.problems.push(`${src.describe}: no APT suite and no FreeBSD repository found`);
  if (suites.length) {
    let ring = o.aptKeyring;
    if (!ring) {
      ring = await src.get("apt/archive-keyring.gpg") ?? void 0;
      r.warnings.push("warning: checking APT signatures with the key published in the tree: this proves consistency, not authenticity (give --apt-keyring)");
    }
    let keys = [];
    try {
      if (!ring)
        throw new Error("no keyring");
      keys = await readKeyring(ring);
    } catch (e) {
      r.problems.push(`apt/archive-keyring.gpg: cannot read the keyring (${e.message})`);
    }
    const checkedPool = /* @__PURE__ */ new Set();
    if (keys.length)
      for (const s of suites)
        await verifySuite(src, s, keys, o, r, checkedPool);
    r.checked.suites = suites;
    r.checked.poolFiles += checkedPool.size;
  }
  if (abis.length) {
    let pub = o.pkgPubkey;
    if (!pub) {
      pub = (await src.get("pkg/repo.pub"))?.toString("utf8");
      r.warnings.push("warning: checking FreeBSD signatures with the key published in the tree: this proves consistency, not authenticity (give --pkg-pubkey)");
    }
    for (const a of abis)
      await verifyAbi(src, a, pub, o, r);
    r.checked.abis = abis;
  }
}

// dist/commands/verify.js
var HELP = `Usage: repogen verify TARGET [options]

Check a published or mirrored tree (a folder, an http(s):// URL of the output root, or
s3://BUCKET/PREFIX read with AWS credentials and the [s3] settings of --config) as a client
would: InRelease, Release.gpg and Valid-Until; every index InRelease lists, by its by-hash copy; every
pool file an index names, with its size; the FreeBSD catalogues' signatures and the packages they
name. Exit 0 when consistent, 1 with one line per problem.

Options:
  --apt-keyring FILE   the OpenPGP public key clients trust (binary or armored)
  --pkg-pubkey FILE    the RSA public key (PEM) FreeBSD clients trust
                       (without these, the keys published in the tree are used, with a warning:
                       that proves consistency, not authenticity)
                       (a keyring holding any one of the signing keys passes; the keys that
                       signed are printed after the summary, "signers" in --json)
  --deep               hash every pool file too
  --now ISO8601        the clock to check Valid-Until against (default: now)
  --timeout SECONDS    over http, the most one request may take (default ${DEFAULT_LIMITS.requestMs / 1e3})
  --max-time SECONDS   over http, the most the whole check may take (default ${DEFAULT_LIMITS.totalMs / 1e3})
  --json               {"ok": \u2026, "problems": [\u2026], \u2026} on stdout
  --config FILE        for s3:// targets: the [s3] table (endpoint, region, force_path_style)

Every read is bounded: nothing outside TARGET is read (a name with "..", an absolute name, or in a
folder a symlink out of it, is refused and reported), and each kind of file has a size cap
(InRelease, Release, Release.gpg 16 MiB; keys, snippets, meta.conf, index.html 4 MiB; index files
and catalogues 1 GiB; a pool file no more than its index says). A time-out or a cap ends the check
with one line.

Examples:
  repogen verify https://packages.example.org --apt-keyring /etc/apt/keyrings/example.gpg --deep
  repogen verify s3://packages/repo --config repogen.toml
`;
async function run(argv) {
  const { values, positionals } = parse(argv, {
    "apt-keyring": { type: "string" },
    "pkg-pubkey": { type: "string" },
    deep: { type: "boolean" },
    now: { type: "string" },
    timeout: { type: "string" },
    "max-time": { type: "string" }
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const o = io(values);
  if (positionals.length !== 1)
    throw new UsageError("verify takes exactly one TARGET (see repogen verify --help)");
  const target = positionals[0];
  const seconds = (k, dflt) => {
    const v = str(values[k]);
    if (v === void 0)
      return dflt;
    if (!/^\d+(\.\d+)?$/.test(v) || Number(v) <= 0)
      throw new UsageError(`--${k} "${v}" is not a positive number of seconds`);
    return Math.round(Number(v) * 1e3);
  };
  const limits = { requestMs: seconds("timeout", DEFAULT_LIMITS.requestMs), totalMs: seconds("max-time", DEFAULT_LIMITS.totalMs) };
  const src = /^https?:\/\//.test(target) ? httpSource(target, limits) : target.startsWith("s3://") ? await s3Source(target, loadConfig(str(values.config)).s3) : folderSource(target);
  const readOpt = async (k) => {
    const f = str(values[k]);
    if (f === void 0)
      return void 0;
    return readFile(f).catch((e) => {
      throw new UsageError(`cannot read: ${e.code ?? e.message}`, f);
    });
  };
  const report = await verifyTree(src, {
    aptKeyring: await readOpt("apt-keyring"),
    pkgPubkey: (await readOpt("pkg-pubkey"))?.toString("utf8"),
    deep: values.deep === true,
    now: clock(str(values.now), {})
  });
  if (!o.quiet)
    for (const w of report.warnings)
      o.err(w);
  if (o.json)
    o.out(JSON.stringify({ ok: report.problems.length === 0, ...report }, null, 2));
  else {
    for (const pr of report.problems)
      o.err(pr);
    if (!o.quiet)
      o.out(`${report.problems.length ? "NOT consistent" : "consistent"}: ${report.checked.suites.length} APT suite(s), ${report.checked.abis.length} FreeBSD repositor${report.checked.abis.length === 1 ? "y" : "ies"}, ${report.checked.poolFiles} package files checked${values.deep ? " (deep)" : ""}; ${report.problems.length} problem(s)`);
    if (!o.quiet)
      for (const [file, fprs] of Object.entries(report.signers))
        o.out(`${file}: signed by ${fprs.join(", ")}`);
  }
  return report.problems.length ? 1 : 0;
}
export {
  HELP,
  run
};
