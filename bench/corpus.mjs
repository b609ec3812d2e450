// The benchmark's large corpora, made fast: a few hundred .deb files are built with dpkg-deb, and
// every other package is derived from one of them by rewriting its control member (Package and
// Version) with repogen's own ar, tar and control writers; the data member is kept byte for byte.
// Everything is cached under bench/.work/: a corpus that is complete (its marker file is there) is
// reused as it is.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync, linkSync, renameSync } from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const dist = (m) => import(path.join(ROOT, "dist", m));
const { arHeader, arPadding, listArAt, readAtBuffer } = await dist("archive/ar.js");
const { tarBuffer, readTarBuffer } = await dist("archive/tar.js");
const { decodeXzInMemory } = await dist("archive/compress.js");
const { parseParagraph, serialise, set } = await dist("debian/control.js");

const sha256 = (b) => createHash("sha256").update(b).digest("hex");

/** Builds `count` template packages with dpkg-deb (cached), each with a control file, a script and some data. */
export function templates(work, count) {
  const dir = path.join(work, "templates");
  mkdirSync(dir, { recursive: true });
  const stage = path.join(work, "stage-tmpl");
  const out = [];
  for (let i = 0; i < count; i++) {
    const name = `tmpl${String(i).padStart(4, "0")}`;
    const file = path.join(dir, `${name}.deb`);
    out.push(file);
    if (existsSync(file)) continue;
    rmSync(stage, { recursive: true, force: true });
    mkdirSync(path.join(stage, "DEBIAN"), { recursive: true });
    mkdirSync(path.join(stage, `usr/share/doc/${name}`), { recursive: true });
    mkdirSync(path.join(stage, "usr/bin"), { recursive: true });
    writeFileSync(
      path.join(stage, "DEBIAN/control"),
      `Package: ${name}\nVersion: 1.0-1\nArchitecture: amd64\nMaintainer: Bench <bench@example.org>\nInstalled-Size: ${20 + (i % 40)}\nDepends: libc6 (>= 2.36)${i % 3 ? ", libssl3 (>= 3.0.0)" : ""}\nSection: ${["utils", "net", "libs", "admin"][i % 4]}\nPriority: optional\nHomepage: https://example.org/${name}\nDescription: synthetic package ${i}\n A package made for the benchmark. It does nothing, and it says so\n at some length, as real descriptions do.\n`,
    );
    const body = createHash("sha512").update(String(i)).digest("hex").repeat(20 + (i % 60));
    writeFileSync(path.join(stage, `usr/share/doc/${name}/data.txt`), body);
    writeFileSync(path.join(stage, `usr/share/doc/${name}/README`), `bench package ${i}\n`);
    for (let k = 0; k < 1 + (i % 5); k++) writeFileSync(path.join(stage, `usr/bin/${name}-${k}`), `#!/bin/sh\necho ${i} ${k}\n`, { mode: 0o755 });
    const r = spawnSync("dpkg-deb", ["--root-owner-group", "-Zxz", "--build", stage, file], { env: { ...process.env, SOURCE_DATE_EPOCH: "1700000000" }, encoding: "utf8" });
    if (r.status !== 0) throw new Error(`dpkg-deb: ${r.stderr}`);
  }
  rmSync(stage, { recursive: true, force: true });
  return out;
}

/** A template, taken apart once: its members, and its control tar's entries. */
async function parseTemplate(file) {
  const buf = readFileSync(file);
  const members = await listArAt(readAtBuffer(buf), buf.length, file);
  const control = members.find((m) => m.name.startsWith("control.tar"));
  const raw = buf.subarray(control.offset, control.offset + control.size);
  const tar = control.name.endsWith(".xz") ? decodeXzInMemory(raw, file) : control.name.endsWith(".gz") ? zlib.gunzipSync(raw) : raw;
  const entries = readTarBuffer(tar);
  const ctl = entries.find((e) => e.name.replace(/^\.\//, "") === "control");
  return { buf, members, control, entries, paragraph: parseParagraph(ctl.data.toString("utf8"), file) };
}

/** The template with another Package and Version: a new control.tar.gz, the other members as they are. */
function derive(t, name, version) {
  let p = set(t.paragraph, "Package", name);
  p = set(p, "Version", version);
  const entries = t.entries.map((e) => (e.name.replace(/^\.\//, "") === "control" ? { ...e, data: Buffer.from(serialise(p), "utf8") } : e));
  const control = zlib.gzipSync(tarBuffer(entries.map((e) => ({ ...e, type: e.type === "other" ? "file" : e.type }))), { level: 6 });
  const parts = [Buffer.from("!<arch>\n", "latin1")];
  for (const m of t.members) {
    const body = m === t.control ? control : t.buf.subarray(m.offset, m.offset + m.size);
    parts.push(arHeader(m === t.control ? "control.tar.gz" : m.name, body.length, m.mtime), body, arPadding(body.length));
  }
  return Buffer.concat(parts);
}

const iso = (ms) => new Date(ms).toISOString().replace(/\.000Z$/, "Z");

/**
 * Writes one build folder: builds/JOB/UUID/{build.json, the .deb}. `link` is an existing file with
 * the very same bytes to hard-link instead of writing them again.
 */
function writeBuild(buildsDir, job, uuid, debName, bytes, startMs, link) {
  const d = path.join(buildsDir, job, uuid);
  mkdirSync(d, { recursive: true });
  const f = path.join(d, debName);
  if (link) linkSync(link, f);
  else writeFileSync(f, bytes);
  const start = iso(startMs);
  writeFileSync(
    path.join(d, "build.json"),
    JSON.stringify({ job, uuid, platform: "debian-12", arch: "amd64", start, finish: start, result: "success", main_binary: debName, artifacts: [{ path: debName, sha256: sha256(bytes) }] }),
  );
  return f;
}

/**
 * The corpora. Each build is described by (job, index k, upstream version, start): `history`, P packages
 * with B builds each (every build a distinct binary, as a build farm makes them); `index`, P distinct
 * packages with one build each. `extra(n)` names n further builds for the "new builds" runs.
 */
export function shape(kind, packages, builds) {
  const T0 = Date.parse("2026-01-01T00:00:00Z");
  if (kind === "history") {
    const name = (p) => `hist${String(p).padStart(5, "0")}`;
    return {
      count: packages * builds,
      at: (i) => {
        const p = i % packages;
        const k = Math.floor(i / packages);
        return { job: name(p), uuid: `b${String(k).padStart(3, "0")}-${p}`, version: `1.${k}-1`, start: T0 + k * 86400_000 + p * 1000, tmpl: p };
      },
      // New builds of existing packages: the next build of the first n packages.
      extra: (n, round = 0) => Array.from({ length: n }, (_, p) => ({ job: name(p), uuid: `b${String(builds + round).padStart(3, "0")}-${p}`, version: `1.${builds + round}-1`, start: T0 + (builds + round) * 86400_000 + p * 1000, tmpl: p })),
    };
  }
  const name = (p) => `idx${String(p).padStart(6, "0")}`;
  return {
    count: packages,
    at: (i) => ({ job: name(i), uuid: `b-${i}`, version: `1.${i % 7}-1`, start: T0 + i * 1000, tmpl: i }),
    extra: (n, round = 0) => Array.from({ length: n }, (_, j) => {
      const i = packages + round * n + j;
      return { job: name(i), uuid: `b-${i}`, version: `1.${i % 7}-1`, start: T0 + i * 1000, tmpl: i };
    }),
  };
}

let parsed = null;
async function parsedTemplates(work, n) {
  if (!parsed) parsed = await Promise.all(templates(work, n).map(parseTemplate));
  return parsed;
}

/** Writes the builds `list` (from shape().at or .extra) into buildsDir. */
export async function writeBuilds(work, buildsDir, list, tmplCount = 300) {
  const ts = await parsedTemplates(work, tmplCount);
  for (const b of list) {
    const bytes = derive(ts[b.tmpl % ts.length], b.job, b.version);
    writeBuild(buildsDir, b.job, b.uuid, `${b.job}_${b.version}_amd64.deb`, bytes, b.start);
  }
}

/**
 * Makes (or reuses) a corpus folder: WORK/corpus-KIND-COUNT/builds. Written under a temporary name and
 * renamed when complete, so an interrupted build is not taken for a corpus.
 */
export async function corpus(work, kind, packages, builds = 1, log = () => {}) {
  const s = shape(kind, packages, builds);
  const dir = path.join(work, `corpus-${kind}-${s.count}`);
  const buildsDir = path.join(dir, "builds");
  if (existsSync(path.join(dir, "complete"))) return { dir, builds: buildsDir, shape: s };
  const t = Date.now();
  const tmp = `${dir}.tmp`;
  rmSync(tmp, { recursive: true, force: true });
  rmSync(dir, { recursive: true, force: true });
  const list = [];
  for (let i = 0; i < s.count; i++) list.push(s.at(i));
  await writeBuilds(work, path.join(tmp, "builds"), list);
  writeFileSync(path.join(tmp, "complete"), `${s.count}\n`);
  renameSync(tmp, dir);
  log(`corpus ${kind}: ${s.count} builds written in ${((Date.now() - t) / 1000).toFixed(0)} s (${path.relative(ROOT, dir)})`);
  return { dir, builds: buildsDir, shape: s };
}

/**
 * A folder of builds holding the first `count` builds of another corpus, hard-linked (same bytes, no
 * copy): the peers' 10 000 builds are the index-heavy corpus's first 10 000.
 */
export function linkedSubset(src, dst, jobs) {
  if (existsSync(path.join(dst, ".complete"))) return dst;
  rmSync(dst, { recursive: true, force: true });
  const r = spawnSync("bash", ["-c", `set -e; mkdir -p "$2"; cd "$1"; xargs -0 cp -al -t "$2"`, "-", src, dst], { input: jobs.join("\0"), encoding: "utf8" });
  if (r.status !== 0) throw new Error(r.stderr);
  writeFileSync(path.join(dst, ".complete"), "");
  return dst;
}
