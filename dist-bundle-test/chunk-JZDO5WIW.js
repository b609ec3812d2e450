import {
  repogenVersion
} from "./chunk-IEWX2NAL.js";
import {
  SPEC_FILE,
  parsePlatform,
  readSpec
} from "./chunk-Q3ZXJRKN.js";
import {
  io,
  parse,
  str
} from "./chunk-UPYNSUOV.js";
import {
  buildDeb,
  checkControlFields,
  compareDebVersions,
  forbiddenChar,
  get,
  openDeb,
  parseDebVersion,
  parseParagraph,
  parseRelations,
  readDebFrom,
  rewriteDebFrom,
  serialise,
  versionForFilename
} from "./chunk-L7I5STNP.js";
import {
  buildPkg,
  compareFreebsdVersions,
  manifestObject,
  readPkg,
  rewritePkgVersion,
  urlDecode
} from "./chunk-5EWEZ3TV.js";
import {
  LIMITS,
  compressBuffer,
  compressIndexXz,
  decompressBuffer,
  detectCompression,
  hashRegularFile,
  hashRegularFileSync,
  openRegular,
  openRegularSync,
  readRegularFile,
  readRegularFileSync,
  readTarBuffer,
  tarBuffer
} from "./chunk-IACGGMK5.js";
import {
  LeaseLostError,
  MARKER,
  PARALLEL,
  PublishError,
  TEMP_FILE,
  acquireLock,
  afterWrite,
  applyRetention,
  checkPathRules,
  checkS3Output,
  cleanRel,
  isManaged,
  loadConfig,
  mapLimit,
  s3BaseUrl
} from "./chunk-CSDMBHJD.js";
import {
  writeFileAtomic
} from "./chunk-NH2BR72R.js";
import {
  BookkeepingError,
  FormatError,
  KeyError,
  LockedError,
  RepogenError,
  UnsafePathError,
  UsageError,
  errorLine
} from "./chunk-URTPPSHB.js";

// dist/commands/generate.js
import path13 from "node:path";

// dist/debian/family.js
import { existsSync as existsSync2, writeFileSync as writeFileSync2 } from "node:fs";
import { rm } from "node:fs/promises";
import path2 from "node:path";

// dist/family.js
import { closeSync, constants, existsSync, readSync, writeFileSync } from "node:fs";
import { copyFile, mkdir, open } from "node:fs/promises";
import { createHash } from "node:crypto";
import path from "node:path";
function workFile(ctx, build, name) {
  return path.join(ctx.work, `${build.job}~${build.uuid}~${name}`);
}
async function workDirOf(ctx, build) {
  const dir = workFile(ctx, build, "tree");
  await mkdir(dir, { recursive: true });
  return dir;
}
async function copyChecked(source, dest) {
  const { fh } = await openRegular(source, { cap: LIMITS.file, limit: "file", what: "main binary" });
  try {
    const byFd = `/proc/self/fd/${fh.fd}`;
    try {
      await copyFile(byFd, dest, constants.COPYFILE_FICLONE);
      return;
    } catch {
    }
    const out = await open(dest, "w");
    try {
      const buf = Buffer.allocUnsafe(1 << 20);
      let n = 0;
      for (; ; ) {
        const { bytesRead } = await fh.read(buf, 0, buf.length, null);
        if (bytesRead === 0)
          break;
        n += bytesRead;
        if (n > LIMITS.file)
          throw new FormatError(`the main binary grew past its size cap while it was copied`, source);
        await out.write(buf.subarray(0, bytesRead));
      }
    } finally {
      await out.close();
    }
  } finally {
    await fh.close();
  }
}
function deliveredPath(work, build) {
  return path.join(work, `${build.job}~${build.uuid}~delivered~${path.basename(build.main)}`);
}
var IN_MEMORY = 8 << 20;
function readSmall(source) {
  const { fd, stat: stat4 } = openRegularSync(source, { cap: LIMITS.file, limit: "file", what: "main binary" });
  try {
    if (stat4.size > IN_MEMORY)
      return null;
    let buf = Buffer.allocUnsafe(stat4.size + 1);
    let n = 0;
    for (; ; ) {
      if (n === buf.length) {
        if (n > IN_MEMORY)
          return null;
        const bigger = Buffer.allocUnsafe(buf.length * 2);
        buf.copy(bigger, 0, 0, n);
        buf = bigger;
      }
      const got = readSync(fd, buf, n, buf.length - n, null);
      if (got === 0)
        break;
      n += got;
    }
    return buf.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}
function ensureCopy(main) {
  if (main.bytes && !existsSync(main.file))
    writeFileSync(main.file, main.bytes, { flag: "wx" });
}
async function mainBinary(build, ctx, buildFromSpec, opts = {}) {
  if (build.kind !== "tree") {
    const file3 = deliveredPath(ctx.work, build);
    const bytes = readSmall(build.main);
    if (!bytes)
      await copyChecked(build.main, file3);
    else if (opts.copy !== false)
      writeFileSync(file3, bytes, { flag: "wx" });
    const sha2562 = bytes ? createHash("sha256").update(bytes).digest("hex") : await ctx.hash(file3);
    if (sha2562 !== build.mainSha256)
      throw new FormatError(`the main binary changed after its SHA-256 was checked (now ${sha2562}, build.json says ${build.mainSha256}); nothing of it is published`);
    return { file: file3, sha256: sha2562, owned: true, ...bytes ? { bytes } : {} };
  }
  const spec = await readSpec(build.spec, { name: build.job });
  const dir = path.join(await workDirOf(ctx, build), "upstream");
  await mkdir(dir, { recursive: true });
  const file2 = await buildFromSpec(spec, dir, Math.floor(build.start.getTime() / 1e3));
  return { file: file2, sha256: await ctx.hash(file2), owned: true };
}

// dist/builds/versioning.js
var RELEASE = /^[0-9]+(?:\.[0-9]+)*$/;
var DESCRIBE = /^([0-9]+(?:\.[0-9]+)*)-([0-9]+)-g([0-9a-f]{7,40})$/;
var ROBUR_RELEASE = /^[0-9]+\.[0-9]+\.[0-9]+$/;
var ROBUR_DESCRIBE = /^[0-9]+\.[0-9]+\.[0-9]+-[0-9]+-g[0-9a-f]{7,40}$/;
function versioningOf(build, config2) {
  return build.versioning ?? config2.versioning;
}
function debianBuildVersion(upstream, buildtime, sha2562) {
  if (ROBUR_RELEASE.test(upstream))
    return `${upstream}-0-g0000000-${buildtime}-${sha2562}`;
  if (ROBUR_DESCRIBE.test(upstream))
    return `${upstream}-${buildtime}-${sha2562}`;
  return `${upstream}+b${buildtime}.${sha2562}`;
}
function freebsdBuildVersion(upstream, buildtime, sha2562) {
  if (RELEASE.test(upstream))
    return `${upstream}.0.g0000000.${buildtime}.${sha2562}`;
  const d = DESCRIBE.exec(upstream);
  if (d)
    return `${d[1]}.${d[2]}.g${d[3]}.${buildtime}.${sha2562}`;
  const m = /^([^_,]+)((?:_[^_,]+)?)((?:,[0-9]+)?)$/.exec(upstream);
  if (!m || upstream.includes("-"))
    throw new FormatError(`"${upstream}" is not a FreeBSD version`);
  const body = m[1].includes("+") ? m[1].replace(/\+.*$/, (s) => `${s}.${buildtime}.${sha2562}`) : `${m[1]}+${buildtime}.${sha2562}`;
  return `${body}${m[2]}${m[3]}`;
}

// dist/debian/changelog.js
import zlib from "node:zlib";
var CHANGELOG_GZ_LIMIT = 4 << 20;
var CHANGELOG_TEXT_LIMIT = 32 << 20;
function changelogsTemplate(baseUrl) {
  return `${baseUrl}/apt/changelogs/@CHANGEPATH@_changelog`;
}
var SOURCE = /^([a-z0-9][a-z0-9+.-]+)(?:\s+\(([^()\s]+)\))?$/;
function changelogPath(control, publishedVersion) {
  const name = get(control, "Package");
  const m = SOURCE.exec((get(control, "Source") ?? name ?? "").trim());
  if (!m)
    return null;
  const source = m[1];
  const version = m[2] ?? publishedVersion;
  try {
    parseDebVersion(version);
  } catch {
    return null;
  }
  const prefix = source.startsWith("lib") && source.length > 3 ? source.slice(0, 4) : source[0];
  return `apt/changelogs/main/${prefix}/${source}/${source}_${versionForFilename(version)}_changelog`;
}
var ChangelogCatcher = class {
  wanted;
  parts = /* @__PURE__ */ new Map();
  sizes = /* @__PURE__ */ new Map();
  tooLarge = /* @__PURE__ */ new Set();
  constructor(packageName) {
    this.wanted = [`usr/share/doc/${packageName}/changelog.Debian.gz`, `usr/share/doc/${packageName}/changelog.gz`];
  }
  onData = (e, chunk) => {
    if (e.type !== "file")
      return;
    const name = e.name.replace(/^\.?\/+/, "");
    if (!this.wanted.includes(name) || this.tooLarge.has(name))
      return;
    const size = (this.sizes.get(name) ?? 0) + chunk.length;
    if (size > CHANGELOG_GZ_LIMIT) {
      this.tooLarge.add(name);
      this.parts.delete(name);
      return;
    }
    this.sizes.set(name, size);
    if (!this.parts.has(name))
      this.parts.set(name, []);
    this.parts.get(name).push(Buffer.from(chunk));
  };
  /** The changelog's text, or null when the package has none that can be read within the limits. */
  text() {
    for (const name of this.wanted) {
      const parts = this.parts.get(name);
      if (!parts)
        continue;
      try {
        return zlib.gunzipSync(Buffer.concat(parts), { maxOutputLength: CHANGELOG_TEXT_LIMIT });
      } catch {
      }
    }
    return null;
  }
};

// dist/debian/ready-deb.js
async function readReadyDeb(t) {
  const src = await openDeb(t.source, t.bytes);
  try {
    let catcher = null;
    const onData = t.changelog ? (name) => (catcher = new ChangelogCatcher(name)).onData : void 0;
    const info = await readDebFrom(src, { files: t.files, onData });
    checkControlFields(info.control, t.source);
    if (info.arch !== t.arch)
      throw new FormatError(`the package's Architecture is ${info.arch}, build.json says ${t.arch}`);
    const version = t.versioning === "build" ? debianBuildVersion(info.version, t.buildtime, t.mainSha) : info.version;
    const listed = t.files ? info.files ?? [] : [];
    const files = listed.filter((f) => f.type !== "dir").map((f) => f.path.slice(1));
    for (const f of listed) {
      const bad = forbiddenChar(f.path) ?? (f.path.includes("\n") ? "U+000A" : void 0);
      if (bad)
        throw new FormatError(`data member holds a file name with the control character ${bad}: ${JSON.stringify(f.path.slice(0, 200))}`, t.source);
    }
    const base = { name: info.name, arch: info.arch, upstream: info.version, version, files, size: src.size, conffiles: info.conffiles };
    const text2 = catcher?.text() ?? null;
    const where = text2 ? changelogPath(info.control, version) : null;
    const changelog = text2 && where ? { path: where, text: text2 } : null;
    if (version === info.version)
      return { ...base, control: info.control, rewritten: null, changelog };
    const r = await rewriteDebFrom(src, version, t.out, { privateOut: true });
    return { ...base, control: r.control, rewritten: { file: r.file, sha256: r.sha256, size: r.size }, changelog };
  } finally {
    await src.close();
  }
}

// dist/debian/repository.js
import { createHash as createHash2 } from "node:crypto";
import zlib2 from "node:zlib";
import { promisify } from "node:util";
function poolDir(name) {
  const l = name.startsWith("lib") && name.length > 3 ? name.slice(0, 4) : name[0];
  return `pool/main/${l}/${name}`;
}
var ORDER = [
  "Package",
  "Package-Type",
  "Architecture",
  "Subarchitecture",
  "Version",
  "Multi-Arch",
  "Priority",
  "Essential",
  "Section",
  "Origin",
  "Maintainer",
  "Original-Maintainer",
  "Bugs",
  "Installed-Size",
  "Provides",
  "Pre-Depends",
  "Depends",
  "Recommends",
  "Suggests",
  "Conflicts",
  "Breaks",
  "Replaces",
  "Enhances",
  "Built-Using",
  "Source"
];
var TAIL = ["Filename", "Size", "SHA256", "Homepage", "Description"];
var DROP = ["filename", "size", "md5sum", "sha1", "sha256", "sha512", "status", "conffiles", "installed-size-md5"];
var ORDER_LC = new Set(ORDER.map((k) => k.toLowerCase()));
var TAIL_LC = new Set(TAIL.map((k) => k.toLowerCase()));
function packagesParagraph(p) {
  const byName = /* @__PURE__ */ new Map();
  const fields = [];
  for (const f of p.control) {
    const lc = f[0].toLowerCase();
    if (DROP.includes(lc))
      continue;
    fields.push(f);
    if (!byName.has(lc))
      byName.set(lc, f);
  }
  const take = (name) => byName.get(name.toLowerCase());
  const out = [];
  for (const k of ORDER) {
    const f = take(k);
    if (f)
      out.push(k === "Version" ? [f[0], p.version] : f);
  }
  for (const f of fields) {
    const lc = f[0].toLowerCase();
    if (!ORDER_LC.has(lc) && !TAIL_LC.has(lc))
      out.push(f);
  }
  out.push(["Filename", p.filename], ["Size", String(p.size)], ["SHA256", p.sha256]);
  const hp = take("Homepage");
  if (hp)
    out.push(hp);
  const d = take("Description");
  if (d)
    out.push(d);
  return out;
}
function sortPackages(ps) {
  return [...ps].sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : compareDebVersions(a.version, b.version) || (a.arch < b.arch ? -1 : a.arch > b.arch ? 1 : 0));
}
function packagesText(ps) {
  return sortPackages(ps).map((p) => p.entry).join("\n");
}
function contentsText(ps) {
  const byPath = /* @__PURE__ */ new Map();
  for (const p of ps) {
    const qualified = `${p.section}/${p.name}`;
    for (const f of p.files) {
      if (!byPath.has(f))
        byPath.set(f, /* @__PURE__ */ new Set());
      byPath.get(f).add(qualified);
    }
  }
  const paths = [...byPath.keys()].map((p) => ({ p, k: Buffer.from(p, "utf8").toString("latin1") })).sort((a, b) => a.k < b.k ? -1 : a.k > b.k ? 1 : 0).map((x) => x.p);
  return paths.map((f) => `${f.padEnd(59)} ${[...byPath.get(f)].sort().join(",")}
`).join("");
}
function sha256(b) {
  return createHash2("sha256").update(b).digest("hex");
}
function file(path14, data, served = true) {
  return { path: path14, data, sha256: sha256(data), served };
}
function suiteArchitectures(ps) {
  const arches = [...new Set(ps.map((p) => p.arch).filter((a) => a !== "all"))].sort();
  return arches.length ? arches : ["amd64"];
}
function releaseSha256List(body) {
  const m = /^SHA256:\n((?:[ \t].*\n?)*)/m.exec(body);
  if (!m)
    return [];
  return m[1].split("\n").map((l) => l.trim()).filter(Boolean).map((l) => {
    const [hex, size, p] = l.split(/\s+/);
    return { hex, size: Number(size), path: p };
  });
}
async function compressedIndex(kind, data, name, previous, plainChanged = false, listed) {
  const old = previous && (!plainChanged || kind === "xz") ? await previous(name) : null;
  if (old && !plainChanged) {
    if (listed && listed.digests.get(listed.plain) === listed.plainSha && listed.digests.get(name) === sha256(old))
      return old;
    try {
      if ((await decompressBuffer(kind, old)).equals(data))
        return old;
    } catch {
    }
  }
  if (kind === "gz")
    return promisify(zlib2.gzip)(data, { level: 9 });
  const before = old && listed?.oldPlain && listed.digests.get(listed.plain) === sha256(listed.oldPlain) && listed.digests.get(name) === sha256(old) ? listed.oldPlain : void 0;
  return compressIndexXz(data, old, before);
}
async function suiteIndexes(ps, o, previous) {
  const architectures = suiteArchitectures(ps);
  const files = [];
  const oldRelease = previous ? await previous("Release") : null;
  const digests = new Map(oldRelease ? releaseSha256List(oldRelease.toString("utf8")).map((f) => [f.path, f.hex]) : []);
  for (const arch of architectures) {
    const mine = ps.filter((p) => p.arch === arch || p.arch === "all");
    const dir = `main/binary-${arch}`;
    const packages = Buffer.from(packagesText(mine), "utf8");
    const oldPlain = previous ? await previous(`${dir}/Packages`) : null;
    const plainChanged = !oldPlain || !oldPlain.equals(packages);
    const plainFile = file(`${dir}/Packages`, packages);
    const listed = { digests, plain: plainFile.path, plainSha: plainFile.sha256, oldPlain };
    const compressed = (kind) => compressedIndex(kind, packages, `${dir}/Packages.${kind}`, previous, plainChanged, listed).then((b) => file(`${dir}/Packages.${kind}`, b));
    const xz = o.indexCompression.includes("xz") ? compressed("xz") : null;
    files.push(Promise.resolve(plainFile));
    if (o.indexCompression.includes("gz"))
      files.push(compressed("gz"));
    if (xz)
      files.push(xz);
    const rel = `Archive: ${o.suite}
Origin: ${o.origin}
Label: ${o.label}
Acquire-By-Hash: yes
Component: main
Architecture: ${arch}
`;
    files.push(Promise.resolve(file(`${dir}/Release`, Buffer.from(rel, "utf8"))));
    if (o.contents) {
      const contents = Buffer.from(contentsText(mine), "utf8");
      files.push(Promise.resolve(file(`main/Contents-${arch}`, contents, false)));
      files.push(compressedIndex("gz", contents, `main/Contents-${arch}.gz`, previous).then((b) => file(`main/Contents-${arch}.gz`, b)));
    }
  }
  return { files: await Promise.all(files), architectures };
}
function rfc2822(d) {
  return d.toUTCString().replace(/GMT$/, "UTC");
}
function releaseText(files, architectures, o, date, validDays) {
  const f = [
    ["Origin", o.origin],
    ["Label", o.label],
    ["Suite", o.suite],
    ["Codename", o.extra.Codename ?? o.suite]
  ];
  for (const [k, v] of Object.entries(o.extra))
    if (k !== "Codename")
      f.push([k, v]);
  f.push(["Date", rfc2822(date)]);
  if (validDays > 0)
    f.push(["Valid-Until", rfc2822(new Date(date.getTime() + validDays * 864e5))]);
  f.push(["Architectures", architectures.join(" ")], ["Components", "main"], ["Description", o.description], ["Acquire-By-Hash", "yes"]);
  if (o.changelogs && !o.extra.Changelogs)
    f.push(["Changelogs", o.changelogs]);
  const sorted = [...files].sort((a, b) => a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
  const width = String(Math.max(...sorted.map((x) => x.data.length))).length;
  f.push(["SHA256", "\n" + sorted.map((x) => ` ${x.sha256} ${String(x.data.length).padStart(width)} ${x.path}`).join("\n")]);
  return serialise(f, o.suite);
}
function releaseIdentity(text2) {
  return text2.split("\n").filter((l) => !/^(Date|Valid-Until):/.test(l)).join("\n");
}

// dist/debian/suite-relations.js
var POSITIVE = ["Pre-Depends", "Depends", "Recommends"];
function holds(r, version) {
  if (!r.op || r.version === void 0)
    return true;
  const c = compareDebVersions(version, r.version);
  switch (r.op) {
    case "<<":
      return c < 0;
    case "<=":
    case "<":
      return c <= 0;
    case "=":
      return c === 0;
    case ">=":
    case ">":
      return c >= 0;
    case ">>":
      return c > 0;
  }
}
function text(r) {
  return `${r.name}${r.arch ? `:${r.arch}` : ""}${r.op ? ` (${r.op} ${r.version})` : ""}`;
}
function brokenRelations(members) {
  const rewritten = members.filter((m) => m.version !== m.upstream);
  if (!rewritten.length)
    return [];
  const byName = /* @__PURE__ */ new Map();
  for (const m of members)
    byName.set(m.name, [...byName.get(m.name) ?? [], m]);
  const out = [];
  for (const m of members) {
    let para;
    try {
      para = parseParagraph(m.entry);
    } catch {
      continue;
    }
    for (const field of POSITIVE) {
      const value = get(para, field);
      if (!value)
        continue;
      let groups;
      try {
        groups = parseRelations(field, value);
      } catch {
        continue;
      }
      for (const group of groups) {
        const targets = (r) => (byName.get(r.name) ?? []).filter((t) => t.arch === m.arch || t.arch === "all" || m.arch === "all");
        const now = group.some((r) => targets(r).some((t) => holds(r, t.version)));
        if (now)
          continue;
        const cause = group.flatMap((r) => targets(r).filter((t) => t.version !== t.upstream && holds(r, t.upstream)).map((t) => ({ r, t })))[0];
        if (!cause)
          continue;
        out.push(`${m.name} ${m.version} (${m.build}) ${field}: ${group.map(text).join(" | ")}, but ${cause.t.name} ${cause.t.upstream} is published as ${cause.t.version} (${cause.t.build}, "versioning": "build"); publish them "as-is" to keep the relation`);
      }
    }
  }
  return out;
}

// dist/debian/family.js
function poolFor(name, version, arch) {
  return `apt/${poolDir(name)}/${name}_${versionForFilename(version)}_${arch}.deb`;
}
function parseRfc2822(s) {
  if (!s)
    return null;
  const t = Date.parse(s.replace(/ UTC$/, " GMT"));
  return Number.isNaN(t) ? null : new Date(t);
}
var DebianFamily = class {
  signer;
  name = "debian";
  constructor(signer) {
    this.signer = signer;
  }
  cacheSalt(config2) {
    return `deb:fields-1:${config2.versioning}:${config2.apt.debCompression}:${config2.apt.contents ? "contents" : "no-contents"}`;
  }
  compareVersions(a, b) {
    return compareDebVersions(a, b);
  }
  repositoryOf(build) {
    return build.platform.family === "debian" ? build.platform.suite : build.platform.platform;
  }
  async prepare(build, ctx, cached) {
    if (cached)
      return { pkg: cached, produced: null, move: false };
    const versioning = versioningOf(build, ctx.config);
    const main = await mainBinary(
      build,
      ctx,
      async (spec, outDir, mtime) => (await buildDeb(spec, build.main, {
        arch: build.arch,
        mtime,
        compression: ctx.config.apt.debCompression,
        outDir,
        publishedNative: versioning === "build" ? false : void 0
      })).file,
      // With build versions the package is always rewritten: the checked bytes need no copy on disk.
      { copy: versioning !== "build" }
    );
    const { file: source, owned, sha256: mainSha, bytes } = main;
    const task = {
      source,
      arch: build.arch,
      files: ctx.config.apt.contents,
      versioning,
      buildtime: build.buildtime,
      mainSha,
      bytes,
      out: workFile(ctx, build, "rewritten.deb"),
      changelog: true
    };
    const info = await readReadyDeb(task);
    if (!info.rewritten)
      ensureCopy(main);
    const produced = info.rewritten ? info.rewritten.file : source;
    const move = info.rewritten ? true : owned;
    const sha2562 = info.rewritten ? info.rewritten.sha256 : mainSha;
    const size = info.rewritten ? info.rewritten.size : info.size;
    const { control, version } = info;
    if (owned && produced !== source && existsSync2(source))
      await rm(build.kind === "tree" ? path2.dirname(source) : source, { recursive: true, force: true });
    const upstream = info.upstream;
    const pool = poolFor(info.name, version, info.arch);
    const entry = serialise(packagesParagraph({ name: info.name, version, arch: info.arch, filename: pool.replace(/^apt\//, ""), size, sha256: sha2562, control, files: [] }), build.dir);
    const pkg = {
      family: "debian",
      name: info.name,
      upstream,
      version,
      arch: info.arch,
      mainSha256: mainSha,
      pool,
      size,
      sha256: sha2562,
      entry,
      section: get(control, "Section") ?? "misc",
      files: info.files.join("\n"),
      ...info.conffiles.length ? { conffiles: info.conffiles } : {}
    };
    let extras;
    if (info.changelog) {
      const file2 = workFile(ctx, build, "changelog");
      writeFileSync2(file2, info.changelog.text);
      pkg.changelog = info.changelog.path;
      extras = [{ path: info.changelog.path, file: file2 }];
    }
    return { pkg, produced, move, extras };
  }
  brokenRelations(suite, pkgs) {
    return brokenRelations(pkgs.map(({ pkg, build }) => ({ name: pkg.name, arch: pkg.arch, version: pkg.version, upstream: pkg.upstream, entry: pkg.entry, build }))).map((l) => `apt ${suite}: ${l}`);
  }
  async repository(suite, pkgs, site) {
    const c = site.config;
    const apt = pkgs.map((p) => ({
      name: p.name,
      version: p.version,
      arch: p.arch,
      entry: p.entry,
      section: p.section ?? "misc",
      files: p.files ? p.files.split("\n") : []
    }));
    const opts = {
      changelogs: changelogsTemplate(c.baseUrl),
      suite,
      origin: c.origin,
      label: c.label,
      description: c.description,
      extra: c.apt.suites[suite] ?? {},
      indexCompression: c.apt.indexCompression,
      contents: c.apt.contents
    };
    const base = `apt/dists/${suite}`;
    const { files, architectures } = await suiteIndexes(apt, opts, (rel) => site.readPublished(`${base}/${rel}`));
    let release = releaseText(files, architectures, opts, site.now, c.validDays);
    const old = await site.readPublished(`${base}/Release`);
    let changed = true;
    const half = c.validDays * 864e5 / 2;
    let renewAfter = c.validDays > 0 ? new Date(site.now.getTime() + half) : void 0;
    if (old) {
      const oldText = old.toString("utf8");
      const same = releaseIdentity(oldText) === releaseIdentity(release);
      const until = parseRfc2822(/^Valid-Until: (.*)$/m.exec(oldText)?.[1]);
      const fresh = c.validDays === 0 ? !/^Valid-Until:/m.test(oldText) : until !== null && until.getTime() - site.now.getTime() > c.validDays * 864e5 / 2;
      const oldInRelease = await site.readPublished(`${base}/InRelease`);
      const hasSigs = oldInRelease !== null && await site.readPublished(`${base}/Release.gpg`) !== null && await this.signer().signedByAll(oldInRelease.toString("utf8"));
      if (same && fresh && hasSigs) {
        release = oldText;
        changed = false;
        renewAfter = until && c.validDays > 0 ? new Date(until.getTime() - half) : void 0;
      }
    }
    const out = [];
    for (const f of files) {
      if (!f.served)
        continue;
      const dir = path2.posix.dirname(f.path);
      out.push({ path: `${base}/${dir}/by-hash/SHA256/${f.sha256}`, data: f.data, stage: 1 });
      out.push({ path: `${base}/${f.path}`, data: f.data, stage: 2 });
    }
    if (changed) {
      const signer = this.signer();
      const rel = Buffer.from(release, "utf8");
      out.push({ path: `${base}/Release`, data: rel, stage: 3 });
      out.push({ path: `${base}/Release.gpg`, data: Buffer.from(await signer.detach(rel, site.now), "utf8"), stage: 3 });
      out.push({ path: `${base}/InRelease`, data: Buffer.from(await signer.clearsign(release, site.now), "utf8"), stage: 4 });
    } else {
      for (const n of ["Release", "Release.gpg", "InRelease"]) {
        const data = await site.readPublished(`${base}/${n}`);
        if (data)
          out.push({ path: `${base}/${n}`, data, stage: n === "InRelease" ? 4 : 3 });
      }
    }
    const codename = opts.extra.Codename;
    const aliases = codename && codename !== suite && /^[A-Za-z0-9][A-Za-z0-9.+_-]*$/.test(codename) ? [`apt/dists/${codename}`] : [];
    return { files: out, changed, name: `apt ${suite}`, base, aliases, ...renewAfter ? { renewAfter } : {} };
  }
};

// dist/pipeline.js
import { readdirSync as readdirSync5, readFileSync as readFileSync4, renameSync as renameSync2, rmdirSync, rmSync as rmSync3, writeFileSync as writeFileSync4 } from "node:fs";
import { mkdir as mkdir4, readFile as readFile2, rm as rm4 } from "node:fs/promises";
import path10 from "node:path";

// dist/builds/scan.js
import { lstatSync, readdirSync, realpathSync, statSync } from "node:fs";
import path3 from "node:path";
import { createHash as createHash3 } from "node:crypto";
function encodeRecord(r, realJob) {
  const builds = r.builds.map(([uuid, o]) => {
    if (o === null)
      return [uuid, 0];
    if (o === "failed")
      return [uuid, "f"];
    if ("reason" in o)
      return [uuid, { r: o.reason }];
    const { dir: _d, job: _j, uuid: _u, buildtime: _b, platform, main, spec, start, ...rest } = o;
    const real = path3.join(realJob, uuid);
    return [uuid, { ...rest, t: start.getTime(), p: platform.platform, m: path3.relative(real, main), ...spec ? { s: path3.relative(real, spec) } : {} }];
  });
  return JSON.stringify({ v: 2, builds });
}
var platforms = /* @__PURE__ */ new Map();
function under(base, rel) {
  return rel === "" || rel.startsWith("..") || path3.isAbsolute(rel) || rel.includes("//") ? path3.join(base, rel) : `${base}${path3.sep}${rel}`;
}
function decodeRecord(text2, jobDir, job, realJob) {
  try {
    const r = JSON.parse(text2);
    if (r.v !== 2 || !Array.isArray(r.builds))
      return null;
    const builds = r.builds.map(([uuid, o]) => {
      const dir = UUID.test(uuid) ? `${jobDir}${path3.sep}${uuid}` : path3.join(jobDir, uuid);
      if (o === 0)
        return [uuid, null];
      if (o === "f")
        return [uuid, "failed"];
      if ("r" in o)
        return [uuid, { dir, reason: o.r }];
      const { t, p, m, s: spec, ...rest } = o;
      let platform = platforms.get(p);
      if (!platform)
        platforms.set(p, platform = parsePlatform(p));
      const real = UUID.test(uuid) ? `${realJob}${path3.sep}${uuid}` : path3.join(realJob, uuid);
      const start = new Date(t);
      const b = { ...rest, dir, job, uuid, platform, start, buildtime: buildtimeOf(start), main: under(real, m) };
      if (spec !== void 0)
        b.spec = under(real, spec);
      return [uuid, b];
    });
    return { v: 2, builds };
  } catch {
    return null;
  }
}
function statKey(st) {
  return `${st.ino}:${st.size}:${st.mtimeMs}`;
}
function kindOf(d) {
  if (d.isDirectory())
    return "d";
  if (d.isSymbolicLink())
    return "l";
  if (d.isFile())
    return "f";
  if (d.isFIFO() || d.isSocket() || d.isBlockDevice() || d.isCharacterDevice())
    return "o";
  return "?";
}
function listDir(dir, cache, remember = true) {
  const read = () => readdirSync(dir, { withFileTypes: true }).map((d) => ({ name: d.name, kind: kindOf(d) })).sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  if (!cache?.text || !cache.setText)
    return read();
  const key = statKey(statSync(dir));
  const id = `${dir}\0kinds`;
  const hit = cache.text(id, key);
  if (hit !== void 0)
    return hit === "" ? [] : hit.split("\n").map((l) => ({ kind: l[0], name: l.slice(1) }));
  const entries = read();
  if (remember)
    cache.setText(id, key, entries.map((e) => e.kind + e.name).join("\n"));
  return entries;
}
function isRealDir(parent, e) {
  if (e.kind === "?") {
    const st = lstatSync(path3.join(parent, e.name));
    return st.isDirectory() ? true : st.isSymbolicLink() ? "symlink" : false;
  }
  return e.kind === "d" ? true : e.kind === "l" ? "symlink" : false;
}
var Reject = class extends Error {
};
var JOB = /^[a-z0-9][a-z0-9+.-]+$/;
var UUID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
var RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
var BUILD_JSON_LIMIT = LIMITS.buildJson;
function inside(root, p) {
  const rel = path3.relative(root, p);
  return rel === "" || !rel.startsWith("..") && !path3.isAbsolute(rel);
}
function buildtimeOf(d) {
  const s = d.toISOString();
  return s.length === 24 ? s.slice(0, 4) + s.slice(5, 7) + s.slice(8, 10) + s.slice(11, 13) + s.slice(14, 16) + s.slice(17, 19) : s.replace(/[-:T]/g, "").slice(0, 14);
}
var SMALL_FILE = 4 << 20;
async function hashWithCache(file2, cache, known) {
  const st = known ?? statSync(file2);
  const hit = cache?.get(file2, st.size, st.mtimeMs, st.ino);
  if (hit)
    return hit;
  const o = { cap: LIMITS.file, limit: "file", what: "artifact", subject: file2 };
  const h = st.size <= SMALL_FILE ? hashRegularFileSync(file2, o).sha256 : (await hashRegularFile(file2, o)).sha256;
  cache?.set(file2, st.size, st.mtimeMs, st.ino, h);
  return h;
}
function safePath(dir, realDir, rel, what) {
  if (typeof rel !== "string" || rel === "")
    throw new Reject(`${what} must be a non-empty string`);
  if (rel.startsWith("/") || path3.isAbsolute(rel))
    throw new Reject(`${what} "${rel}" is an absolute path`);
  if (rel.split(/[\\/]/).includes(".."))
    throw new Reject(`${what} "${rel}" contains ".."`);
  if (/[\x00-\x1f\x7f]/.test(rel))
    throw new Reject(`${what} "${rel}" contains a control character`);
  const abs = path3.join(dir, rel);
  if (!/[\\/]/.test(rel)) {
    const st = lstatSync(abs, { throwIfNoEntry: false });
    if (!st)
      throw new Reject(`${what} "${rel}" does not exist`);
    if (!st.isSymbolicLink())
      return { real: path3.join(realDir, rel), st };
  }
  let real;
  try {
    real = realpathSync.native(abs);
  } catch {
    throw new Reject(`${what} "${rel}" does not exist`);
  }
  if (!inside(realDir, real))
    throw new Reject(`${what} "${rel}" leaves the build folder through a symlink`);
  return { real };
}
function str2(o, k) {
  const v = o[k];
  if (typeof v !== "string" || v === "")
    throw new Reject(`"${k}" must be a non-empty string`);
  if (/[\r\n\x00]/.test(v))
    throw new Reject(`"${k}" contains a line break`);
  return v;
}
async function readBuild(dir, realDir, jobFolder, uuidFolder, cache) {
  const file2 = path3.join(dir, "build.json");
  const st = lstatSync(file2, { throwIfNoEntry: false });
  if (!st || !st.isFile())
    throw new Reject("build.json is missing or not a regular file");
  if (st.size > BUILD_JSON_LIMIT)
    throw new Reject("build.json is larger than 1 MiB");
  let raw;
  try {
    const key = statKey(st);
    let text2 = cache?.text?.(file2, key);
    if (text2 === void 0) {
      text2 = readRegularFileSync(file2, { cap: BUILD_JSON_LIMIT, limit: "buildJson", what: "build.json" }).toString("utf8");
      cache?.setText?.(file2, key, text2);
    }
    raw = JSON.parse(text2);
  } catch (e) {
    if (e instanceof RepogenError)
      throw new Reject(e.message);
    throw new Reject(`build.json is not valid JSON: ${e.message}`);
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw))
    throw new Reject("build.json must hold an object");
  const o = raw;
  const result = str2(o, "result");
  if (result !== "success" && result !== "failure")
    throw new Reject(`"result" must be "success" or "failure", not "${result}"`);
  if (result === "failure")
    return "failed";
  const job = str2(o, "job");
  if (!JOB.test(job))
    throw new Reject(`"job" "${job}" is not a valid package name`);
  if (job !== jobFolder)
    throw new Reject(`"job" "${job}" is not the folder's name "${jobFolder}"`);
  const uuid = str2(o, "uuid");
  if (!UUID.test(uuid))
    throw new Reject(`"uuid" "${uuid}" has characters a folder name cannot have`);
  if (uuid !== uuidFolder)
    throw new Reject(`"uuid" "${uuid}" is not the folder's name "${uuidFolder}"`);
  let platform;
  try {
    platform = parsePlatform(str2(o, "platform"));
  } catch (e) {
    throw new Reject(errorLine(e));
  }
  const arch = str2(o, "arch");
  if (!/^[a-z0-9][a-z0-9_-]*$/.test(arch))
    throw new Reject(`"arch" "${arch}" is not an architecture name`);
  const startS = str2(o, "start");
  if (!RFC3339.test(startS) || Number.isNaN(Date.parse(startS)))
    throw new Reject(`"start" "${startS}" is not an RFC 3339 time`);
  const finishS = str2(o, "finish");
  if (!RFC3339.test(finishS) || Number.isNaN(Date.parse(finishS)))
    throw new Reject(`"finish" "${finishS}" is not an RFC 3339 time`);
  const start = new Date(startS);
  if (!Array.isArray(o.artifacts))
    throw new Reject(`"artifacts" must be a list`);
  const artifacts = /* @__PURE__ */ new Map();
  const resolved = /* @__PURE__ */ new Map();
  for (const [i, a] of o.artifacts.entries()) {
    if (typeof a !== "object" || a === null)
      throw new Reject(`artifacts[${i}] must be an object`);
    const ar = a;
    const { real, st: known } = safePath(dir, realDir, ar.path, `artifacts[${i}].path`);
    const sha2 = ar.sha256;
    if (typeof sha2 !== "string" || !/^[0-9a-f]{64}$/.test(sha2))
      throw new Reject(`artifacts[${i}].sha256 must be 64 lowercase hex digits`);
    const ast = known ?? statSync(real);
    if (!ast.isFile())
      throw new Reject(`artifact "${ar.path}" is not a regular file`);
    const got = await hashWithCache(real, cache, ast);
    if (got !== sha2)
      throw new Reject(`artifact "${ar.path}" has SHA-256 ${got}, build.json says ${sha2}`);
    artifacts.set(path3.normalize(ar.path), sha2);
    resolved.set(path3.normalize(ar.path), real);
  }
  const mainRel = str2(o, "main_binary");
  const main = resolved.get(path3.normalize(mainRel)) ?? safePath(dir, realDir, mainRel, "main_binary").real;
  const base = { dir, job, uuid, platform, arch, start, buildtime: buildtimeOf(start), main };
  if (o.versioning !== void 0) {
    if (o.versioning !== "build" && o.versioning !== "as-is")
      throw new Reject(`"versioning" must be "build" or "as-is"`);
    base.versioning = o.versioning;
  }
  if (o.package !== void 0) {
    const spec = safePath(dir, realDir, o.package, "package").real;
    if (!statSync(main).isDirectory())
      throw new Reject(`main_binary "${mainRel}" must be the staged tree's folder when "package" is given`);
    return { ...base, kind: "tree", spec };
  }
  const sha = artifacts.get(path3.normalize(mainRel));
  if (!sha)
    throw new Reject(`main_binary "${mainRel}" is not listed in artifacts`);
  const kind = mainRel.endsWith(".deb") ? "deb" : mainRel.endsWith(".pkg") ? "pkg" : null;
  if (!kind)
    throw new Reject(`main_binary "${mainRel}" is neither a .deb nor a .pkg`);
  if (kind === "deb" && platform.family !== "debian")
    throw new Reject(`a .deb cannot be published for platform ${platform.platform}`);
  if (kind === "pkg" && platform.family !== "freebsd")
    throw new Reject(`a .pkg cannot be published for platform ${platform.platform}`);
  return { ...base, kind, mainSha256: sha };
}
function buildsStamp(buildsDir, cache) {
  try {
    const stamp = new Stamp(buildsDir, statSync(buildsDir));
    for (const j of listDir(buildsDir, cache, false)) {
      if (j.name.startsWith(".") || isRealDir(buildsDir, j) !== true)
        continue;
      const st = lstatSync(path3.join(buildsDir, j.name), { throwIfNoEntry: false });
      if (!st)
        return null;
      stamp.job(j.name, statKey(st));
    }
    return stamp.digest();
  } catch {
    return null;
  }
}
var Stamp = class {
  h = createHash3("sha256");
  constructor(buildsDir, st) {
    this.h.update(`${path3.resolve(buildsDir)}\0${statKey(st)}\0`);
  }
  job(name, key) {
    this.h.update(`${name}\0${key}
`);
  }
  digest() {
    return this.h.digest("hex");
  }
};
async function scanBuilds(buildsDir, cache) {
  const res = { builds: [], rejections: [], failed: [] };
  let jobs;
  let listingChanged = true;
  let stamp = null;
  try {
    const rootSt = statSync(buildsDir);
    stamp = new Stamp(buildsDir, rootSt);
    const key = cache?.text ? statKey(rootSt) : "";
    listingChanged = !cache?.text || cache.text(`${buildsDir}\0kinds`, key) === void 0;
    jobs = listDir(buildsDir, cache);
  } catch (e) {
    throw new UsageError(`the builds folder cannot be read (${e.code ?? e.message})`, buildsDir);
  }
  const realBuilds = realpathSync.native(buildsDir);
  const records = cache?.jobRecord && cache.setJobRecord ? cache : void 0;
  const absBuilds = path3.resolve(buildsDir);
  records?.prefetchJobs?.(absBuilds);
  const seenJobs = /* @__PURE__ */ new Set();
  const perJob = [];
  const dirs2 = [];
  for (const j of jobs) {
    if (j.name.startsWith(".") || isRealDir(buildsDir, j) !== true)
      continue;
    const jobDir = path3.join(buildsDir, j.name);
    const id = path3.join(absBuilds, j.name);
    seenJobs.add(id);
    let key = "";
    if (records) {
      key = statKey(lstatSync(jobDir));
      stamp.job(j.name, key);
      const hit = records.jobRecord(id, key);
      const decode = (t) => decodeRecord(t, jobDir, j.name, path3.join(realBuilds, j.name));
      const rec = hit === void 0 ? null : records.decodedRecord ? records.decodedRecord(hit, () => decode(hit)) : decode(hit);
      if (rec) {
        const slots2 = [];
        for (const [uuid, o] of rec.builds) {
          if (o && typeof o === "object" && "reason" in o) {
            let real = false;
            try {
              real = isRealDir(jobDir, { name: uuid, kind: "?" });
            } catch {
              continue;
            }
            dirs2.push({ dir: path3.join(jobDir, uuid), job: j.name, uuid, real });
            slots2.push([uuid, dirs2.length - 1]);
          } else
            slots2.push([uuid, o]);
        }
        perJob.push({ id, key, jobDir, job: j.name, fresh: false, slots: slots2 });
        continue;
      }
    }
    const slots = [];
    for (const u of listDir(jobDir)) {
      if (u.name.startsWith("."))
        continue;
      dirs2.push({ dir: path3.join(jobDir, u.name), job: j.name, uuid: u.name, real: isRealDir(jobDir, u) });
      slots.push([u.name, dirs2.length - 1]);
    }
    perJob.push({ id, key, jobDir, job: j.name, fresh: true, slots });
  }
  const results = await mapLimit(dirs2, PARALLEL, async ({ dir, job, uuid, real }) => {
    if (real === "symlink")
      return { dir, reason: "the build folder is a symlink" };
    if (!real)
      return null;
    try {
      return await readBuild(dir, path3.join(realBuilds, job, uuid), job, uuid, cache);
    } catch (e) {
      return { dir, reason: e instanceof Reject ? e.message : errorLine(e) };
    }
  });
  for (const pj of perJob) {
    const outcomes = pj.slots.map(([uuid, s]) => [uuid, typeof s === "number" ? results[s] : s]);
    if (records && pj.fresh) {
      const prev = records.previousJobRecord?.(pj.id);
      const old = prev === void 0 ? null : decodeRecord(prev, pj.jobDir, pj.job, path3.join(realBuilds, pj.job));
      if (old) {
        const now = new Set(outcomes.map(([u]) => u));
        for (const [u] of old.builds)
          if (!now.has(u))
            records.forgetBuild?.(path3.join(pj.id, u));
      }
      records.setJobRecord(pj.id, pj.key, encodeRecord({ v: 2, builds: outcomes }, path3.join(realBuilds, pj.job)));
    } else if (records && outcomes.some(([, o], i) => typeof pj.slots[i][1] === "number" && o !== null && !(typeof o === "object" && "reason" in o))) {
      records.setJobRecord(pj.id, pj.key, encodeRecord({ v: 2, builds: outcomes }, path3.join(realBuilds, pj.job)));
    }
    for (const [uuid, r] of outcomes) {
      if (r === null)
        continue;
      if (r === "failed")
        res.failed.push(path3.join(pj.jobDir, uuid));
      else if ("reason" in r)
        res.rejections.push(r);
      else
        res.builds.push(r);
    }
  }
  if (records && listingChanged && records.recordedJobs && records.forgetJob) {
    for (const d of records.recordedJobs(absBuilds))
      if (!seenJobs.has(d))
        records.forgetJob(d);
  }
  if (records)
    res.stamp = stamp.digest();
  res.read = dirs2.length;
  return res;
}

// dist/publish/last-run.js
import { createHash as createHash4 } from "node:crypto";
import { lstatSync as lstatSync2, readdirSync as readdirSync2 } from "node:fs";
import path4 from "node:path";
var FORMAT = 1;
function runSalt(config2, keysDir, version) {
  const h = createHash4("sha256");
  h.update(JSON.stringify([FORMAT, version, config2]));
  let names2 = [];
  try {
    names2 = readdirSync2(keysDir).sort();
  } catch {
  }
  for (const n of names2) {
    const st = lstatSync2(path4.join(keysDir, n), { throwIfNoEntry: false });
    h.update(`\0${n}\0${st ? `${st.ino}:${st.size}:${st.mtimeMs}:${st.mode}` : "-"}`);
  }
  return h.digest("hex");
}
function encodeLastRun(r) {
  return JSON.stringify({ v: FORMAT, ...r });
}
function decodeLastRun(text2) {
  if (!text2)
    return null;
  try {
    const r = JSON.parse(text2);
    return r.v === FORMAT && typeof r.stamp === "string" && Array.isArray(r.pool) && Array.isArray(r.repos) && Array.isArray(r.aliases) ? r : null;
  } catch {
    return null;
  }
}
async function stillTheSame(r, q) {
  if (r.salt !== q.salt || q.stamp === null || r.stamp !== q.stamp || q.clean === null || r.live !== q.clean || !q.continuous)
    return false;
  const t = q.now.getTime();
  if (r.renewAfter !== null && t >= r.renewAfter || r.dueAt !== null && t >= r.dueAt)
    return false;
  for (const name of r.repos)
    if (!await q.repoIntact(name))
      return false;
  const key = (a) => `${a.link}\0${a.target}`;
  const now = (await q.aliases()).map(key).sort();
  if (now.join("\n") !== r.aliases.map(key).sort().join("\n"))
    return false;
  for (const [p, size] of r.pool) {
    const got = await q.size(p);
    if (got === null || size >= 0 && got !== size)
      return false;
  }
  return await q.size("index.html") !== null;
}

// dist/builds/identity.js
function buildKey(build) {
  return `${build.job}/${build.uuid}`;
}
function buildKeyOfDir(dir) {
  const parts = dir.split(/[\\/]+/).filter(Boolean);
  return parts.slice(-2).join("/");
}

// dist/util/failpoint.js
import { spawnSync } from "node:child_process";
var InjectedFailure = class extends Error {
};
function failAfter(step) {
  if (process.env.REPOGEN_FAIL_AFTER === step)
    throw new InjectedFailure(`${step}: injected failure (REPOGEN_FAIL_AFTER=${step})`);
}
function hookAfterScan() {
  const cmd = process.env.REPOGEN_TEST_HOOK_AFTER_SCAN;
  if (cmd)
    spawnSync("sh", ["-c", cmd], { stdio: "inherit", timeout: 6e4 });
}

// dist/publish/index-memo.js
import { createHash as createHash5 } from "node:crypto";
var FORMAT2 = 1;
function repoFingerprint(family, key, salt, pkgs) {
  const h = createHash5("sha256");
  h.update(JSON.stringify([FORMAT2, family, key, salt]));
  const sorted = [...pkgs].sort((a, b) => a.pool < b.pool ? -1 : a.pool > b.pool ? 1 : 0);
  for (const p of sorted) {
    h.update(`\0${p.pool}\0${p.sha256}\0${p.size}\0${p.name}\0${p.version}\0${p.upstream}\0${p.arch}\0${p.section ?? ""}\0${p.changelog ?? ""}\0`);
    h.update(p.entry);
    h.update("\0");
    h.update(p.files);
  }
  return h.digest("hex");
}
function encodeRecord2(r) {
  return JSON.stringify({ v: FORMAT2, ...r });
}
function decodeRecord2(text2) {
  if (!text2)
    return null;
  try {
    const r = JSON.parse(text2);
    return r.v === FORMAT2 && typeof r.fp === "string" && Array.isArray(r.files) && r.files.length > 0 ? r : null;
  } catch {
    return null;
  }
}
async function stillPublished(r, fp, now, version) {
  if (r.fp !== fp)
    return false;
  if (r.renewAfter !== null && now.getTime() >= r.renewAfter)
    return false;
  const tokens = await Promise.all(r.files.map(([p]) => version(p)));
  return tokens.every((t, i) => t !== null && t === r.files[i][1]);
}

// dist/publish/pending.js
import { randomBytes } from "node:crypto";
import { readdirSync as readdirSync3, readFileSync } from "node:fs";
import { mkdir as mkdir2, rename, rm as rm2, stat, writeFile } from "node:fs/promises";
import path5 from "node:path";
var RESULT_TTL_MS = 24 * 36e5;
function dirs(stateDir) {
  return { pending: path5.join(stateDir, "pending"), results: path5.join(stateDir, "results") };
}
function markerName(job, uuid) {
  return `${job}@${uuid}`;
}
async function writeAtomic(file2, text2) {
  const tmp = path5.join(path5.dirname(file2), `.${path5.basename(file2)}.tmp-${process.pid}-${randomBytes(3).toString("hex")}`);
  await writeFile(tmp, text2);
  await rename(tmp, file2);
}
async function addPending(stateDir, job, uuid) {
  const d = dirs(stateDir);
  await mkdir2(d.pending, { recursive: true });
  await mkdir2(d.results, { recursive: true });
  const name = markerName(job, uuid);
  await rm2(path5.join(d.results, `${name}.json`), { force: true });
  await writeAtomic(path5.join(d.pending, name), JSON.stringify({ job, uuid, at: (/* @__PURE__ */ new Date()).toISOString() }) + "\n");
  return name;
}
function listPending(stateDir) {
  const out = /* @__PURE__ */ new Map();
  let names2;
  try {
    names2 = readdirSync3(dirs(stateDir).pending);
  } catch {
    return out;
  }
  for (const n of names2) {
    if (n.startsWith("."))
      continue;
    const at = n.indexOf("@");
    if (at > 0)
      out.set(n, `${n.slice(0, at)}/${n.slice(at + 1)}`);
  }
  return out;
}
async function settlePending(stateDir, claimed, outcomes) {
  const d = dirs(stateDir);
  const now = listPending(stateDir);
  let left = 0;
  for (const [name, id] of now) {
    const outcome = outcomes.get(id) ?? (claimed.has(name) ? { status: "not-found", reason: "the run did not find the build in the builds folder" } : void 0);
    if (!outcome) {
      left++;
      continue;
    }
    await mkdir2(d.results, { recursive: true });
    await writeAtomic(path5.join(d.results, `${name}.json`), JSON.stringify({ build: id, at: (/* @__PURE__ */ new Date()).toISOString(), ...outcome }) + "\n");
    await rm2(path5.join(d.pending, name), { force: true });
  }
  await dropStaleResults(d.results);
  return left;
}
async function dropStaleResults(dir) {
  let names2;
  try {
    names2 = readdirSync3(dir);
  } catch {
    return;
  }
  const limit = Date.now() - RESULT_TTL_MS;
  for (const n of names2) {
    const f = path5.join(dir, n);
    const st = await stat(f).catch(() => null);
    if (st && st.mtimeMs < limit)
      await rm2(f, { force: true });
  }
}
async function takeResult(stateDir, name) {
  const f = path5.join(dirs(stateDir).results, `${name}.json`);
  let text2;
  try {
    text2 = readFileSync(f, "utf8");
  } catch {
    return null;
  }
  await rm2(f, { force: true });
  return JSON.parse(text2);
}
async function announceArrival(stateDir) {
  const d = dirs(stateDir).pending;
  await mkdir2(d, { recursive: true });
  const f = path5.join(d, `.arriving-${process.pid}`);
  await writeFile(f, "");
  return () => rm2(f, { force: true });
}
function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return e.code === "EPERM";
  }
}
async function awaitArrivals(stateDir, maxMs) {
  const d = dirs(stateDir).pending;
  const until = Date.now() + maxMs;
  while (Date.now() < until) {
    let names2;
    try {
      names2 = readdirSync3(d);
    } catch {
      return;
    }
    const arriving = names2.map((n) => /^\.arriving-(\d+)$/.exec(n)).filter((m) => m && Number(m[1]) !== process.pid && alive(Number(m[1])));
    if (!arriving.length)
      return;
    await new Promise((r) => setTimeout(r, 25));
  }
}

// dist/state/state.js
import { existsSync as existsSync3, rmSync as rmSync2 } from "node:fs";
import { readFile, mkdir as mkdir3 } from "node:fs/promises";
import path6 from "node:path";

// dist/state/db.js
import { rmSync } from "node:fs";
import { createRequire } from "node:module";
var SCHEMA_VERSION = 3;
var DB_FILE = "state.sqlite";
var SCHEMA = `
create table if not exists meta (k text primary key, v text not null) without rowid;
create table if not exists hashes (path text primary key, size integer not null, mtime real not null, ino integer not null, sha256 text not null) without rowid;
create table if not exists jobs (dir text primary key, key text not null, record text not null) without rowid;
create table if not exists packages (id text primary key, key text not null, meta text not null, entry text not null, files text not null) without rowid;
`;
var ctor;
function sqlite() {
  ctor ??= createRequire(import.meta.url)("better-sqlite3");
  return ctor;
}
function removeDb(file2) {
  for (const f of [file2, `${file2}-journal`, `${file2}-wal`, `${file2}-shm`])
    rmSync(f, { force: true });
}
function tryOpen(file2) {
  const db = new (sqlite())(file2);
  try {
    db.pragma("journal_mode = DELETE");
    db.pragma("synchronous = OFF");
    const v = db.pragma("user_version", { simple: true });
    if (v !== 0 && v !== SCHEMA_VERSION)
      throw new Error(`state schema ${v}`);
    db.exec(SCHEMA);
    for (const t of ["meta", "hashes", "jobs", "packages"])
      db.prepare(`select count(*) from (select 1 from ${t} limit 1)`).get();
    if (v === 0)
      db.pragma(`user_version = ${SCHEMA_VERSION}`);
    return db;
  } catch (e) {
    db.close();
    throw e;
  }
}
function openDb(file2) {
  try {
    return { db: tryOpen(file2), rebuilt: false };
  } catch {
    removeDb(file2);
    return { db: tryOpen(file2), rebuilt: true };
  }
}
function isDamage(e) {
  const code = e.code;
  return typeof code === "string" && /^SQLITE_(CORRUPT|NOTADB|IOERR|FORMAT|CANTOPEN)/.test(code);
}

// dist/state/state.js
var RETENTION = "retention.json";
var LEGACY = "state.json";
var State = class {
  dir;
  db = null;
  st = null;
  /** Written in one transaction by saveCaches. */
  pendingHashes = /* @__PURE__ */ new Map();
  pendingJobs = /* @__PURE__ */ new Map();
  pendingPackages = /* @__PURE__ */ new Map();
  pendingMeta = /* @__PURE__ */ new Map();
  /** Build folders and job folders that are gone: their rows are deleted by saveCaches. */
  gone = /* @__PURE__ */ new Set();
  goneJobs = /* @__PURE__ */ new Set();
  droppedData = {};
  loadedDropped = "{}";
  /** Whether the database was made anew by this run (missing, damaged or of an older version). */
  rebuilt = false;
  /**
   * A resident process's memory of decoded rows (package results, job records by their text): a run
   * over thousands of unchanged builds then decodes none of them again. Off for one-shot runs, which
   * read each row once.
   */
  memo;
  constructor(dir, opts = {}) {
    this.dir = dir;
    this.memo = opts.resident ? { packages: /* @__PURE__ */ new Map(), records: /* @__PURE__ */ new Map() } : null;
  }
  /** A decoded job record remembered by its text (resident processes only; see memo). */
  decodedRecord(text2, decode) {
    if (!this.memo)
      return decode();
    if (this.memo.records.has(text2))
      return this.memo.records.get(text2);
    const v = decode();
    if (this.memo.records.size > 2e5)
      this.memo.records.clear();
    this.memo.records.set(text2, v);
    return v;
  }
  get file() {
    return path6.join(this.dir, DB_FILE);
  }
  async load() {
    let legacyDropped;
    if (existsSync3(path6.join(this.dir, LEGACY))) {
      try {
        const d = JSON.parse(await readFile(path6.join(this.dir, LEGACY), "utf8"));
        if (d.dropped && typeof d.dropped === "object")
          legacyDropped = d.dropped;
      } catch {
      }
    }
    try {
      const r = JSON.parse(await readFile(path6.join(this.dir, RETENTION), "utf8"));
      if (r.dropped && typeof r.dropped === "object")
        this.droppedData = r.dropped;
    } catch {
      if (legacyDropped)
        this.droppedData = legacyDropped;
    }
    this.loadedDropped = JSON.stringify(this.droppedData);
  }
  /** The database, opened on first use (the state folder is created then). */
  open(create = false) {
    if (this.st)
      return this.st;
    if (!create && !existsSync3(this.file))
      return null;
    const { db, rebuilt } = openDb(this.file);
    this.rebuilt ||= rebuilt;
    this.attach(db);
    return this.st;
  }
  attach(db) {
    this.db = db;
    this.st = {
      hash: db.prepare("select size, mtime, ino, sha256 from hashes where path = ?"),
      job: db.prepare("select key, record from jobs where dir = ?"),
      pkg: db.prepare("select key, meta, entry, files from packages where id = ?"),
      meta: db.prepare("select v from meta where k = ?")
    };
  }
  /**
   * A read that failed because the file is damaged: the database is made anew (empty) and the read
   * counts as a miss. What this run has learnt is still written by saveCaches.
   */
  damaged() {
    this.jobRows = null;
    this.db?.close();
    this.db = null;
    this.st = null;
    removeDb(this.file);
    this.rebuilt = true;
    this.attach(openDb(this.file).db);
  }
  read(f) {
    try {
      const st = this.open();
      return st ? f(st) : void 0;
    } catch (e) {
      if (!isDamage(e))
        throw e;
      this.damaged();
      return void 0;
    }
  }
  // ---------------------------------------------------------------- file digests (HashCache)
  get(file2, size, mtimeMs, ino) {
    const p = this.pendingHashes.get(file2);
    if (p)
      return p[0] === size && p[1] === mtimeMs && p[2] === ino ? p[3] : void 0;
    const r = this.read((st) => st.hash.get(file2));
    return r && r.size === size && r.mtime === mtimeMs && r.ino === ino ? r.sha256 : void 0;
  }
  set(file2, size, mtimeMs, ino, sha2562) {
    this.pendingHashes.set(file2, [size, mtimeMs, ino, sha2562]);
  }
  /** Small texts by name and stat key (the builds folder's listing). */
  text(name, key) {
    const v = this.pendingMeta.get(`text:${name}`) ?? this.read((st) => st.meta.get(`text:${name}`)?.v);
    if (v === void 0)
      return void 0;
    const [k, t] = JSON.parse(v);
    return k === key ? t : void 0;
  }
  setText(name, key, text2) {
    this.pendingMeta.set(`text:${name}`, JSON.stringify([key, text2]));
  }
  // ---------------------------------------------------------------- job folders
  /** Rows of the jobs table read in one pass (prefetchJobs), by folder. */
  jobRows = null;
  /** The builds folder jobRows was read for. */
  jobRowsOf = "";
  /**
   * Reads every job record under a builds folder in one pass: a scan asks for each of them, and one
   * range read costs less than thousands of lookups.
   */
  prefetchJobs(buildsDir) {
    if (this.memo && this.jobRows && this.jobRowsOf === buildsDir)
      return;
    this.jobRowsOf = buildsDir;
    const lo = buildsDir + path6.sep;
    const hi = buildsDir + String.fromCharCode(path6.sep.charCodeAt(0) + 1);
    const rows = this.read(() => this.db.prepare("select dir, key, record from jobs where dir >= ? and dir < ?").all(lo, hi));
    this.jobRows = new Map((rows ?? []).map((r) => [r.dir, r]));
  }
  /** What the scan found in a job folder when its stat key was `key` (an opaque text of the scan's). */
  jobRecord(dir, key) {
    const p = this.pendingJobs.get(dir);
    if (p)
      return p[0] === key ? p[1] : void 0;
    const r = this.jobRows?.get(dir) ?? this.read((st) => st.job.get(dir));
    return r && r.key === key ? r.record : void 0;
  }
  /** The record of a job folder last written, whatever its key (to learn which builds left it). */
  previousJobRecord(dir) {
    return this.pendingJobs.get(dir)?.[1] ?? (this.jobRows?.get(dir) ?? this.read((st) => st.job.get(dir)))?.record;
  }
  setJobRecord(dir, key, record) {
    this.pendingJobs.set(dir, [key, record]);
  }
  /** The job folders recorded under a builds folder (to learn which are gone). */
  recordedJobs(buildsDir) {
    const lo = buildsDir + path6.sep;
    const hi = buildsDir + String.fromCharCode(path6.sep.charCodeAt(0) + 1);
    const all = this.read(() => this.db.prepare("select dir from jobs where dir >= ? and dir < ?").pluck().all(lo, hi)) ?? [];
    return all.filter((d) => !d.slice(lo.length).includes(path6.sep));
  }
  /** A job folder that is gone: its record, digests and packages go. */
  forgetJob(dir) {
    this.goneJobs.add(dir);
    if (this.memo) {
      for (const id of this.memo.packages.keys())
        if (id.startsWith(dir + path6.sep))
          this.memo.packages.delete(id);
    }
  }
  /** A build folder that is gone: its digests and package result go. */
  forgetBuild(dir) {
    this.gone.add(dir);
    this.memo?.packages.delete(dir);
  }
  // ---------------------------------------------------------------- package results
  /**
   * The package result of a build (`id`, its folder) when it was made under cache key `key`. Valid
   * whether or not its pool file is still there: the pipeline checks that for what it publishes.
   */
  getPackage(id, key) {
    const p = this.pendingPackages.get(id) ?? this.memo?.packages.get(id);
    if (p)
      return p[0] === key ? p[1] : void 0;
    const r = this.read((st) => st.pkg.get(id));
    if (!r || r.key !== key)
      return void 0;
    const pkg = { ...JSON.parse(r.meta), entry: r.entry, files: r.files };
    this.memo?.packages.set(id, [key, pkg]);
    return pkg;
  }
  setPackage(id, key, p) {
    this.pendingPackages.set(id, [key, p]);
    this.memo?.packages.set(id, [key, p]);
  }
  // ---------------------------------------------------------------- retention clock
  get dropped() {
    return this.droppedData;
  }
  /** Writes the retention clock (which files were first found unreferenced when), after retention has run. */
  async saveRetention() {
    const dropped = JSON.stringify(this.droppedData);
    if (dropped === this.loadedDropped && existsSync3(path6.join(this.dir, RETENTION)))
      return;
    await mkdir3(this.dir, { recursive: true });
    await writeFileAtomic(path6.join(this.dir, RETENTION), async (ws) => {
      ws.write(`{"dropped":${dropped}}
`);
    });
  }
  /** Whether saveCaches has anything to write. */
  get dirty() {
    return this.pendingHashes.size + this.pendingJobs.size + this.pendingPackages.size + this.pendingMeta.size + this.gone.size + this.goneJobs.size > 0;
  }
  /**
   * Writes what this run learnt, in one transaction: a run killed meanwhile leaves the database as
   * it was before (SQLite rolls the transaction back on the next open).
   */
  async saveCaches() {
    const legacy = path6.join(this.dir, LEGACY);
    if (!this.dirty) {
      if (existsSync3(legacy) && this.db)
        rmSync2(legacy, { force: true });
      return;
    }
    await mkdir3(this.dir, { recursive: true });
    try {
      this.write();
    } catch (e) {
      if (!isDamage(e))
        throw e;
      this.damaged();
      this.write();
    }
    rmSync2(legacy, { force: true });
  }
  write() {
    this.open(true);
    const db = this.db;
    const range = (col, table2) => db.prepare(`delete from ${table2} where ${col} >= ? and ${col} < ?`);
    const delHashes = range("path", "hashes");
    const delPackages = range("id", "packages");
    const delPackage = db.prepare("delete from packages where id = ?");
    const delJob = db.prepare("delete from jobs where dir = ?");
    const putHash = db.prepare("insert or replace into hashes (path, size, mtime, ino, sha256) values (?, ?, ?, ?, ?)");
    const putJob = db.prepare("insert or replace into jobs (dir, key, record) values (?, ?, ?)");
    const putPkg = db.prepare("insert or replace into packages (id, key, meta, entry, files) values (?, ?, ?, ?, ?)");
    const putMeta = db.prepare("insert or replace into meta (k, v) values (?, ?)");
    const under2 = (dir) => [dir + path6.sep, dir + String.fromCharCode(path6.sep.charCodeAt(0) + 1)];
    db.transaction(() => {
      for (const d of this.goneJobs) {
        delJob.run(d);
        delHashes.run(...under2(d));
        delPackages.run(...under2(d));
      }
      for (const d of this.gone) {
        delHashes.run(...under2(d));
        delPackage.run(d);
      }
      for (const [f, h] of this.pendingHashes)
        putHash.run(f, h[0], h[1], h[2], h[3]);
      for (const [d, [k, r]] of this.pendingJobs)
        putJob.run(d, k, r);
      for (const [id, [k, p]] of this.pendingPackages) {
        const { entry, files, ...meta } = p;
        putPkg.run(id, k, JSON.stringify(meta), entry, files);
      }
      for (const [k, v] of this.pendingMeta)
        putMeta.run(k, v);
    })();
    const written = [...this.pendingJobs];
    this.pendingHashes.clear();
    this.pendingJobs.clear();
    this.pendingPackages.clear();
    this.pendingMeta.clear();
    if (this.memo && this.jobRows) {
      for (const [d, [k, r]] of written)
        this.jobRows.set(d, { key: k, record: r });
      for (const d of this.goneJobs)
        this.jobRows.delete(d);
    } else
      this.jobRows = null;
    this.gone.clear();
    this.goneJobs.clear();
  }
  /** Closes the database (the state can be used again; it reopens on the next read). */
  close() {
    this.db?.close();
    this.db = null;
    this.st = null;
  }
};

// dist/publish/storage/folder.js
import { createHash as createHash6 } from "node:crypto";
import { closeSync as closeSync2, constants as constants2, fstatSync, linkSync, lstatSync as lstatSync3, mkdirSync, openSync, readdirSync as readdirSync4, readFileSync as readFileSync2, readlinkSync, renameSync, symlinkSync, utimesSync, writeFileSync as writeFileSync3 } from "node:fs";
import { copyFile as copyFile2, open as open2, rename as rename2, rm as rm3, writeFile as writeFile2 } from "node:fs/promises";
import path7 from "node:path";
var SMALL_PUT = 1 << 20;
function tmpName(file2) {
  return path7.join(path7.dirname(file2), `.${path7.basename(file2)}.tmp-${process.pid}-${Math.random().toString(36).slice(2, 8)}`);
}
function lstatOrNull(p) {
  return lstatSync3(p, { throwIfNoEntry: false }) ?? null;
}
function refuseLink(abs) {
  throw new UnsafePathError("is a symbolic link inside the output tree; repogen never writes through one", abs);
}
function walkFiles(root, rel) {
  const out = [];
  if (!lstatOrNull(path7.join(root, rel))?.isDirectory())
    return out;
  const walk = (r) => {
    let ents;
    try {
      ents = readdirSync4(path7.join(root, r), { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of ents) {
      const sub = `${r}/${e.name}`;
      if (e.isDirectory())
        walk(sub);
      else if (e.isFile())
        out.push(sub);
    }
  };
  walk(rel);
  return out;
}
var FolderStorage = class {
  root;
  dryRun;
  changes = { added: [], updated: [], removed: [], unchanged: 0 };
  /** One at a time: links into one folder go faster in a row (see placePool). */
  poolConcurrency = 1;
  continuous = true;
  beforeFirstWrite;
  /** Folders (relative) already checked to be real folders of the tree. */
  safeDirs = /* @__PURE__ */ new Set([""]);
  rootMade = false;
  constructor(root, dryRun) {
    this.root = root;
    this.dryRun = dryRun;
  }
  get describe() {
    return this.root;
  }
  async open() {
  }
  writing() {
    const f = this.beforeFirstWrite;
    this.beforeFirstWrite = void 0;
    f?.();
  }
  async checkpoint() {
  }
  async commit() {
  }
  async close() {
  }
  requests() {
    return void 0;
  }
  abs(rel) {
    return path7.join(this.root, cleanRel(rel));
  }
  /**
   * Makes sure every folder from the root down to relDir is a real folder, making the missing ones
   * when `create`. Returns false when one is missing and not made.
   */
  dirs(relDir, create) {
    if (create && !this.rootMade) {
      mkdirSync(this.root, { recursive: true });
      this.rootMade = true;
    }
    if (this.safeDirs.has(relDir))
      return true;
    const parts = relDir.split("/");
    let cur = "";
    for (const part of parts) {
      cur = cur ? `${cur}/${part}` : part;
      if (this.safeDirs.has(cur))
        continue;
      const abs = path7.join(this.root, cur);
      let st = lstatOrNull(abs);
      if (!st) {
        if (!create)
          return false;
        try {
          mkdirSync(abs);
        } catch (e) {
          if (e.code !== "EEXIST")
            throw e;
        }
        st = lstatOrNull(abs);
      }
      if (st?.isSymbolicLink())
        refuseLink(abs);
      if (!st?.isDirectory())
        throw new PublishError("is not a folder", abs);
      this.safeDirs.add(cur);
    }
    return true;
  }
  parent(rel, create) {
    const d = path7.posix.dirname(cleanRel(rel));
    return this.dirs(d === "." ? "" : d, create);
  }
  /**
   * readNoFollow without the thread pool, for small files: a web page or a small index costs a dozen
   * metadata calls, and each round trip through libuv's threads is worth ten synchronous ones; with
   * thousands of pages the round trips were most of a run.
   */
  readNoFollowSync(rel) {
    if (!this.parent(rel, false))
      return null;
    const abs = this.abs(rel);
    let fd;
    try {
      fd = openSync(abs, constants2.O_RDONLY | constants2.O_NOFOLLOW);
    } catch (e) {
      const code = e.code;
      if (code === "ELOOP")
        refuseLink(abs);
      if (code === "ENOENT")
        return null;
      throw e;
    }
    try {
      if (!fstatSync(fd).isFile())
        throw new PublishError("is not a regular file", abs);
      return readFileSync2(fd);
    } finally {
      closeSync2(fd);
    }
  }
  /** The file's bytes, or null when there is none; refuses a link in its place. */
  async readNoFollow(rel) {
    if (!this.parent(rel, false))
      return null;
    const abs = this.abs(rel);
    let fh;
    try {
      fh = await open2(abs, constants2.O_RDONLY | constants2.O_NOFOLLOW);
    } catch (e) {
      const code = e.code;
      if (code === "ELOOP")
        refuseLink(abs);
      if (code === "ENOENT")
        return null;
      throw e;
    }
    try {
      if (!(await fh.stat()).isFile())
        throw new PublishError("is not a regular file", abs);
      return await fh.readFile();
    } finally {
      await fh.close();
    }
  }
  async read(rel) {
    return this.readNoFollow(rel);
  }
  async size(rel) {
    if (!this.parent(rel, false))
      return null;
    const st = lstatOrNull(this.abs(rel));
    return st?.isFile() ? st.size : null;
  }
  async version(rel) {
    if (!this.parent(rel, false))
      return null;
    const st = lstatOrNull(this.abs(rel));
    return st?.isFile() ? `${st.size}:${st.mtimeMs}:${st.ino}` : null;
  }
  async put(rel, data, opts = {}) {
    const buf = typeof data === "string" ? Buffer.from(data, "utf8") : data;
    const small = buf.length <= SMALL_PUT;
    const old = small ? this.readNoFollowSync(rel) : await this.readNoFollow(rel);
    if (old && old.equals(buf)) {
      if (!opts.uncounted)
        this.changes.unchanged++;
      return false;
    }
    if (!opts.uncounted)
      (old ? this.changes.updated : this.changes.added).push(rel);
    if (this.dryRun)
      return true;
    this.writing();
    this.parent(rel, true);
    const file2 = this.abs(rel);
    const tmp = tmpName(file2);
    if (small)
      writeFileSync3(tmp, buf, { flag: "wx" });
    else
      await writeFile2(tmp, buf, { flag: "wx" });
    const oldSec = old ? Math.floor((lstatOrNull(file2)?.mtimeMs ?? 0) / 1e3) : -Infinity;
    const when2 = opts.mtime ?? /* @__PURE__ */ new Date();
    if (Math.floor(when2.getTime() / 1e3) <= oldSec) {
      const later = new Date((oldSec + 1) * 1e3);
      utimesSync(tmp, later, later);
    } else if (opts.mtime)
      utimesSync(tmp, opts.mtime, opts.mtime);
    renameSync(tmp, file2);
    afterWrite();
    return true;
  }
  async putMany(files) {
    const out = [];
    for (const f of files)
      out.push(await this.put(f.path, f.data, { mtime: f.mtime }));
    return out;
  }
  async placePool(rel, source, sha2562, opts = {}) {
    const exists = this.parent(rel, false);
    const file2 = this.abs(rel);
    const st = exists ? lstatOrNull(file2) : null;
    if (st?.isSymbolicLink())
      refuseLink(file2);
    if (st) {
      const have = await this.sha256File(file2);
      if (have !== sha2562)
        throw new PublishError(`already published with different content (sha256 ${have}); a pool file is never replaced`, rel);
      this.changes.unchanged++;
      if (opts.move)
        await rm3(source, { force: true });
      return false;
    }
    this.changes.added.push(rel);
    if (this.dryRun)
      return true;
    this.writing();
    this.parent(rel, true);
    try {
      if (opts.move)
        renameSync(source, file2);
      else
        linkSync(source, file2);
    } catch (e) {
      const code = e.code;
      if (code !== "EXDEV" && code !== "EPERM" && code !== "EMLINK")
        throw e;
      const tmp = tmpName(file2);
      await copyFile2(source, tmp, constants2.COPYFILE_EXCL);
      await rename2(tmp, file2);
      if (opts.move)
        await rm3(source, { force: true });
    }
    afterWrite();
    return true;
  }
  async sha256File(abs) {
    const h = createHash6("sha256");
    const fh = await open2(abs, constants2.O_RDONLY | constants2.O_NOFOLLOW);
    try {
      for await (const c of fh.createReadStream({ highWaterMark: 1 << 20, autoClose: false }))
        h.update(c);
    } finally {
      await fh.close();
    }
    return h.digest("hex");
  }
  async alias(link2, target) {
    const value = path7.posix.relative(path7.posix.dirname(cleanRel(link2)), cleanRel(target));
    const abs = this.abs(link2);
    const st = this.parent(link2, false) ? lstatOrNull(abs) : null;
    if (st?.isSymbolicLink() && readlinkSync(abs) === value) {
      this.changes.unchanged++;
      return;
    }
    if (st && !st.isSymbolicLink())
      throw new PublishError(`is a real ${st.isDirectory() ? "folder" : "file"}; it cannot become an alias of ${target}`, abs);
    (st ? this.changes.updated : this.changes.added).push(link2);
    if (this.dryRun)
      return;
    this.writing();
    this.parent(link2, true);
    const tmp = tmpName(abs);
    symlinkSync(value, tmp);
    renameSync(tmp, abs);
    afterWrite();
  }
  async aliases(dir) {
    const out = [];
    if (!this.dirs(cleanRel(dir), false))
      return out;
    let ents;
    try {
      ents = readdirSync4(this.abs(dir), { withFileTypes: true });
    } catch {
      return out;
    }
    const root = path7.resolve(this.root);
    for (const e of ents) {
      if (!e.isSymbolicLink())
        continue;
      const link2 = `${dir}/${e.name}`;
      const target = path7.relative(root, path7.resolve(path7.dirname(this.abs(link2)), readlinkSync(this.abs(link2))));
      if (!target.startsWith("..") && !path7.isAbsolute(target))
        out.push({ link: link2, target: target.split(path7.sep).join("/") });
    }
    return out.sort((a, b) => a.link < b.link ? -1 : 1);
  }
  async unalias(link2) {
    const abs = this.abs(link2);
    if (!this.parent(link2, false) || !lstatOrNull(abs)?.isSymbolicLink())
      return;
    this.changes.removed.push(link2);
    if (this.dryRun)
      return;
    this.writing();
    await rm3(abs);
    afterWrite();
  }
  async discard(rel) {
    if (this.dryRun || !this.parent(rel, false) || !lstatOrNull(this.abs(rel)))
      return;
    this.writing();
    await rm3(this.abs(rel), { force: true });
  }
  async remove(rel) {
    this.changes.removed.push(rel);
    if (this.dryRun || !this.parent(rel, false))
      return;
    this.writing();
    await rm3(this.abs(rel), { force: true });
    afterWrite();
  }
  /**
   * One walk of the tree at the start of a run: it removes what a killed run left half-written (we
   * hold the lock, so no live run owns those) and returns the files retention manages. Links are
   * left out: retention removes only files it can tell are ours.
   */
  async survey() {
    const managed = [];
    for (const top of ["apt", "pkg", "packages", "feeds"]) {
      for (const p of walkFiles(this.root, top)) {
        if (TEMP_FILE.test(p)) {
          if (!this.dryRun) {
            this.writing();
            await rm3(path7.join(this.root, p), { force: true });
          }
          continue;
        }
        if (path7.posix.basename(p) === MARKER)
          continue;
        if (isManaged(p))
          managed.push(p);
      }
    }
    return managed;
  }
};

// dist/publish/storage/open.js
function isS3Url(output) {
  return output.startsWith("s3://");
}
async function openStorage(c, dryRun) {
  if (isS3Url(c.output)) {
    const { S3Storage } = await import("./s3-LTXWE3KX.js");
    return new S3Storage(c, dryRun);
  }
  return new FolderStorage(c.output, dryRun);
}

// dist/util/memory.js
import v8 from "node:v8";
import vm from "node:vm";
var gc;
function collectGarbage() {
  if (gc === void 0) {
    try {
      v8.setFlagsFromString("--expose-gc");
      gc = vm.runInNewContext("gc");
    } catch {
      gc = null;
    }
  }
  gc?.();
}

// dist/site/render.js
import { readFileSync as readFileSync3 } from "node:fs";
import path8 from "node:path";
import { fileURLToPath } from "node:url";
var TEMPLATES = path8.resolve(path8.dirname(fileURLToPath(import.meta.url)), "..", "..", "templates");
function template(name) {
  return readFileSync3(path8.join(TEMPLATES, name), "utf8");
}
function escapeHtml(s) {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
}
function fill(text2, values) {
  return text2.replace(/\{\{([a-z_]+)\}\}/g, (m, k) => values[k] ?? m);
}
function aptSources(baseUrl, suite, keyringName2) {
  return fill(template("apt.sources"), { base_url: baseUrl, suite, keyring_name: keyringName2 });
}
function pkgSnippet(c) {
  const keyLine = c.pkg.signature === "pubkey" ? `pubkey: "/usr/local/etc/pkg/keys/${c.origin}.pub",` : `fingerprints: "/usr/local/etc/pkg/fingerprints/${c.origin}",`;
  return fill(template("pkg.conf"), { name: c.origin, base_url: c.baseUrl, signature_type: c.pkg.signature, key_line: keyLine });
}

// dist/site/pages.js
import path9 from "node:path";
import { createHash as createHash7 } from "node:crypto";

// dist/site/model.js
var RELATION_FIELDS = [
  "Pre-Depends",
  "Depends",
  "Recommends",
  "Suggests",
  "Enhances",
  "Breaks",
  "Conflicts",
  "Replaces",
  "Provides",
  "Built-Using"
];
function slug(s) {
  let out = Buffer.from(s, "utf8").toString("latin1").replace(/[^A-Za-z0-9.+~-]/g, (c) => "_" + c.charCodeAt(0).toString(16).padStart(2, "0"));
  if (/^\.+$/.test(out))
    out = out.replace(/\./g, "_2e");
  return out;
}
function pagePath(kind, repo, name, version, arch) {
  const file2 = kind === "apt" ? `${slug(version)}_${slug(arch)}` : slug(version);
  return `packages/${kind}/${repo.replace(/[^A-Za-z0-9.:+~-]/g, "_")}/${slug(name)}/${file2}.html`;
}
function names(text2) {
  const out = [];
  for (const alt of text2.split(/[,|]/)) {
    const m = /^\s*([a-z0-9][a-z0-9+.-]*)/.exec(alt);
    if (m)
      out.push(m[1]);
  }
  return out;
}
function fromDebian(p) {
  const para = parseParagraph(p.entry);
  const desc = get(para, "Description") ?? "";
  const [summary = "", ...rest] = desc.split("\n");
  const description = rest.map((l) => l.trim() === "." ? "" : l.replace(/^ /, "")).join("\n");
  const relations = [];
  for (const f of RELATION_FIELDS) {
    const v = get(para, f);
    if (v)
      relations.push({ field: f, text: v.replace(/\s*\n\s*/g, " "), names: names(v) });
  }
  return {
    summary,
    description,
    homepage: get(para, "Homepage") ?? "",
    maintainer: get(para, "Maintainer") ?? "",
    section: get(para, "Section") ?? "",
    installedSize: get(para, "Installed-Size") ? `${get(para, "Installed-Size")} KiB` : "",
    relations
  };
}
function str3(v) {
  return typeof v === "string" ? v : "";
}
function fromFreebsd(p) {
  let m = {};
  try {
    m = JSON.parse(p.entry);
  } catch {
  }
  const deps = m.deps && typeof m.deps === "object" ? m.deps : {};
  const depNames = Object.keys(deps).sort();
  const relations = depNames.length ? [{ field: "deps", text: depNames.map((d) => deps[d]?.version ? `${d}-${deps[d].version}` : d).join(", "), names: depNames }] : [];
  const flat = typeof m.flatsize === "number" ? m.flatsize : void 0;
  const cats = Array.isArray(m.categories) ? m.categories.filter((x) => typeof x === "string") : [];
  return {
    summary: str3(m.comment),
    description: urlDecode(str3(m.desc)),
    homepage: str3(m.www),
    maintainer: str3(m.maintainer),
    section: cats.join(", "),
    installedSize: flat === void 0 ? "" : `${Math.ceil(flat / 1024)} KiB`,
    relations
  };
}
function sitePackage(kind, repo, p) {
  const d = kind === "apt" ? fromDebian(p) : fromFreebsd(p);
  return {
    kind,
    repo,
    name: p.name,
    version: p.version,
    upstream: p.upstream,
    arch: p.arch,
    ...d,
    size: p.size,
    sha256: p.sha256,
    mainSha256: p.mainSha256,
    job: p.job,
    uuid: p.uuid,
    platform: p.platform,
    buildtime: p.buildtime,
    start: p.start,
    pool: p.pool,
    conffiles: p.conffiles ?? [],
    files: p.files ? p.files.split("\n").filter(Boolean) : [],
    page: pagePath(kind, repo, p.name, p.version, p.arch)
  };
}

// dist/site/pages.js
function templates() {
  return { index: template("index.html"), package: template("package.html"), css: template("site.css"), js: template("site.js") };
}
var CSS = "assets/site.css";
var JS = "assets/site.js";
function link(from, to) {
  const rel = path9.posix.relative(path9.posix.dirname(from), to) || path9.posix.basename(to);
  return rel.split("/").map((s) => s === ".." ? s : encodeURIComponent(s)).join("/");
}
function human(n) {
  if (n < 1024)
    return `${n} B`;
  if (n < 1 << 20)
    return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / (1 << 20)).toFixed(1)} MiB`;
}
function when(d) {
  return d.toISOString().slice(0, 16).replace("T", " ");
}
function shortVersion(v) {
  return v.replace(/[0-9a-f]{64}/g, (h) => h.slice(0, 12) + "\u2026");
}
function httpUrl(s) {
  return /^https?:\/\/[^\s"'<>\\]+$/i.test(s) ? s : null;
}
function repoTitle(r) {
  return r.kind === "apt" ? `Suite ${r.key}` : `ABI ${r.key}`;
}
function feedPath(r) {
  return `feeds/${r.kind}-${r.key.replace(/[^A-Za-z0-9.:+~-]/g, "_")}.atom`;
}
function newestFirst(a, b) {
  return b.start.getTime() - a.start.getTime() || (a.name < b.name ? -1 : a.name > b.name ? 1 : a.page < b.page ? -1 : 1);
}
function table(r, from) {
  const rows = [...r.packages].sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : a.page < b.page ? -1 : 1).map((p) => `<tr><td data-label="Package"><a href="${escapeHtml(link(from, p.page))}">${escapeHtml(p.name)}</a>${p.kind === "apt" ? ` <span class="arch">${escapeHtml(p.arch)}</span>` : ""}</td><td data-label="Summary">${escapeHtml(p.summary)}</td><td data-label="Version"><code class="ver" title="${escapeHtml(p.version)}">${escapeHtml(shortVersion(p.version))}</code></td><td data-label="Size" class="num">${human(p.size)}</td><td data-label="Built"><time datetime="${p.start.toISOString()}">${when(p.start)}</time></td></tr>`).join("\n");
  return `<table class="packages"><thead><tr><th>Package</th><th>Summary</th><th>Version</th><th>Size</th><th>Built</th></tr></thead>
<tbody>
${rows}
</tbody></table>`;
}
function snippet(text2) {
  return `<pre class="snippet">${escapeHtml(text2)}</pre>`;
}
function indexHtml(i) {
  const from = "index.html";
  const apt = i.repos.filter((r) => r.kind === "apt");
  const pkg = i.repos.filter((r) => r.kind === "pkg");
  let aptSection = "";
  if (apt.length) {
    aptSection += `<h2>Debian and Ubuntu (APT)</h2>
<p>Add the signing key once:</p>
`;
    aptSection += snippet(`sudo install -d -m 0755 /etc/apt/keyrings
sudo curl -fsSLo /etc/apt/keyrings/${i.keyringName}.gpg ${i.baseUrl}/apt/archive-keyring.gpg`);
    for (const r of apt) {
      const setup = `sudo curl -fsSLo /etc/apt/sources.list.d/${i.keyringName}.sources ${i.baseUrl}/apt/${r.key}.sources
sudo apt update`;
      const valid = r.validUntil ? ` Signed ${escapeHtml(r.date ?? "")}, valid until ${escapeHtml(r.validUntil)}.` : "";
      aptSection += `<h3 id="${escapeHtml("apt-" + r.key)}">${escapeHtml(repoTitle(r))}</h3>
<p>Then add the source (it reads as below) and update.${valid} <a href="${escapeHtml(link(from, feedPath(r)))}">Feed of new builds</a>.</p>
${snippet(setup)}
${snippet(i.aptSources[r.key] ?? "")}
${table(r, from)}
`;
    }
  }
  let pkgSection = "";
  if (pkg.length && i.pkgConf) {
    pkgSection += `<h2>FreeBSD (pkg)</h2>
<p>Save the public key and the repository configuration, then install:</p>
`;
    pkgSection += snippet(`mkdir -p /usr/local/etc/pkg/keys /usr/local/etc/pkg/repos
fetch -o /usr/local/etc/pkg/keys/${i.origin}.pub ${i.baseUrl}/pkg/repo.pub
fetch -o /usr/local/etc/pkg/repos/${i.origin}.conf ${i.baseUrl}/pkg/${i.origin}.conf
pkg update`);
    pkgSection += "\n" + snippet(i.pkgConf) + "\n";
    for (const r of pkg)
      pkgSection += `<h3 id="${escapeHtml("pkg-" + r.key)}">${escapeHtml(repoTitle(r))}</h3>
<p><a href="${escapeHtml(link(from, feedPath(r)))}">Feed of new builds</a>.</p>
${table(r, from)}
`;
  }
  return fill(i.templates.index, {
    label: escapeHtml(i.label),
    description: escapeHtml(i.description),
    apt_section: aptSection,
    pkg_section: pkgSection,
    generated: escapeHtml(i.generated.toISOString()),
    css: escapeHtml(link(from, CSS)),
    js: escapeHtml(link(from, JS)),
    index_json: escapeHtml(link(from, "index.json"))
  });
}
function dl(rows) {
  return `<dl>
${rows.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${v}</dd>`).join("\n")}
</dl>`;
}
function versionMeaning(p) {
  if (p.version === p.upstream)
    return "the package's own version, published as it was built";
  return `upstream version <code>${escapeHtml(p.upstream)}</code>, built ${escapeHtml(p.buildtime)} (UTC), from the binary whose SHA-256 is <code class="hash">${escapeHtml(p.mainSha256)}</code>`;
}
function packageHtml(i, r, p, byName) {
  const from = p.page;
  const relRows = p.relations.map((rel) => {
    let text2 = escapeHtml(rel.text);
    for (const n of [...new Set(rel.names)].sort((a, b) => b.length - a.length)) {
      const target = byName.get(n)?.[0];
      if (!target || target === p)
        continue;
      const re = new RegExp(`(^|[\\s,|(])(${n.replace(/[.+]/g, (c) => "\\" + c)})(?=$|[\\s,|:(\\[<])`, "g");
      text2 = text2.replace(re, (_m, pre, name) => `${pre}<a href="${escapeHtml(link(from, target.page))}">${name}</a>`);
    }
    return [rel.field, text2];
  });
  const install = p.kind === "apt" ? `sudo apt install ${p.name}=${p.version}` : `pkg install -r ${i.origin} ${p.name}-${p.version}`;
  const others = (byName.get(p.name) ?? []).filter((o) => o !== p && o.arch === p.arch);
  const homepage = httpUrl(p.homepage);
  const facts = [
    ["Version", `<code class="ver">${escapeHtml(p.version)}</code>`],
    ["What the version says", versionMeaning(p)],
    ["Job and build", `${escapeHtml(p.job)} / <code>${escapeHtml(p.uuid)}</code>`],
    ["Built", `<time datetime="${p.start.toISOString()}">${when(p.start)} UTC</time>`],
    ["Platform", `${escapeHtml(p.platform)} (${escapeHtml(p.arch)})`],
    ["Size", `${human(p.size)} (${p.size} bytes)`]
  ];
  if (p.installedSize)
    facts.push(["Installed size", escapeHtml(p.installedSize)]);
  facts.push(["SHA-256 of the package", `<code class="hash">${escapeHtml(p.sha256)}</code>`]);
  facts.push(["Download", `<a href="${escapeHtml(link(from, p.pool))}">${escapeHtml(path9.posix.basename(p.pool))}</a>`]);
  if (p.section)
    facts.push([p.kind === "apt" ? "Section" : "Categories", escapeHtml(p.section)]);
  if (p.maintainer)
    facts.push(["Maintainer", escapeHtml(p.maintainer)]);
  if (p.homepage)
    facts.push(["Homepage", homepage ? `<a href="${escapeHtml(homepage)}" rel="nofollow noopener">${escapeHtml(homepage)}</a>` : escapeHtml(p.homepage)]);
  const sections = [
    `<h1>${escapeHtml(p.name)}</h1>`,
    `<p class="summary">${escapeHtml(p.summary)}</p>`,
    p.description ? `<div class="description">${p.description.split(/\n{2,}/).map((para) => `<p>${escapeHtml(para)}</p>`).join("\n")}</div>` : "",
    `<h2>Install this version</h2>`,
    snippet(install),
    `<h2>About this build</h2>`,
    dl(facts),
    relRows.length ? `<h2>Relations</h2>
${dl(relRows)}` : "",
    `<h2>Configuration files</h2>`,
    p.conffiles.length ? `<ul class="files">${p.conffiles.map((f) => `<li><code>${escapeHtml(f)}</code></li>`).join("")}</ul>` : "<p>None.</p>",
    `<h2>Files (${p.files.length})</h2>`,
    p.files.length ? `<ul class="files">${p.files.map((f) => `<li><code>/${escapeHtml(f.replace(/^\//, ""))}</code></li>`).join("")}</ul>` : "<p>None recorded.</p>",
    `<h2>Other versions kept</h2>`,
    others.length ? `<ul>${others.map((o) => `<li><a href="${escapeHtml(link(from, o.page))}"><code class="ver">${escapeHtml(o.version)}</code></a> (built ${when(o.start)})</li>`).join("")}</ul>` : "<p>None.</p>"
  ];
  return fill(i.templates.package, {
    title: escapeHtml(`${p.name} ${p.version}`),
    label: escapeHtml(i.label),
    index: escapeHtml(link(from, "index.html") + `#${r.kind}-${r.key}`),
    repo: escapeHtml(repoTitle(r)),
    body: sections.filter(Boolean).join("\n"),
    css: escapeHtml(link(from, CSS)),
    js: escapeHtml(link(from, JS))
  });
}
function escapeXml(s) {
  return s.replace(/[^\x09\x0a\x0d\x20-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/gu, "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" })[c]);
}
function absolute(i, rel) {
  return `${i.baseUrl.replace(/\/+$/, "")}/${rel.split("/").map(encodeURIComponent).join("/")}`;
}
function feed(i, r) {
  const pkgs = [...r.packages].sort(newestFirst);
  const updated = (pkgs[0]?.start ?? i.generated).toISOString();
  const entries = pkgs.map((p) => `<entry>
<title>${escapeXml(`${p.name} ${p.version} (${p.arch})`)}</title>
<id>${escapeXml(absolute(i, p.page))}</id>
<updated>${p.start.toISOString()}</updated>
<link rel="alternate" type="text/html" href="${escapeXml(absolute(i, p.page))}"/>
<summary>${escapeXml(`${p.summary} \u2014 job ${p.job}, build ${p.uuid}, SHA-256 ${p.sha256}`)}</summary>
</entry>`);
  return `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
<title>${escapeXml(`${i.label}: ${repoTitle(r)}`)}</title>
<id>${escapeXml(absolute(i, feedPath(r)))}</id>
<updated>${updated}</updated>
<link rel="self" href="${escapeXml(absolute(i, feedPath(r)))}"/>
<link rel="alternate" type="text/html" href="${escapeXml(absolute(i, "index.html"))}"/>
<author><name>${escapeXml(i.origin)}</name></author>
${entries.join("\n")}
</feed>
`;
}
function indexJson(i) {
  const doc = {
    origin: i.origin,
    label: i.label,
    description: i.description,
    base_url: i.baseUrl,
    generated: i.generated.toISOString(),
    repositories: i.repos.map((r) => ({
      kind: r.kind,
      [r.kind === "apt" ? "suite" : "abi"]: r.key,
      ...r.kind === "apt" ? { date: r.date ?? null, valid_until: r.validUntil ?? null } : {},
      feed: feedPath(r),
      packages: [...r.packages].sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : a.page < b.page ? -1 : 1).map((p) => ({
        name: p.name,
        version: p.version,
        upstream: p.upstream,
        arch: p.arch,
        summary: p.summary,
        size: p.size,
        installed_size: p.installedSize || null,
        sha256: p.sha256,
        binary_sha256: p.mainSha256,
        job: p.job,
        build: p.uuid,
        platform: p.platform,
        built: p.start.toISOString(),
        file: p.pool,
        page: p.page,
        relations: Object.fromEntries(p.relations.map((x) => [x.field, x.text]))
      }))
    }))
  };
  return JSON.stringify(doc, null, 1) + "\n";
}
function sitePages(input, unchanged) {
  const i = {
    ...input,
    templates: templates(),
    repos: input.repos.map((r) => ({ ...r, packages: r.packages.map((p) => sitePackage(r.kind, r.key, p)) }))
  };
  const out = [
    { path: CSS, data: Buffer.from(i.templates.css) },
    { path: JS, data: Buffer.from(i.templates.js) }
  ];
  const digests = /* @__PURE__ */ new Map();
  const salt = JSON.stringify([1, i.templates.package, i.label, i.origin]);
  for (const r of i.repos) {
    const byName = /* @__PURE__ */ new Map();
    for (const p of [...r.packages].sort(newestFirst)) {
      if (!byName.has(p.name))
        byName.set(p.name, []);
      byName.get(p.name).push(p);
    }
    for (const p of r.packages) {
      const digest = pageDigest(salt, r, p, byName);
      digests.set(p.page, digest);
      if (unchanged?.(p.page, digest))
        continue;
      out.push({ path: p.page, data: Buffer.from(packageHtml(i, r, p, byName)) });
    }
    out.push({ path: feedPath(r), data: Buffer.from(feed(i, r)) });
  }
  out.push({ path: "index.json", data: Buffer.from(indexJson(i)) });
  out.push({ path: "index.html", data: Buffer.from(indexHtml(i)) });
  return { files: out, digests };
}
function pageDigest(salt, r, p, byName) {
  const targets = p.relations.flatMap((rel) => rel.names.map((n) => [n, byName.get(n)?.[0]?.page ?? ""]));
  const others = (byName.get(p.name) ?? []).filter((o) => o !== p && o.arch === p.arch).map((o) => [o.version, o.page, o.start.getTime()]);
  return createHash7("sha256").update(JSON.stringify([salt, r.kind, r.key, p, targets, others])).digest("base64url").slice(0, 22);
}
function sitePaths(input) {
  const out = [CSS, JS];
  for (const r of input.repos) {
    for (const p of r.packages)
      out.push(pagePath(r.kind, r.key, p.name, p.version, p.arch));
    out.push(feedPath(r));
  }
  out.push("index.json", "index.html");
  return out;
}
function siteFingerprint(input) {
  const h = createHash7("sha256");
  const t = templates();
  const { repos, ...rest } = input;
  h.update(JSON.stringify([1, rest, t.index, t.package, t.css, t.js]));
  for (const r of repos) {
    h.update(`\0repo\0${r.kind}\0${r.key}\0${r.date ?? ""}\0${r.validUntil ?? ""}`);
    for (const p of r.packages) {
      h.update(`\0pkg\0${p.name}\0${p.version}\0${p.upstream}\0${p.arch}\0${p.pool}\0${p.size}\0${p.sha256}\0${p.mainSha256}`);
      h.update(`\0${p.job}\0${p.uuid}\0${p.platform}\0${p.buildtime}\0${p.start.toISOString()}\0${(p.conffiles ?? []).join("\n")}\0`);
      h.update(p.entry);
      h.update("\0");
      h.update(p.files);
    }
  }
  return h.digest("hex");
}
function releaseDates(release) {
  if (!release)
    return {};
  const text2 = release.toString("utf8");
  const date = /^Date: (.+)$/m.exec(text2)?.[1];
  const validUntil = /^Valid-Until: (.+)$/m.exec(text2)?.[1];
  return { ...date ? { date } : {}, ...validUntil ? { validUntil } : {} };
}

// dist/pipeline.js
import { createHash as createHash8 } from "node:crypto";
var LARGE_RUN = 5e3;
function select(cands, keep) {
  const groups = /* @__PURE__ */ new Map();
  for (const c of cands) {
    const k = `${c.family.name}\0${c.repo}\0${c.pkg.name}\0${c.pkg.arch}`;
    if (!groups.has(k))
      groups.set(k, []);
    groups.get(k).push(c);
  }
  const chosen = [];
  const rejected = [];
  for (const g of groups.values()) {
    g.sort((a, b) => a.build.start.getTime() - b.build.start.getTime() || (a.build.uuid < b.build.uuid ? -1 : 1));
    const bySha = /* @__PURE__ */ new Map();
    const byVersion = /* @__PURE__ */ new Map();
    for (const c of g) {
      if (bySha.has(c.pkg.mainSha256))
        continue;
      const same = byVersion.get(c.pkg.version);
      if (same) {
        rejected.push({ dir: c.build.dir, reason: `version ${c.pkg.version} of ${c.pkg.name} is already taken by a different binary (build ${buildKey(same.build)})` });
        continue;
      }
      bySha.set(c.pkg.mainSha256, c);
      byVersion.set(c.pkg.version, c);
    }
    const distinct = [...bySha.values()].sort((a, b) => -a.family.compareVersions(a.pkg.version, b.pkg.version) || b.build.start.getTime() - a.build.start.getTime());
    chosen.push(...distinct.slice(0, keep));
  }
  return { chosen, rejected };
}
function preselect(builds, keep, versioning) {
  const first = [];
  const groups = /* @__PURE__ */ new Map();
  for (const b of builds) {
    const v = b.versioning ?? versioning;
    if (v !== "build") {
      first.push(b);
      continue;
    }
    const k = `${b.platform.platform}\0${b.job}\0${b.arch}`;
    let g = groups.get(k);
    if (!g)
      groups.set(k, g = []);
    g.push(b);
  }
  const lists = [];
  for (const g of groups.values()) {
    g.sort((a, b) => a.start.getTime() - b.start.getTime() || (a.uuid < b.uuid ? -1 : 1));
    const seen = /* @__PURE__ */ new Map();
    for (const b of g) {
      const sha = b.mainSha256 ?? `tree:${b.uuid}`;
      if (!seen.has(sha))
        seen.set(sha, b);
    }
    const list = [...seen.values()].reverse();
    lists.push(list);
    first.push(...upTo(list, 0, keep));
  }
  const more = (outcome) => {
    const next = [];
    for (const list of lists) {
      let accepted = 0;
      let read = 0;
      let last;
      for (const b of list) {
        const o = outcome.get(b);
        if (!o)
          break;
        read++;
        if (!("reason" in o) && ++accepted === keep)
          last = b;
      }
      if (last)
        for (let i = read; i < list.length && list[i].start.getTime() === last.start.getTime(); i++)
          next.push(list[i]);
      else
        next.push(...upTo(list, read, keep - accepted));
    }
    return next;
  };
  return { first, more };
}
function upTo(list, from, n) {
  if (n <= 0 || from >= list.length)
    return [];
  let end = Math.min(list.length, from + n);
  const t = list[end - 1].start.getTime();
  while (end < list.length && list[end].start.getTime() === t)
    end++;
  return list.slice(from, end);
}
function indexSalt(c, keys) {
  const h = createHash8("sha256");
  h.update(JSON.stringify([c.origin, c.label, c.description, c.baseUrl, c.validDays, c.apt, c.pkg]));
  if (keys.aptBinary)
    h.update(keys.aptBinary);
  h.update(`\0${keys.pkgPem ?? ""}`);
  return h.digest("hex");
}
function keyringName(origin) {
  return origin.toLowerCase().replace(/[^a-z0-9._-]+/g, "-");
}
async function buildIndexes(chosen, site, memo) {
  const repos = /* @__PURE__ */ new Map();
  for (const cand of chosen) {
    const k = `${cand.family.name}\0${cand.repo}`;
    if (!repos.has(k))
      repos.set(k, { family: cand.family, key: cand.repo, pkgs: [] });
    repos.get(k).pkgs.push(cand);
  }
  const sortedRepos = [...repos.values()].sort((a, b) => a.family.name + a.key < b.family.name + b.key ? -1 : 1);
  const results = await Promise.all(sortedRepos.map(async (r) => {
    const pkgs = r.pkgs.map((p) => p.pkg);
    const fp = repoFingerprint(r.family.name, r.key, `${memo.salt}\0${r.family.cacheSalt(site.config)}`, pkgs);
    const rec = memo.recall(r.family.name, r.key);
    if (rec && await stillPublished(rec, fp, site.now, memo.version))
      return { kept: rec, fp };
    const made = await r.family.repository(r.key, pkgs, site);
    const warnings2 = r.family.brokenRelations?.(r.key, r.pkgs.map((p) => ({ pkg: p.pkg, build: `${p.build.job}/${p.build.uuid}` }))) ?? [];
    return { made, warnings: warnings2, fp };
  }));
  const files = [];
  const kept = [];
  const repoSummaries = [];
  const siteRepos = [];
  const repoBases = [];
  const aliasOf = /* @__PURE__ */ new Map();
  const dates = /* @__PURE__ */ new Map();
  const repoWarnings = [];
  const toRecord = [];
  for (const [i, r] of sortedRepos.entries()) {
    const o = results[i];
    const base = o.made ? o.made.base : o.kept.base;
    for (const a of (o.made ? o.made.aliases : o.kept.aliases) ?? [])
      aliasOf.set(a, [...aliasOf.get(a) ?? [], base]);
    if (o.made) {
      files.push(...o.made.files);
      const d = releaseDates(o.made.files.find((f) => f.path === `${base}/Release`)?.data);
      dates.set(`${r.family.name}\0${r.key}`, d);
      repoWarnings.push(...o.warnings);
      toRecord.push({ family: r.family.name, key: r.key, fp: o.fp, made: o.made, warnings: o.warnings, dates: d });
    } else {
      kept.push(...o.kept.files.map(([p]) => p));
      dates.set(`${r.family.name}\0${r.key}`, o.kept.dates);
      repoWarnings.push(...o.kept.warnings);
    }
    repoBases.push(base);
    repoSummaries.push({ name: o.made ? o.made.name : o.kept.name, changed: o.made ? o.made.changed : false, packages: r.pkgs.length });
    siteRepos.push({
      kind: r.family.name === "debian" ? "apt" : "pkg",
      key: r.key,
      rows: r.pkgs.map((p) => ({
        name: p.pkg.name,
        version: p.pkg.version,
        arch: p.pkg.arch,
        size: p.pkg.size,
        date: p.build.start,
        file: r.family.name === "debian" ? p.pkg.pool.replace(/^apt\//, "") : p.pkg.pool.replace(/^pkg\/[^/]+\//, ""),
        source: {
          ...p.pkg,
          job: p.build.job,
          uuid: p.build.uuid,
          platform: p.build.platform.platform,
          buildtime: p.build.buildtime,
          start: p.build.start
        }
      })).sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : a.arch < b.arch ? -1 : 1)
    });
  }
  const { aliases, warnings } = checkAliases(aliasOf, repoBases);
  warnings.push(...repoWarnings);
  return { files, kept, repoBases, repoSummaries, siteRepos, aliases, warnings, dates, toRecord };
}
async function recordRepositories(tree, state, indexed) {
  for (const r of indexed.toRecord) {
    const tokens = await Promise.all(r.made.files.map(async (f) => [f.path, await tree.version(f.path)]));
    if (tokens.some(([, t]) => t === null))
      continue;
    state.setText(repoRecordName(r.family, r.key), "1", encodeRecord2({
      fp: r.fp,
      name: r.made.name,
      base: r.made.base,
      aliases: r.made.aliases ?? [],
      warnings: r.warnings,
      renewAfter: r.made.renewAfter ? r.made.renewAfter.getTime() : null,
      dates: r.dates,
      files: tokens
    }));
  }
}
function repoRecordName(family, key) {
  return `repository\0${family}\0${key}`;
}
function checkAliases(aliasOf, bases) {
  const aliases = [];
  const warnings = [];
  for (const [link2, targets] of [...aliasOf].sort((a, b) => a[0] < b[0] ? -1 : 1)) {
    if (bases.includes(link2))
      warnings.push(`${link2} is not made an alias of ${targets.join(" and ")}: a suite of that name is published`);
    else if (targets.length > 1)
      warnings.push(`${link2} is not made an alias: ${targets.join(" and ")} both have that Codename`);
    else
      aliases.push({ link: link2, target: targets[0] });
  }
  return { aliases, warnings };
}
async function publishAliases(tree, aliases) {
  for (const a of aliases)
    await tree.alias(a.link, a.target);
  const wanted = new Set(aliases.map((a) => a.link));
  for (const old of await tree.aliases("apt/dists"))
    if (!wanted.has(old.link))
      await tree.unalias(old.link);
}
var RunBook = class {
  progress;
  timings = {};
  placed = [];
  /** Files written before any index goes live, with what they replaced (null: new). */
  undo = [];
  /**
   * From the first write of a canonical index on, a live index may name the new pool files: from
   * then on nothing is taken back, and a failure is exit 5 (BookkeepingError).
   */
  live = false;
  /** What the run is doing once live, for the exit-5 message. */
  step = "publishing";
  /** Set after the scan: from LARGE_RUN builds read, garbage is collected between stages. */
  large = false;
  t0 = Date.now();
  constructor(progress) {
    this.progress = progress;
  }
  async timed(stage, fn) {
    const t = Date.now();
    try {
      return await fn();
    } finally {
      this.timings[stage] = Date.now() - t;
    }
  }
  collect() {
    if (this.large)
      collectGarbage();
  }
  finish() {
    this.timings.total = Date.now() - this.t0;
    return this.timings;
  }
};
async function generate(o) {
  const lock = await acquireLock(o.config.state);
  try {
    const book = new RunBook(o.progress);
    const state = await book.timed("state", async () => {
      const s = new State(o.config.state);
      await s.load();
      return s;
    });
    return (await runSettling(o, state, book)).summary;
  } finally {
    await lock.release();
  }
}
async function runSettling(o, state, book) {
  const claimed = listPending(o.config.state);
  const r = await runStages(o, state, book);
  const pendingLeft = o.dryRun ? 0 : await settlePending(o.config.state, claimed, r.outcomes);
  return { ...r, pendingLeft };
}
async function runUntilSettled(o, state, maxRuns = 5) {
  const runs = [];
  do
    runs.push(await runSettling(o, state));
  while (runs.at(-1).pendingLeft > 0 && runs.length < maxRuns);
  return runs;
}
async function runStages(o, state, book = new RunBook(o.progress)) {
  const c = o.config;
  const tree = await openStorage(c, o.dryRun);
  const work = path10.join(c.state, `work-${process.pid}`);
  let saving = null;
  try {
    await book.timed("open", () => tree.open());
    const clean = readTreeClean(c.state);
    let forgot = false;
    if (!o.dryRun)
      tree.beforeFirstWrite = () => {
        forgetTreeClean(c.state);
        forgot = true;
      };
    const salt = runSalt(c, c.keys, repogenVersion());
    if (o.quick !== false && !o.dryRun) {
      const same = await book.timed("quick", () => unchangedSinceLastRun(c, state, tree, o.now, clean, salt));
      if (same) {
        await tree.commit();
        return { summary: { ...same, added: [], updated: [], removed: [], unchanged: 0, timings: book.finish(), dryRun: false, ...tree.requests() ? { requests: tree.requests() } : {} }, outcomes: /* @__PURE__ */ new Map() };
      }
    }
    const found = await book.timed("scan", () => scan(c, state));
    hookAfterScan();
    book.large = found.builds.length >= LARGE_RUN && (found.read ?? found.builds.length) >= LARGE_RUN / 5;
    book.collect();
    const publicKeys = await book.timed("keys", () => o.loadKeys(new Set(found.builds.map((b) => b.platform.family))));
    await openWork(c.state, work);
    o.signal?.throwIfAborted();
    const packaged = await book.timed("package", () => packageBuilds(o, state, found.builds, work, book));
    o.signal?.throwIfAborted();
    book.collect();
    const sel = select(packaged.candidates, c.keepVersions);
    await book.timed("repack", () => ensurePool(o, state, tree, sel.chosen, work));
    const site = { config: c, now: o.now, readPublished: (rel) => tree.read(rel) };
    const memo = {
      recall: (family, key) => decodeRecord2(state.text(repoRecordName(family, key), "1")),
      version: (rel) => tree.version(rel),
      salt: indexSalt(c, publicKeys)
    };
    const indexed = await book.timed("index", () => index(tree, sel.chosen, site, memo, book, () => {
      if (o.dryRun)
        return;
      saving = state.saveCaches();
      saving.catch(() => void 0);
    }));
    book.collect();
    o.signal?.throwIfAborted();
    const trust = sign(o, publicKeys, indexed.siteRepos);
    const pages = await book.timed("publish", () => publish(tree, o, state, indexed, trust, book));
    book.step = "retention";
    const liveDigest = await book.timed("retention", () => {
      failAfter("retention");
      return o.skipRetention ? null : retain(tree, o, state, indexed, [...trust.files, ...pages], clean, book);
    });
    book.step = "saving the state";
    await book.timed("save", async () => {
      if (o.dryRun)
        return;
      book.collect();
      await tree.commit();
      await Promise.all([saving ?? state.saveCaches(), state.saveRetention()]);
      if (state.dirty)
        await state.saveCaches();
      if (liveDigest !== null && (liveDigest !== clean || forgot))
        writeTreeClean(c.state, liveDigest);
    });
    failAfter("state");
    const rejected = [...found.rejections, ...packaged.rejected, ...sel.rejected, ...indexed.rejected];
    const summary = summarize(o, tree, found, rejected, indexed, book.finish());
    if (!o.dryRun)
      await book.timed("record", () => recordLastRun(c, state, salt, found.stamp ?? null, liveDigest, summary, indexed));
    return { summary, outcomes: outcomesOf(c, found, rejected, indexed.chosen) };
  } catch (e) {
    if (book.live) {
      throw new BookkeepingError(`published, but the run could not finish its bookkeeping (${book.step}: ${errorLine(e)}); the tree is consistent and the next run completes it`, c.output);
    }
    if (e instanceof LeaseLostError)
      throw e;
    await takeBack(tree, c.output, book, e);
    throw e;
  } finally {
    await saving?.catch(() => void 0);
    await rm4(work, { recursive: true, force: true }).catch(() => void 0);
    await tree.close().catch(() => void 0);
  }
}
async function takeBack(tree, root, book, cause) {
  const left = [];
  for (const { rel, old } of [...book.undo].reverse()) {
    try {
      if (old === null)
        await tree.discard(rel);
      else
        await tree.put(rel, old, { uncounted: true });
    } catch {
      left.push(rel);
    }
  }
  for (const p of book.placed)
    await tree.discard(p).catch(() => left.push(p));
  if (left.length)
    throw new BookkeepingError(`failed before publishing (${errorLine(cause)}), and could not take back ${left.length} new file(s) such as ${left[0]}; no index names them, the next run reuses or removes them`, root);
  if (!tree.dryRun && !isS3Url(root))
    pruneEmptyFolders(root, [...book.undo.map((u) => u.rel), ...book.placed]);
}
function pruneEmptyFolders(root, rels) {
  const dirs2 = new Set(rels.map((r) => path10.posix.dirname(r)));
  for (let d of [...dirs2].sort((a, b) => b.length - a.length)) {
    for (; d !== "." && d !== "/" && d !== ""; d = path10.posix.dirname(d)) {
      try {
        rmdirSync(path10.join(root, d));
      } catch {
        break;
      }
    }
  }
}
async function scan(c, state) {
  return scanBuilds(c.builds, state);
}
async function openWork(stateDir, work) {
  for (const d of readdirSync5(stateDir))
    if (/^work-\d+$/.test(d))
      await rm4(path10.join(stateDir, d), { recursive: true, force: true });
  await mkdir4(work, { recursive: true });
}
async function packageBuilds(o, state, builds, work, book) {
  const c = o.config;
  const pre = preselect(builds, c.keepVersions, c.versioning);
  const ctx = { config: c, work, hash: (f) => hashWithCache(f, void 0) };
  let done = 0;
  let total = pre.first.length;
  const readOne = async (b) => {
    const family = o.families[b.platform.family];
    try {
      const specSha = b.spec ? createHash8("sha256").update(await readRegularFile(b.spec, SPEC_FILE)).digest("hex") : "";
      const key = `${buildKey(b)}:${b.mainSha256 ?? specSha}:${family.cacheSalt(c)}:${b.platform.platform}:${b.arch}${b.versioning ? `:v=${b.versioning}` : ""}`;
      const id = path10.resolve(b.dir);
      const cached = state.getPackage(id, key);
      const prep = await family.prepare(b, ctx, cached);
      if (!cached)
        state.setPackage(id, key, prep.pkg);
      return { build: b, family, repo: family.repositoryOf(b, prep.pkg), ...prep, redo: cached ? { id, key } : void 0 };
    } catch (e) {
      return { dir: b.dir, reason: b.kind === "tree" ? errorLine(e) : errorLine(e).split(deliveredPath(work, b)).join(b.main) };
    } finally {
      done++;
      book.progress?.(done, total, "packaging");
      if (done % 2500 === 0)
        book.collect();
    }
  };
  const outcome = /* @__PURE__ */ new Map();
  let wave = pre.first;
  while (wave.length) {
    const got = await mapLimit(wave, PARALLEL, readOne);
    for (const [i, b] of wave.entries())
      outcome.set(b, got[i]);
    wave = pre.more(outcome);
    total += wave.length;
  }
  const candidates = [];
  const rejected = [];
  for (const b of builds) {
    const p = outcome.get(b);
    if (!p)
      continue;
    if ("reason" in p)
      rejected.push(p);
    else
      candidates.push(p);
  }
  return { candidates, rejected };
}
async function ensurePool(o, state, tree, chosen, work) {
  const ctx = { config: o.config, work, hash: (f) => hashWithCache(f, void 0) };
  await mapLimit(chosen, PARALLEL, async (cand) => {
    if (!cand.redo)
      return;
    const size = await tree.size(cand.pkg.pool);
    const changelogThere = !cand.pkg.changelog || await tree.size(cand.pkg.changelog) !== null;
    if (size === cand.pkg.size && changelogThere)
      return;
    const prep = await cand.family.prepare(cand.build, ctx, void 0);
    state.setPackage(cand.redo.id, cand.redo.key, prep.pkg);
    Object.assign(cand, prep);
  });
}
async function index(tree, chosen, site, memo, book, poolPlaced) {
  let indexing = buildIndexes(chosen, site, memo);
  indexing.catch(() => void 0);
  const pool = await book.timed("pool", () => placePool(tree, chosen, book.placed));
  failAfter("pool");
  poolPlaced();
  if (pool.failed.size) {
    await indexing.catch(() => void 0);
    chosen = chosen.filter((c) => !pool.failed.has(c));
    indexing = buildIndexes(chosen, site, memo);
  }
  return { ...await indexing, chosen, live: pool.live, rejected: pool.rejected };
}
async function placePool(tree, chosen, placed) {
  const live = /* @__PURE__ */ new Set();
  const failed = /* @__PURE__ */ new Set();
  const rejected = [];
  await tree.checkpoint();
  for (const cand of chosen)
    live.add(cand.pkg.pool);
  await mapLimit(chosen, tree.poolConcurrency, async (cand, i) => {
    if (i % 32 === 31)
      await new Promise((r) => setImmediate(r));
    if (!cand.produced)
      return;
    try {
      if (await tree.placePool(cand.pkg.pool, cand.produced, cand.pkg.sha256, { move: cand.move }))
        placed.push(cand.pkg.pool);
    } catch (e) {
      if (e instanceof LockedError)
        throw e;
      rejected.push({ dir: cand.build.dir, reason: errorLine(e) });
      failed.add(cand);
      live.delete(cand.pkg.pool);
    }
  });
  await placeExtras(tree, chosen.filter((c) => !failed.has(c)), live, placed);
  return { live, failed, rejected };
}
async function placeExtras(tree, chosen, live, placed) {
  for (const cand of chosen)
    if (cand.pkg.changelog)
      live.add(cand.pkg.changelog);
  const own = (c, p) => path10.posix.basename(path10.posix.dirname(p)) === c.pkg.name ? 0 : 1;
  const extras = chosen.flatMap((c) => (c.extras ?? []).map((x) => ({ x, rank: own(c, x.path) }))).sort((a, b) => a.rank - b.rank);
  for (const { x } of extras)
    if (await tree.size(x.path) === null && await tree.put(x.path, await readFile2(x.file)))
      placed.push(x.path);
}
function sign(o, publicKeys, siteRepos) {
  const c = o.config;
  const kr = keyringName(c.origin);
  const files = [];
  const aptSuites = siteRepos.filter((r) => r.kind === "apt").map((r) => r.key);
  const sourcesBySuite = {};
  if (aptSuites.length && publicKeys.aptBinary) {
    files.push({ path: "apt/archive-keyring.gpg", data: Buffer.from(publicKeys.aptBinary), stage: 1 });
    files.push({ path: "apt/archive-keyring.asc", data: Buffer.from(publicKeys.aptArmored ?? ""), stage: 1 });
    for (const s of aptSuites) {
      sourcesBySuite[s] = aptSources(c.baseUrl, s, kr);
      files.push({ path: `apt/${s}.sources`, data: Buffer.from(sourcesBySuite[s]), stage: 1 });
    }
  }
  if (o.extraFiles)
    files.push(...o.extraFiles(siteRepos));
  return { files, sourcesBySuite, keyringName: kr };
}
async function publish(tree, o, state, indexed, trust, book) {
  const c = o.config;
  const { files, repoBases } = indexed;
  const put = async (rel, data, opts = {}) => {
    const old = o.dryRun ? null : await tree.read(rel);
    if (await tree.put(rel, data, opts))
      book.undo.push({ rel, old });
  };
  for (const f of trust.files.filter((x) => x.stage === 1))
    await put(f.path, f.data);
  for (const f of files.filter((x) => x.stage === 1))
    await put(f.path, f.data, { mtime: f.mtime });
  const markers = [];
  for (const r of repoBases) {
    const expected = {};
    let differs = false;
    for (const f of files) {
      if (f.stage === 1 || !f.path.startsWith(r + "/"))
        continue;
      expected[f.path.slice(r.length + 1)] = createHash8("sha256").update(f.data).digest("hex");
      const old = await tree.read(f.path);
      if (!old || !old.equals(f.data))
        differs = true;
    }
    if (o.dryRun)
      continue;
    if (differs) {
      await put(`${r}/${MARKER}`, JSON.stringify({ files: expected }) + "\n", { uncounted: true });
      markers.push(`${r}/${MARKER}`);
    } else
      await tree.discard(`${r}/${MARKER}`);
  }
  failAfter("by-hash");
  book.live = !o.dryRun;
  for (const stage of [2, 3, 4]) {
    await tree.checkpoint();
    for (const f of trust.files.filter((x) => x.stage === stage))
      await tree.put(f.path, f.data);
    for (const f of files.filter((x) => x.stage === stage))
      await tree.put(f.path, f.data, { mtime: f.mtime });
  }
  await tree.checkpoint();
  await publishAliases(tree, indexed.aliases);
  for (const m of markers)
    await tree.discard(m);
  if (!o.dryRun)
    await recordRepositories(tree, state, indexed);
  const newest2 = indexed.chosen.reduce((m, x) => Math.max(m, x.build.start.getTime()), 0);
  book.step = "writing the web pages";
  const pages = await publishPages(tree, state, o.dryRun, {
    label: c.label,
    description: c.description,
    baseUrl: c.baseUrl,
    origin: c.origin,
    keyringName: trust.keyringName,
    generated: new Date(newest2 || 0),
    repos: indexed.siteRepos.map((r) => ({
      kind: r.kind,
      key: r.key,
      packages: r.rows.map((x) => x.source),
      ...indexed.dates.get(`${r.kind === "apt" ? "debian" : "freebsd"}\0${r.key}`) ?? {}
    })),
    aptSources: trust.sourcesBySuite,
    pkgConf: o.pkgConf ?? null
  });
  failAfter("index-page");
  return pages;
}
async function publishPages(tree, state, dryRun, input) {
  const fingerprint2 = siteFingerprint(input);
  const indexThere = await tree.size("index.html") !== null;
  if (state.text("site-pages", fingerprint2) !== void 0 && indexThere)
    return sitePaths(input).map((p) => ({ path: p }));
  const recorded = indexThere ? decodeDigests(state.text("site-page-digests", "1")) : /* @__PURE__ */ new Map();
  const there = await mapLimit([...recorded.keys()], PARALLEL, async (p) => await tree.size(p) !== null);
  for (const [i, p] of [...recorded.keys()].entries())
    if (!there[i])
      recorded.delete(p);
  const { files, digests } = sitePages(input, (p, d) => recorded.get(p) === d);
  await tree.putMany(files.filter((f) => f.path !== "index.html"));
  for (const f of files.filter((f2) => f2.path === "index.html"))
    await tree.put(f.path, f.data);
  if (!dryRun) {
    state.setText("site-pages", fingerprint2, "");
    state.setText("site-page-digests", "1", [...digests].map(([p, d]) => `${d} ${p}`).join("\n"));
  }
  return sitePaths(input).map((p) => ({ path: p }));
}
function decodeDigests(text2) {
  const out = /* @__PURE__ */ new Map();
  for (const line of (text2 ?? "").split("\n")) {
    const sp = line.indexOf(" ");
    if (sp > 0)
      out.set(line.slice(sp + 1), line.slice(0, sp));
  }
  return out;
}
var LAST_RUN = "last-run";
async function unchangedSinceLastRun(c, state, tree, now, clean, salt) {
  const last = decodeLastRun(state.text(LAST_RUN, "1"));
  if (!last || listPending(c.state).size > 0)
    return null;
  const same = await stillTheSame(last, {
    salt,
    stamp: last.salt === salt ? buildsStamp(c.builds, state) : null,
    clean,
    now,
    continuous: tree.continuous,
    size: (rel) => tree.size(rel),
    aliases: () => tree.aliases("apt/dists"),
    repoIntact: async (name) => {
      const r = decodeRecord2(state.text(name, "1"));
      return r !== null && await stillPublished(r, r.fp, now, (rel) => tree.version(rel));
    }
  });
  return same ? last.summary : null;
}
async function recordLastRun(c, state, salt, stamp, live, summary, indexed) {
  const had = !!state.text(LAST_RUN, "1");
  if (live === null || summary.rejected.length > 0 || stamp === null || summary.builds === 0) {
    if (had)
      state.setText(LAST_RUN, "1", "");
  } else {
    const repos = indexed.siteRepos.map((r) => repoRecordName(r.kind === "apt" ? "debian" : "freebsd", r.key));
    const records = repos.map((n) => decodeRecord2(state.text(n, "1")));
    if (records.some((r) => r === null)) {
      if (had)
        state.setText(LAST_RUN, "1", "");
    } else {
      const renew = records.map((r) => r.renewAfter).filter((t) => t !== null);
      const dropped = Object.values(state.dropped);
      const pool = [];
      for (const x of indexed.chosen) {
        pool.push([x.pkg.pool, x.pkg.size]);
        if (x.pkg.changelog)
          pool.push([x.pkg.changelog, -1]);
      }
      const { added: _a, updated: _u, removed: _r, unchanged: _n, timings: _t, dryRun: _d, requests: _q, ...rest } = summary;
      const text2 = encodeLastRun({
        salt,
        stamp,
        live,
        renewAfter: renew.length ? Math.min(...renew) : null,
        // The first removal due, or the daily walk of the tree, whichever comes first.
        dueAt: Math.min((Number(state.text(LAST_WALK, "1") ?? "0") + WALK_EVERY_S) * 1e3, ...dropped.length ? [Math.min(...dropped) * 1e3 + c.graceHours * 36e5] : []),
        repos,
        pool,
        aliases: indexed.aliases,
        summary: { ...rest, repositories: rest.repositories.map((r) => ({ ...r, changed: false })) }
      });
      if (state.text(LAST_RUN, "1") !== text2)
        state.setText(LAST_RUN, "1", text2);
    }
  }
  if (state.dirty)
    await state.saveCaches();
}
async function retain(tree, o, state, indexed, site, clean, book) {
  const live = new Set(indexed.live);
  for (const f of indexed.files)
    live.add(f.path);
  for (const f of indexed.kept)
    live.add(f);
  for (const f of site)
    live.add(f.path);
  const h = createHash8("sha256");
  for (const f of live)
    h.update(f + "\0");
  const digest = h.digest("hex");
  const nowS = Math.floor(o.now.getTime() / 1e3);
  const due = Object.values(state.dropped).some((t) => nowS - t >= o.config.graceHours * 3600);
  const remember = () => {
    if (o.dryRun || state.text(LIVE_DIGEST, "1") === digest)
      return;
    state.setText(LIVE_SET, digest, [...live].join("\n"));
    state.setText(LIVE_DIGEST, "1", digest);
  };
  const lastWalk = Number(state.text(LAST_WALK, "1") ?? "0");
  const walkDue = !(nowS - lastWalk < WALK_EVERY_S && nowS >= lastWalk);
  if (digest === clean && tree.continuous && !due && !walkDue)
    return digest;
  const before = clean !== null && tree.continuous && state.text(LIVE_DIGEST, "1") === clean ? state.text(LIVE_SET, clean) : void 0;
  if (before !== void 0 && !walkDue) {
    const gone = before.split("\n").filter((p) => p && !live.has(p) && isManaged(p));
    const candidates = [.../* @__PURE__ */ new Set([...gone, ...Object.keys(state.dropped)])];
    const there = await mapLimit(candidates, PARALLEL, async (p) => await tree.size(p) !== null);
    await applyRetention(tree, candidates.filter((_, i) => there[i]), live, state.dropped, nowS, o.config.graceHours);
    remember();
    return digest;
  }
  const existing = await book.timed("survey", () => tree.survey());
  await applyRetention(tree, existing, live, state.dropped, nowS, o.config.graceHours);
  if (!o.dryRun)
    state.setText(LAST_WALK, "1", String(nowS));
  remember();
  return digest;
}
var LIVE_SET = "live-set";
var LIVE_DIGEST = "live-digest";
var LAST_WALK = "last-walk";
var WALK_EVERY_S = 24 * 3600;
var TREE_CLEAN = "tree-clean";
function readTreeClean(stateDir) {
  try {
    return readFileSync4(path10.join(stateDir, TREE_CLEAN), "utf8").trim() || null;
  } catch {
    return null;
  }
}
function forgetTreeClean(stateDir) {
  rmSync3(path10.join(stateDir, TREE_CLEAN), { force: true });
}
function writeTreeClean(stateDir, digest) {
  const tmp = path10.join(stateDir, `.${TREE_CLEAN}.tmp-${process.pid}`);
  writeFileSync4(tmp, digest + "\n");
  renameSync2(tmp, path10.join(stateDir, TREE_CLEAN));
}
function outcomesOf(c, found, rejected, chosen) {
  const out = /* @__PURE__ */ new Map();
  for (const b of found.builds)
    out.set(buildKey(b), { status: "not-chosen", reason: `not in the indexes: the same binary is published by an earlier build, or keep_versions = ${c.keepVersions} newer versions are` });
  for (const r of rejected)
    out.set(buildKeyOfDir(r.dir), { status: "rejected", reason: r.reason });
  for (const f of found.failed)
    out.set(buildKeyOfDir(f), { status: "rejected", reason: `build.json says "result": "failure"` });
  for (const x of chosen)
    out.set(buildKey(x.build), {
      status: "published",
      repository: `${x.family.name === "debian" ? "apt" : "pkg"} ${x.repo}`,
      name: x.pkg.name,
      version: x.pkg.version,
      arch: x.pkg.arch,
      file: x.pkg.pool
    });
  return out;
}
function summarize(o, tree, found, rejected, indexed, timings) {
  const published = {};
  for (const r of indexed.siteRepos)
    published[`${r.kind} ${r.key}`] = r.rows.map(({ name, version, arch, file: file2 }) => ({ name, version, arch, file: file2 }));
  return {
    builds: found.builds.length,
    failed: found.failed.length,
    published,
    repositories: indexed.repoSummaries,
    added: tree.changes.added,
    updated: tree.changes.updated,
    removed: tree.changes.removed,
    unchanged: tree.changes.unchanged,
    rejected: rejected.sort((a, b) => a.dir < b.dir ? -1 : 1).map((r) => ({ build: buildKeyOfDir(r.dir), ...r })),
    warnings: indexed.warnings,
    timings,
    dryRun: o.dryRun,
    ...tree.requests() ? { requests: tree.requests() } : {}
  };
}

// dist/signing/keys.js
import { createHash as createHash9, createPrivateKey, createPublicKey, generateKeyPairSync } from "node:crypto";
import { existsSync as existsSync4, readFileSync as readFileSync5 } from "node:fs";
import { readFile as readFile3, stat as stat2, writeFile as writeFile3, mkdir as mkdir5 } from "node:fs/promises";
import path11 from "node:path";
import { fileURLToPath as fileURLToPath2 } from "node:url";

// dist/signing/openpgp.js
import * as openpgp2 from "openpgp";

// dist/signing/policy.js
import * as openpgp from "openpgp";
var HASH_CUTOFF = /* @__PURE__ */ new Map([
  [1, ["MD5", /* @__PURE__ */ new Date(0)]],
  [2, ["SHA-1", /* @__PURE__ */ new Date("2026-02-01T00:00:00Z")]],
  [3, ["RIPEMD-160", /* @__PURE__ */ new Date(0)]],
  [11, ["SHA-224", /* @__PURE__ */ new Date("2026-02-01T00:00:00Z")]]
]);
var RSA2048_CUTOFF = /* @__PURE__ */ new Date("2030-02-01T00:00:00Z");
var BRAINPOOL_CUTOFF = /* @__PURE__ */ new Date("2028-02-01T00:00:00Z");
var INSPECT = { ...openpgp.config, minRSABits: 512, rejectHashAlgorithms: /* @__PURE__ */ new Set(), rejectPublicKeyAlgorithms: /* @__PURE__ */ new Set() };
var day = (d) => d.toISOString().slice(0, 10);
function checkAlgorithm(p, what, now, v) {
  const info = p.getAlgorithmInfo();
  const a = info.algorithm;
  const until = (cutoff, text2) => (now.getTime() >= cutoff.getTime() ? v.problems : v.warnings).push(`${text2} ${now.getTime() >= cutoff.getTime() ? "since" : "from"} ${day(cutoff)}`);
  if (a === "rsaEncryptSign" || a === "rsaSign") {
    const bits = info.bits ?? 0;
    if (bits < 2048)
      v.problems.push(`the ${what} is RSA-${bits}; sqv (Debian 13) and apt refuse RSA under 2048 bits (use ed25519 or RSA 3072+)`);
    else if (bits < 3072)
      until(RSA2048_CUTOFF, `the ${what} is RSA-${bits}, which apt's sqv policy refuses`);
  } else if (a === "eddsaLegacy") {
    if (info.curve !== "ed25519Legacy")
      v.problems.push(`the ${what} uses EdDSA on ${info.curve}, which Debian's gpgv does not verify`);
  } else if (a === "ecdsa") {
    if (/^brainpool/.test(info.curve ?? ""))
      until(BRAINPOOL_CUTOFF, `the ${what} uses ECDSA on ${info.curve}, which apt's sqv policy refuses`);
    else if (!["nistP256", "nistP384", "nistP521"].includes(info.curve ?? ""))
      v.problems.push(`the ${what} uses ECDSA on ${info.curve}, which sqv refuses`);
  } else if (a === "ed25519" || a === "ed448")
    v.problems.push(`the ${what} uses the RFC 9580 ${a} algorithm, which Debian 12's gpgv does not verify (make a v4 ed25519 "legacy" key)`);
  else
    v.problems.push(`the ${what} is ${a}, which Debian's clients refuse for signing (use ed25519 or RSA 3072+)`);
}
function checkHash(sig, what, now, v) {
  const weak = HASH_CUTOFF.get(sig.hashAlgorithm);
  if (!weak)
    return;
  const [name, cutoff] = weak;
  const fix = "(re-sign it with a strong digest: gpg --cert-digest-algo SHA512 --quick-set-expire FPR 2y; or make a new key)";
  if (now.getTime() >= cutoff.getTime())
    v.problems.push(`the ${what} uses ${name}, which sqv (Debian 13) refuses ${fix}`);
  else
    v.warnings.push(`the ${what} uses ${name}, which sqv (Debian 13) refuses from ${day(cutoff)} ${fix}`);
}
function newest(sigs) {
  return [...sigs].sort((a, b) => (b.created?.getTime() ?? 0) - (a.created?.getTime() ?? 0))[0];
}
async function signingPart(key) {
  const k = await key.getSigningKey(void 0, null, void 0, INSPECT);
  const subkey = key.subkeys.find((s) => s === k) ?? null;
  return { packet: k.keyPacket, subkey };
}
async function keyPolicy(key, now) {
  const v = { problems: [], warnings: [] };
  const out = v.problems;
  if (key.keyPacket.version !== 4)
    return { problems: [`OpenPGP key is version ${key.keyPacket.version}; Debian's gpgv needs a v4 key`], warnings: [] };
  checkAlgorithm(key.keyPacket, "primary key", now, v);
  let self = null;
  try {
    self = (await key.getPrimaryUser(null, void 0, INSPECT)).selfCertification;
  } catch (e) {
    const raw = newest(key.users.flatMap((u) => u.selfCertifications));
    const before = out.length;
    if (raw)
      checkHash(raw, "self-signature on the user ID", now, v);
    if (out.length === before)
      out.push(`no valid self-signature (${e.message})`);
  }
  if (self)
    checkHash(self, "self-signature on the user ID", now, v);
  let part = null;
  try {
    part = await signingPart(key);
  } catch (e) {
    if (!out.length)
      out.push(`no key that can sign (${e.message})`);
  }
  if (part?.subkey) {
    checkAlgorithm(part.packet, "signing subkey", now, v);
    const binding = newest(part.subkey.bindingSignatures);
    if (binding) {
      checkHash(binding, "signing subkey's binding signature", now, v);
      if (binding.embeddedSignature)
        checkHash(binding.embeddedSignature, "signing subkey's back-signature", now, v);
    }
  }
  return v;
}
async function signingKeyInfo(key, keyId) {
  const asDate = (d) => d instanceof Date && Number.isFinite(d.getTime()) ? d : null;
  let expires = asDate(await key.getExpirationTime(void 0, INSPECT));
  const subkey = keyId ? key.subkeys.find((s) => s.getKeyID().equals(keyId)) ?? null : (await signingPart(key).catch(() => null))?.subkey ?? null;
  if (subkey) {
    const sub = asDate(await subkey.getExpirationTime(null, INSPECT));
    if (sub && (!expires || sub < expires))
      expires = sub;
  }
  let userId = "";
  try {
    userId = (await key.getPrimaryUser(null, void 0, INSPECT)).user.userID?.userID ?? "";
  } catch {
    userId = key.getUserIDs()[0] ?? "";
  }
  return { expires, userId };
}

// dist/signing/openpgp.js
var CONFIG = { nonDeterministicSignaturesViaNotation: false };
function dashEscape(text2) {
  return text2.split("\n").map((l) => l.startsWith("-") ? `- ${l}` : l).join("\n");
}
var HASH_NAMES = { 1: "MD5", 2: "SHA1", 3: "RIPEMD160", 8: "SHA256", 9: "SHA384", 10: "SHA512", 11: "SHA224", 12: "SHA3-256", 14: "SHA3-512" };
async function loadAptKey(armored, passphrase, subject, now) {
  let key;
  try {
    key = await openpgp2.readPrivateKey({ armoredKey: armored });
  } catch (e) {
    throw new KeyError(`not an armored OpenPGP private key: ${e.message}`, subject);
  }
  const policy = await keyPolicy(key, now);
  if (policy.problems.length)
    throw new KeyError(`refused: ${policy.problems.join("; ")}`, subject);
  if (!key.isDecrypted()) {
    if (passphrase === void 0)
      throw new KeyError("the private key is encrypted: give --passphrase-file", subject);
    try {
      key = await openpgp2.decryptKey({ privateKey: key, passphrase });
    } catch {
      throw new KeyError("wrong passphrase for the private key", subject);
    }
  }
  const info = await signingKeyInfo(key);
  return { file: subject, fingerprint: key.getFingerprint().toUpperCase(), created: key.getCreationTime(), expires: info.expires, userId: info.userId, key, warnings: policy.warnings };
}
async function signatures(keys, message, date) {
  const packets = new openpgp2.PacketList();
  for (const k of keys) {
    const d = date.getTime() < k.created.getTime() ? k.created : date;
    const armored = await openpgp2.sign({ message, signingKeys: k.key, detached: true, date: d, config: CONFIG });
    const sig = await openpgp2.readSignature({ armoredSignature: armored });
    for (const p of sig.packets)
      packets.push(p);
  }
  return new openpgp2.Signature(packets);
}
function armorBlock(sig) {
  const text2 = sig.armor().replace(/\r\n/g, "\n").replace(/^-----BEGIN PGP SIGNATURE-----\n(?:[A-Za-z]+: .*\n)*/, "-----BEGIN PGP SIGNATURE-----\n");
  return text2.endsWith("\n") ? text2 : text2 + "\n";
}
function aptSigner(keys) {
  if (!keys.length)
    throw new Error("aptSigner needs at least one key");
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
    publicArmored: openpgp2.armor(openpgp2.enums.armor.publicKey, publicBinary, void 0, void 0, void 0, true).replace(/\r\n/g, "\n"),
    async clearsign(text2, date) {
      if (!text2.endsWith("\n"))
        throw new Error("Release text must end with a newline");
      const body = text2.slice(0, -1);
      const sig = await signatures(keys, await openpgp2.createMessage({ text: body, format: "utf8" }), date);
      const hashes = [...new Set(sig.packets.map((p) => HASH_NAMES[p.hashAlgorithm ?? 10] ?? "SHA512"))];
      return `-----BEGIN PGP SIGNED MESSAGE-----
Hash: ${hashes.join(",")}

${dashEscape(body)}
${armorBlock(sig)}`;
    },
    async detach(data, date) {
      return armorBlock(await signatures(keys, await openpgp2.createMessage({ binary: data }), date));
    },
    async signedByAll(inRelease) {
      const block = /-----BEGIN PGP SIGNATURE-----[\s\S]*?-----END PGP SIGNATURE-----/.exec(inRelease)?.[0];
      if (!block)
        return false;
      try {
        const sig = await openpgp2.readSignature({ armoredSignature: block });
        const issuers = sig.packets.map((p) => {
          const f = p.issuerFingerprint;
          return f ? Buffer.from(f).toString("hex").toUpperCase() : "";
        });
        const parts = keys.map((k) => k.key.getKeys().map((c) => c.getFingerprint().toUpperCase()));
        return issuers.length === keys.length && parts.every((fprs) => issuers.some((i) => fprs.includes(i)));
      } catch {
        return false;
      }
    }
  };
}
async function generateAptKey(opts) {
  const common = {
    userIDs: [{ name: opts.name, email: opts.email }],
    format: "armored",
    passphrase: opts.passphrase,
    date: opts.date,
    keyExpirationTime: opts.expiresIn,
    config: { v6Keys: false, preferredHashAlgorithm: openpgp2.enums.hash.sha512 }
  };
  const res = opts.type === "ed25519" ? await openpgp2.generateKey({ ...common, type: "ecc", curve: "ed25519Legacy" }) : await openpgp2.generateKey({ ...common, type: "rsa", rsaBits: 4096 });
  return { privateKey: res.privateKey, publicKey: res.publicKey };
}

// dist/signing/keys.js
var APT_KEY = "apt-signing-key.asc";
var PKG_KEY = "pkg-signing-key.pem";
var DEMO_DIR = path11.resolve(path11.dirname(fileURLToPath2(import.meta.url)), "..", "..", "keys.example");
async function readPassphrase(file2) {
  if (file2 === void 0)
    return void 0;
  try {
    return (await readFile3(file2, "utf8")).replace(/\r?\n$/, "");
  } catch (e) {
    throw new UsageError(`cannot read passphrase file: ${e.code ?? e.message}`, file2);
  }
}
async function warnPermissions(file2, warn) {
  const st = await stat2(file2);
  if (st.mode & 63)
    warn(`warning: ${file2} is readable by group or others (mode ${(st.mode & 511).toString(8)}); chmod 600 it`);
}
function isDemo(file2, name) {
  const demo = path11.join(DEMO_DIR, name);
  if (!existsSync4(demo))
    return false;
  try {
    return readFileSync5(demo, "utf8").trim() === readFileSync5(file2, "utf8").trim();
  } catch {
    return false;
  }
}
async function readKeyFile(keysDir, name, what, warn) {
  const file2 = path11.join(keysDir, name);
  let text2;
  try {
    text2 = await readFile3(file2, "utf8");
  } catch {
    throw new KeyError(`no ${what} (run "repogen keygen --keys ${keysDir}" or put one there)`, file2);
  }
  if (isDemo(file2, name))
    warn(`WARNING: signing with the PUBLIC DEMO KEY ${name} from keys.example/: anyone can forge this repository. Run "repogen keygen" for real keys.`);
  else
    await warnPermissions(file2, warn);
  return { file: file2, text: text2 };
}
var day2 = (d) => d.toISOString().slice(0, 10);
function expiryWindow(now, validDays) {
  const validUntil = new Date(now.getTime() + validDays * 864e5);
  return { now, validUntil, warnUntil: new Date(validUntil.getTime() + Math.max(validDays, 14) * 864e5) };
}
async function loadAptKeys(keysDir, names2, passphrase, w, warn) {
  const keys = [];
  for (const name of names2) {
    const { file: file2, text: text2 } = await readKeyFile(keysDir, name, "APT signing key (an armored OpenPGP private key)", warn);
    const k = await loadAptKey(text2, passphrase, file2, w.now);
    for (const x of k.warnings)
      warn(`warning: ${file2}: ${x}`);
    const same = keys.find((o) => o.fingerprint === k.fingerprint);
    if (same)
      throw new KeyError(`the same key as ${same.file} (${k.fingerprint}); list each key once in [apt] signing_keys`, file2);
    if (k.expires && k.expires.getTime() <= w.now.getTime())
      throw new KeyError(`the OpenPGP key ${k.fingerprint} expired on ${k.expires.toISOString()}; apt refuses its signatures (EXPKEYSIG)`, file2);
    if (k.expires && k.expires.getTime() < w.validUntil.getTime())
      throw new KeyError(`the OpenPGP key ${k.fingerprint} expires on ${k.expires.toISOString()}, before the Valid-Until this run would write (${w.validUntil.toISOString()}): clients would refuse the repository from then on. Extend it (gpg --quick-set-expire) or rotate to a new key (see "Rotating keys" in the README)`, file2);
    if (k.expires && k.expires.getTime() < w.warnUntil.getTime())
      warn(`warning: ${file2}: the OpenPGP key ${k.fingerprint} expires on ${day2(k.expires)}; runs from ${day2(new Date(k.expires.getTime() - (w.validUntil.getTime() - w.now.getTime())))} on will refuse it: extend it or rotate to a new key now`);
    keys.push(k);
  }
  return aptSigner(keys);
}
async function loadPkgKey(keysDir, passphrase, warn, name = PKG_KEY) {
  const { file: file2, text: text2 } = await readKeyFile(keysDir, name, "FreeBSD signing key (an RSA private key in PEM)", warn);
  let key;
  try {
    key = createPrivateKey({ key: text2, format: "pem", passphrase });
  } catch (e) {
    const msg = e.message;
    if (/passphrase|decrypt|bad decrypt/i.test(msg))
      throw new KeyError(passphrase === void 0 ? "the RSA key is encrypted: give --passphrase-file" : "wrong passphrase for the RSA key", file2);
    throw new KeyError(`not a PEM private key: ${msg}`, file2);
  }
  if (key.asymmetricKeyType !== "rsa")
    throw new KeyError(`the FreeBSD signing key must be RSA, not ${key.asymmetricKeyType}`, file2);
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < 2048)
    throw new KeyError(`the RSA key has ${bits} bits; at least 2048 are needed`, file2);
  const publicPem = createPublicKey(key).export({ type: "spki", format: "pem" }).toString();
  return { key, publicPem };
}
function publicName(file2) {
  return file2.replace(/\.(asc|pem)$/, ".pub.$1");
}
function checkKeyName(name, what) {
  if (!/^[A-Za-z0-9][A-Za-z0-9._+-]*$/.test(name) || name.includes(".."))
    throw new UsageError(`${what} "${name}" must be a file name in the keys folder (letters, digits, . _ + -)`);
}
async function keygen(o) {
  const apt = o.file === void 0 || o.file.endsWith(".asc");
  const pkg = o.file === void 0 || o.file.endsWith(".pem");
  if (o.file !== void 0) {
    checkKeyName(o.file, "--file");
    if (!apt && !pkg)
      throw new UsageError(`--file "${o.file}" must end in .asc (an OpenPGP key for APT) or .pem (an RSA key for FreeBSD)`);
    if (o.file.endsWith(".pub.asc") || o.file.endsWith(".pub.pem"))
      throw new UsageError(`--file names the private key; its public half is written beside it`);
  }
  const aptName = o.file ?? APT_KEY;
  const pkgName = o.file ?? PKG_KEY;
  const names2 = [...apt ? [aptName, publicName(aptName)] : [], ...pkg ? [pkgName, publicName(pkgName)] : []];
  const files = names2.map((f) => path11.join(o.keysDir, f));
  for (const f of files)
    if (existsSync4(f))
      throw new UsageError("refusing to overwrite an existing key", f);
  await mkdir5(o.keysDir, { recursive: true, mode: 448 });
  const contents = [];
  if (apt) {
    const k = await generateAptKey({ name: o.name, email: o.email, type: o.aptKey, passphrase: o.passphrase, date: o.created, expiresIn: o.expiresIn });
    contents.push([k.privateKey, 384], [k.publicKey, 420]);
  }
  if (pkg) {
    const rsa = generateKeyPairSync("rsa", { modulusLength: 4096 });
    const pkgPriv = o.passphrase ? rsa.privateKey.export({ type: "pkcs8", format: "pem", cipher: "aes-256-cbc", passphrase: o.passphrase }) : rsa.privateKey.export({ type: "pkcs8", format: "pem" });
    contents.push([pkgPriv, 384], [rsa.publicKey.export({ type: "spki", format: "pem" }), 420]);
  }
  for (const [i, [data, mode]] of contents.entries())
    await writeFile3(files[i], data, { mode, flag: "wx" });
  return files;
}
function parseExpiry(text2, from) {
  if (text2 === "never" || text2 === "0")
    return 0;
  const m = /^(\d{1,4})([dwmy])$/.exec(text2);
  let until;
  if (m) {
    const n = Number(m[1]);
    until = new Date(from.getTime());
    if (m[2] === "d")
      until.setUTCDate(until.getUTCDate() + n);
    else if (m[2] === "w")
      until.setUTCDate(until.getUTCDate() + 7 * n);
    else if (m[2] === "m")
      until.setUTCMonth(until.getUTCMonth() + n);
    else
      until.setUTCFullYear(until.getUTCFullYear() + n);
  } else if (/^\d{4}-\d{2}-\d{2}/.test(text2) && !Number.isNaN(Date.parse(text2)))
    until = new Date(Date.parse(text2));
  else
    throw new UsageError(`--expires "${text2}" must be like 2y, 18m, 6w, 90d, an ISO date, or never`);
  const s = Math.floor((until.getTime() - from.getTime()) / 1e3);
  if (s <= 0)
    throw new UsageError(`--expires "${text2}" lies before the key's creation`);
  return s;
}
async function loadPkgPublicKeys(keysDir, names2) {
  const out = [];
  for (const name of names2) {
    const file2 = path11.join(keysDir, name);
    let text2;
    try {
      text2 = await readFile3(file2, "utf8");
    } catch (e) {
      throw new KeyError(`cannot read the public key: ${e.code ?? e.message}`, file2);
    }
    let key;
    try {
      key = createPublicKey({ key: text2, format: "pem" });
    } catch (e) {
      throw new KeyError(`not a PEM public key: ${e.message}`, file2);
    }
    if (key.asymmetricKeyType !== "rsa")
      throw new KeyError(`a FreeBSD key must be RSA, not ${key.asymmetricKeyType}`, file2);
    const pem = key.export({ type: "spki", format: "pem" }).toString();
    out.push({ name, pem, fingerprint: createHash9("sha256").update(pem).digest("hex") });
  }
  return out;
}
function fingerprintFileName(origin, keyName) {
  return `${origin}.${keyName.replace(/(\.pub)?\.pem$/, "")}`;
}
var fingerprintFile = (hex) => `function: "sha256"
fingerprint: "${hex}"
`;
function pkgKeyFiles(mode, origin, signingPem, trusted, revoked, subject) {
  const signing = createHash9("sha256").update(signingPem).digest("hex");
  for (const r of revoked) {
    if (r.fingerprint === signing)
      throw new KeyError(`${r.name} in [pkg] revoked_keys is the key that signs: pkg would refuse the repository`, subject);
    if (trusted.some((t) => t.fingerprint === r.fingerprint))
      throw new KeyError(`${r.name} is in both [pkg] trusted_keys and revoked_keys`, subject);
  }
  const files = [{ path: "repo.pub", data: signingPem }];
  const stem = (n) => n.replace(/(\.pub)?\.pem$/, "");
  if (mode === "fingerprints") {
    files.push({ path: `fingerprints/trusted/${origin}`, data: fingerprintFile(signing) });
    for (const t of trusted)
      if (t.fingerprint !== signing)
        files.push({ path: `fingerprints/trusted/${fingerprintFileName(origin, t.name)}`, data: fingerprintFile(t.fingerprint) });
    for (const r of revoked)
      files.push({ path: `fingerprints/revoked/${fingerprintFileName(origin, r.name)}`, data: fingerprintFile(r.fingerprint) });
  } else
    for (const t of trusted)
      if (t.fingerprint !== signing)
        files.push({ path: `repo.${stem(t.name)}.pub`, data: t.pem });
  return files;
}

// dist/freebsd/family.js
import { rm as rm5, stat as stat3 } from "node:fs/promises";
import path12 from "node:path";

// dist/signing/rsa.js
import { createHash as createHash10, createPublicKey as createPublicKey2, sign as sign3, verify } from "node:crypto";
function hexDigest(data) {
  return createHash10("sha256").update(data).digest("hex");
}
function signCatalogue(data, key) {
  return sign3("sha256", Buffer.from(hexDigest(data), "ascii"), key);
}
function verifyCatalogue(data, signature, publicPem) {
  return verify("sha256", Buffer.from(hexDigest(data), "ascii"), createPublicKey2(publicPem), signature);
}
function fingerprint(publicPem) {
  return createHash10("sha256").update(publicPem).digest("hex");
}
function catalogueSignedBy(members, member, key) {
  const content = members.find((e) => e.name === member)?.data;
  let sig = members.find((e) => e.name === "signature")?.data;
  if (sig && sig[sig.length - 1] === 0)
    sig = sig.subarray(0, -1);
  sig = sig ?? members.find((e) => e.name === `${member}.sig`)?.data;
  if (!content || !sig)
    return false;
  try {
    return verify("sha256", Buffer.from(hexDigest(content), "ascii"), createPublicKey2(key), sig);
  } catch {
    return false;
  }
}

// dist/freebsd/repository.js
var PACKING = { zst: "tzst", xz: "txz", gz: "tgz", none: "tar", bz2: "tbz", lzma: "txz" };
function metaConf(compression) {
  return `version = 2;
packing_format = "${PACKING[compression]}";
manifests = "packagesite.yaml";
data = "data";
filesite = "files";
manifests_archive = "packagesite";
filesite_archive = "files";
`;
}
function catalogueObject(e) {
  const c = e.compact;
  const o = {};
  for (const k of ["name", "origin", "version", "comment", "maintainer", "www", "abi", "arch", "prefix"])
    if (c[k] !== void 0)
      o[k] = c[k];
  o.sum = e.sha256;
  o.flatsize = c.flatsize;
  o.path = e.path;
  o.repopath = e.path;
  for (const k of ["licenselogic", "licenses"])
    if (c[k] !== void 0)
      o[k] = c[k];
  o.pkgsize = e.size;
  for (const [k, v] of Object.entries(c))
    if (!(k in o))
      o[k] = v;
  return o;
}
function packagesiteYaml(entries) {
  return Buffer.from(entries.map((e) => JSON.stringify(catalogueObject(e)) + "\n").join(""), "utf8");
}
function dataJson(entries) {
  return Buffer.from(JSON.stringify({ groups: [], expired_packages: [], packages: entries.map(catalogueObject) }), "utf8");
}
async function signedArchive(member, content, sig, mtime, compression) {
  const s = signCatalogue(content, sig.key);
  const meta = { type: "file", mode: 420, uname: "root", gname: "wheel" };
  const entries = sig.mode === "pubkey" ? [{ ...meta, name: "signature", size: s.length + 1, mtime, data: Buffer.concat([s, Buffer.from([0])]) }] : [
    { ...meta, name: `${member}.sig`, size: s.length, mtime, data: s },
    { ...meta, name: `${member}.pub`, size: Buffer.byteLength(sig.publicPem), mtime, data: Buffer.from(sig.publicPem) }
  ];
  const tar = tarBuffer([...entries, { ...meta, name: member, size: content.length, mtime, data: content }]);
  return compressBuffer(compression, tar);
}
function sortEntries(entries) {
  return [...entries].sort((a, b) => a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
}

// dist/freebsd/family.js
function abiOf(build) {
  return build.platform.family === "freebsd" ? `FreeBSD:${build.platform.major}:${build.arch}` : build.platform.platform;
}
var FreebsdFamily = class {
  signer;
  name = "freebsd";
  constructor(signer) {
    this.signer = signer;
  }
  cacheSalt(config2) {
    return `pkg:${config2.versioning}:${config2.pkg.compression}`;
  }
  compareVersions(a, b) {
    return compareFreebsdVersions(a, b);
  }
  repositoryOf(build) {
    return abiOf(build);
  }
  async prepare(build, ctx, cached) {
    if (cached)
      return { pkg: cached, produced: null, move: false };
    const abi = abiOf(build);
    const { file: source, owned, sha256: mainSha } = await mainBinary(build, ctx, async (spec, outDir, mtime) => (await buildPkg(spec, build.main, { abi, mtime, compression: ctx.config.pkg.compression, outDir })).file);
    const info = await readPkg(source);
    const m = info.manifest;
    const major = build.platform.family === "freebsd" ? build.platform.major : -1;
    if (m.abi !== abi && m.abi !== `FreeBSD:${major}:*`)
      throw new FormatError(`the package's abi is ${m.abi}, build.json says ${abi}`);
    const upstream = m.version;
    const version = versioningOf(build, ctx.config) === "build" ? freebsdBuildVersion(upstream, build.buildtime, mainSha) : upstream;
    let produced = source;
    let move = owned;
    let manifest = m;
    let sha2562 = mainSha;
    let { size } = await stat3(source);
    if (version !== upstream) {
      const out = workFile(ctx, build, "rewritten.pkg");
      const r = await rewritePkgVersion(source, version, out, void 0, info);
      ({ size, sha256: sha2562 } = r);
      manifest = r.info.manifest;
      if (owned)
        await rm5(build.kind === "tree" ? path12.dirname(source) : source, { recursive: true, force: true });
      produced = out;
      move = true;
    }
    const pkg = {
      family: "freebsd",
      name: manifest.name,
      upstream,
      version,
      arch: build.arch,
      mainSha256: mainSha,
      pool: `pkg/${abi}/All/${manifest.name}-${version}.pkg`,
      size,
      sha256: sha2562,
      entry: JSON.stringify(manifestObject(manifest, true)),
      files: Object.keys(manifest.files ?? {}).join("\n"),
      ...manifest.config?.length ? { conffiles: manifest.config } : {}
    };
    return { pkg, produced, move };
  }
  async repository(abi, pkgs, site) {
    const c = site.config;
    const entries = sortEntries(pkgs.map((p) => ({ compact: JSON.parse(p.entry), path: p.pool.replace(/^pkg\/[^/]+\//, ""), sha256: p.sha256, size: p.size })));
    const base = `pkg/${abi}`;
    const data = dataJson(entries);
    const yaml = packagesiteYaml(entries);
    const meta = Buffer.from(metaConf(c.pkg.compression));
    let changed = true;
    const old = await site.readPublished(`${base}/data.pkg`);
    if (old) {
      try {
        const tar = await decompressBuffer(detectCompression(old), old);
        const members = readTarBuffer(tar);
        const member = members.find((e) => e.name === "data");
        const sigMode = members.some((e) => e.name === "signature") ? "pubkey" : "fingerprints";
        if (member?.data?.equals(data) && sigMode === c.pkg.signature && catalogueSignedBy(members, "data", this.signer().key))
          changed = false;
      } catch {
        changed = true;
      }
    }
    const files = [];
    if (changed) {
      const sig = this.signer();
      const mtime = Math.floor(site.now.getTime() / 1e3);
      files.push({ path: `${base}/packagesite.pkg`, data: await signedArchive("packagesite.yaml", yaml, sig, mtime, c.pkg.compression), stage: 3, mtime: site.now });
      files.push({ path: `${base}/data.pkg`, data: await signedArchive("data", data, sig, mtime, c.pkg.compression), stage: 3, mtime: site.now });
    } else {
      for (const n of ["packagesite.pkg", "data.pkg"]) {
        const b = await site.readPublished(`${base}/${n}`);
        if (b)
          files.push({ path: `${base}/${n}`, data: b, stage: 3 });
      }
    }
    files.push({ path: `${base}/packagesite.yaml`, data: yaml, stage: 2 });
    files.push({ path: `${base}/meta`, data: meta, stage: 4 });
    files.push({ path: `${base}/meta.conf`, data: meta, stage: 4 });
    return { files, changed, name: `pkg ${abi}`, base };
  }
};

// dist/commands/generate.js
var HELP = `Usage: repogen generate [options]

Read finished builds, emit packages, write and sign the APT and FreeBSD repositories, and publish
them into the output tree in an order that keeps it consistent at every instant. Safe to run from
cron: one run per state folder at a time, and a run with nothing new rewrites nothing.

Options (override repogen.toml):
  --config FILE          configuration (default ./repogen.toml when it exists)
  --builds DIR           finished builds (builds/JOB/UUID/build.json)
  --out DIR|s3://BUCKET/PREFIX
                         the static tree that is served: a folder or an S3 bucket
  --keys DIR             signing keys (see keys.example/)
  --state DIR            lock and caches; never inside --out
  --now ISO8601          the clock (tests, reproducible runs); SOURCE_DATE_EPOCH works too
  --passphrase-file FILE passphrase of encrypted private keys
  --dry-run              print what would change, write nothing
  --json                 a JSON summary on stdout
  --quiet                only errors and rejections

Exit codes: 0 done; 1 failed (tree unchanged); 2 usage/config error; 3 published, some builds
rejected (one line each on stderr); 4 another generate holds the lock; 5 published, but the
state, retention or the index page could not be finished (the tree is consistent; the next run
completes it).

Example:
  repogen generate --config examples/repogen.toml
`;
function clock(nowArg, env = process.env) {
  if (nowArg !== void 0) {
    const t = Date.parse(nowArg);
    if (Number.isNaN(t) || !/^\d{4}-\d{2}-\d{2}/.test(nowArg))
      throw new UsageError(`--now "${nowArg}" is not an ISO 8601 time`);
    return new Date(Math.floor(t / 1e3) * 1e3);
  }
  if (env.SOURCE_DATE_EPOCH !== void 0) {
    if (!/^\d+$/.test(env.SOURCE_DATE_EPOCH))
      throw new UsageError(`SOURCE_DATE_EPOCH "${env.SOURCE_DATE_EPOCH}" is not a whole number`);
    return new Date(Number(env.SOURCE_DATE_EPOCH) * 1e3);
  }
  return new Date(Math.floor(Date.now() / 1e3) * 1e3);
}
function applyOverrides(c, v) {
  const r = (k) => str(v[k]) !== void 0 ? path13.resolve(str(v[k])) : void 0;
  const out = { ...c };
  out.builds = r("builds") ?? c.builds;
  const outArg = str(v.out);
  out.output = outArg !== void 0 && outArg.startsWith("s3://") ? checkS3Output(outArg) : r("out") ?? c.output;
  out.keys = r("keys") ?? c.keys;
  out.state = r("state") ?? c.state;
  if (out.output !== c.output && out.baseUrl === c.baseUrl)
    out.baseUrl = s3BaseUrl(out) ?? out.baseUrl;
  const flags = /* @__PURE__ */ new Set();
  for (const [flag, role] of [["builds", "builds"], ["out", "output"], ["keys", "keys"], ["state", "state"]])
    if (str(v[flag]) !== void 0)
      flags.add(role);
  checkPathRules(out, flags);
  return out;
}
function progressBar(enabled) {
  if (!enabled)
    return void 0;
  let last = 0;
  return (done, total, what) => {
    const now = Date.now();
    if (done !== total && now - last < 100)
      return;
    last = now;
    const width = 30;
    const filled = total ? Math.round(done / total * width) : width;
    process.stderr.write(`\r${what} [${"#".repeat(filled)}${" ".repeat(width - filled)}] ${done}/${total}${done === total ? "\n" : ""}`);
  };
}
function human2(s) {
  const lines = [];
  for (const r of s.repositories)
    lines.push(`${r.name}: ${r.packages} package${r.packages === 1 ? "" : "s"}${r.changed ? " (updated)" : " (unchanged)"}`);
  lines.push(`${s.dryRun ? "would write" : "wrote"} ${s.added.length} new and ${s.updated.length} changed files, ${s.dryRun ? "would remove" : "removed"} ${s.removed.length}, left ${s.unchanged} untouched; ${s.builds} builds read, ${s.failed} failed builds ignored, ${s.rejected.length} rejected (${s.timings.total} ms)`);
  if (s.dryRun)
    for (const f of [...s.added, ...s.updated])
      lines.push(`  would write ${f}`);
  if (s.dryRun)
    for (const f of s.removed)
      lines.push(`  would remove ${f}`);
  return lines.join("\n");
}
async function run(argv) {
  const { values, positionals } = parse(argv, {
    builds: { type: "string" },
    out: { type: "string" },
    keys: { type: "string" },
    state: { type: "string" },
    now: { type: "string" },
    "passphrase-file": { type: "string" },
    "dry-run": { type: "boolean" }
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (positionals.length)
    throw new UsageError(`generate takes no arguments (got "${positionals[0]}")`);
  const o = io(values);
  const config2 = applyOverrides(loadConfig(str(values.config)), values);
  const now = clock(str(values.now));
  const passphrase = await readPassphrase(str(values["passphrase-file"]));
  const summary = await generate({
    ...pipelineOptions(config2, now, passphrase, (s) => o.err(s)),
    dryRun: values["dry-run"] === true,
    progress: progressBar(process.stderr.isTTY === true && !o.quiet && !o.json)
  });
  for (const w of summary.warnings)
    o.err(`warning: ${w}`);
  for (const r of summary.rejected)
    o.err(`rejected ${r.dir}: ${r.reason}`);
  if (o.json)
    o.out(JSON.stringify(summary, null, 2));
  else if (!o.quiet)
    o.out(human2(summary));
  return summary.rejected.length ? 3 : 0;
}
function pipelineOptions(config2, now, passphrase, warn) {
  let apt;
  let pkg;
  let pkgKeys = [];
  const families = {
    debian: new DebianFamily(() => apt),
    freebsd: new FreebsdFamily(() => config2.pkg.signature === "pubkey" ? { mode: "pubkey", key: pkg.key } : { mode: "fingerprints", key: pkg.key, publicPem: pkg.publicPem })
  };
  return {
    config: config2,
    now,
    dryRun: false,
    families,
    loadKeys: async (needed) => {
      if (needed.has("debian"))
        apt = await loadAptKeys(config2.keys, config2.apt.signingKeys, passphrase, expiryWindow(now, config2.validDays), warn);
      if (needed.has("freebsd")) {
        pkg = await loadPkgKey(config2.keys, passphrase, warn, config2.pkg.signingKey);
        const [trusted, revoked] = [await loadPkgPublicKeys(config2.keys, config2.pkg.trustedKeys), await loadPkgPublicKeys(config2.keys, config2.pkg.revokedKeys)];
        pkgKeys = pkgKeyFiles(config2.pkg.signature, config2.origin, pkg.publicPem, trusted, revoked, config2.file ?? config2.keys);
      }
      return { aptBinary: apt?.publicBinary, aptArmored: apt?.publicArmored, pkgPem: pkg?.publicPem };
    },
    extraFiles: (repos) => {
      if (!pkg || !repos.some((r) => r.kind === "pkg"))
        return [];
      return [
        ...pkgKeys.map((f) => ({ path: `pkg/${f.path}`, data: Buffer.from(f.data), stage: 1 })),
        { path: `pkg/${config2.origin}.conf`, data: Buffer.from(pkgSnippet(config2)), stage: 1 }
      ];
    },
    pkgConf: pkgSnippet(config2)
  };
}

export {
  releaseSha256List,
  hashWithCache,
  addPending,
  listPending,
  takeResult,
  announceArrival,
  awaitArrivals,
  State,
  runSettling,
  runUntilSettled,
  keyPolicy,
  signingKeyInfo,
  readPassphrase,
  keygen,
  parseExpiry,
  verifyCatalogue,
  fingerprint,
  HELP,
  clock,
  applyOverrides,
  run,
  pipelineOptions
};
