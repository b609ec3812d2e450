/**
 * What the web pages say about one published package version, derived from the index entry the run
 * already holds (a Packages paragraph, or a FreeBSD compact manifest) and the build it came from.
 * Pure: no file system, no clock.
 */
import { parseParagraph, get } from "../debian/control.js";
import { urlDecode } from "../freebsd/manifest.js";

/** A package as a run publishes it, with the build that made it. */
export interface PageSource {
  name: string;
  version: string;
  upstream: string;
  arch: string;
  /** Output-relative pool path. */
  pool: string;
  size: number;
  sha256: string;
  mainSha256: string;
  entry: string;
  files: string;
  conffiles?: string[];
  job: string;
  uuid: string;
  platform: string;
  /** The build's start, YYYYMMDDhhmmss (UTC). */
  buildtime: string;
  start: Date;
}

export interface Relation {
  /** The field, e.g. Depends. */
  field: string;
  /** The text as the package states it. */
  text: string;
  /** Package names it mentions, in order (for links to their pages). */
  names: string[];
}

export interface SitePackage {
  kind: "apt" | "pkg";
  /** Suite or ABI. */
  repo: string;
  name: string;
  version: string;
  upstream: string;
  arch: string;
  summary: string;
  description: string;
  homepage: string;
  maintainer: string;
  section: string;
  installedSize: string;
  size: number;
  sha256: string;
  mainSha256: string;
  job: string;
  uuid: string;
  platform: string;
  buildtime: string;
  start: Date;
  /** Output-relative pool path. */
  pool: string;
  relations: Relation[];
  conffiles: string[];
  files: string[];
  /** Output-relative path of the package's page. */
  page: string;
}

const RELATION_FIELDS = [
  "Pre-Depends", "Depends", "Recommends", "Suggests", "Enhances", "Breaks", "Conflicts", "Replaces", "Provides", "Built-Using",
];

/**
 * A file-name form of any text that stays one path segment and maps distinct texts to distinct
 * names: everything outside [A-Za-z0-9.+~-] (the underscore included) becomes _XX.
 */
export function slug(s: string): string {
  let out = Buffer.from(s, "utf8")
    .toString("latin1")
    .replace(/[^A-Za-z0-9.+~-]/g, (c) => "_" + c.charCodeAt(0).toString(16).padStart(2, "0"));
  // "." and ".." are not file names a server serves.
  if (/^\.+$/.test(out)) out = out.replace(/\./g, "_2e");
  return out;
}

/**
 * packages/apt/SUITE/NAME/VERSION_ARCH.html, packages/pkg/ABI/NAME/VERSION.html: suites and ABIs are
 * checked names already (ABI folders keep their colons, as pkg/ does); a raw "_" cannot come out of
 * slug(), so it separates version and arch unambiguously.
 */
export function pagePath(kind: "apt" | "pkg", repo: string, name: string, version: string, arch: string): string {
  const file = kind === "apt" ? `${slug(version)}_${slug(arch)}` : slug(version);
  return `packages/${kind}/${repo.replace(/[^A-Za-z0-9.:+~-]/g, "_")}/${slug(name)}/${file}.html`;
}

function names(text: string): string[] {
  const out: string[] = [];
  for (const alt of text.split(/[,|]/)) {
    const m = /^\s*([a-z0-9][a-z0-9+.-]*)/.exec(alt);
    if (m) out.push(m[1]!);
  }
  return out;
}

function fromDebian(p: PageSource) {
  const para = parseParagraph(p.entry);
  const desc = get(para, "Description") ?? "";
  const [summary = "", ...rest] = desc.split("\n");
  const description = rest.map((l) => (l.trim() === "." ? "" : l.replace(/^ /, ""))).join("\n");
  const relations: Relation[] = [];
  for (const f of RELATION_FIELDS) {
    const v = get(para, f);
    if (v) relations.push({ field: f, text: v.replace(/\s*\n\s*/g, " "), names: names(v) });
  }
  return {
    summary,
    description,
    homepage: get(para, "Homepage") ?? "",
    maintainer: get(para, "Maintainer") ?? "",
    section: get(para, "Section") ?? "",
    installedSize: get(para, "Installed-Size") ? `${get(para, "Installed-Size")} KiB` : "",
    relations,
  };
}

function str(v: unknown): string {
  return typeof v === "string" ? v : "";
}

function fromFreebsd(p: PageSource) {
  let m: Record<string, unknown> = {};
  try {
    m = JSON.parse(p.entry) as Record<string, unknown>;
  } catch {
    // An entry the run wrote itself; an unreadable one only leaves the page's details empty.
  }
  const deps = m.deps && typeof m.deps === "object" ? (m.deps as Record<string, { origin?: string; version?: string }>) : {};
  const depNames = Object.keys(deps).sort();
  const relations: Relation[] = depNames.length
    ? [{ field: "deps", text: depNames.map((d) => (deps[d]?.version ? `${d}-${deps[d]!.version}` : d)).join(", "), names: depNames }]
    : [];
  const flat = typeof m.flatsize === "number" ? m.flatsize : undefined;
  const cats = Array.isArray(m.categories) ? m.categories.filter((x): x is string => typeof x === "string") : [];
  return {
    summary: str(m.comment),
    description: urlDecode(str(m.desc)),
    homepage: str(m.www),
    maintainer: str(m.maintainer),
    section: cats.join(", "),
    installedSize: flat === undefined ? "" : `${Math.ceil(flat / 1024)} KiB`,
    relations,
  };
}

export function sitePackage(kind: "apt" | "pkg", repo: string, p: PageSource): SitePackage {
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
    page: pagePath(kind, repo, p.name, p.version, p.arch),
  };
}
