/**
 * The repository's web pages: the index, one page per published package version, an Atom feed per
 * repository and index.json, all static and readable without scripts. Pure: the same packages and
 * clock give the same bytes. Every text that comes from a build goes through escapeHtml/escapeXml;
 * a homepage becomes a link only when it is an http(s) URL.
 */
import path from "node:path";
import { escapeHtml, fill, template } from "./render.js";
import { createHash } from "node:crypto";
import { pagePath, sitePackage, type PageSource, type SitePackage } from "./model.js";

export interface SiteFile {
  /** Relative to the output root. */
  path: string;
  data: Buffer;
}

/** A repository as a run publishes it: its packages as the pages are made from them. */
export interface SiteSource {
  kind: "apt" | "pkg";
  key: string;
  packages: PageSource[];
  /** The suite's Release Date and Valid-Until (APT), as written in Release. */
  date?: string;
  validUntil?: string;
}

interface SiteRepository {
  kind: "apt" | "pkg";
  key: string;
  packages: SitePackage[];
  /** The suite's Release Date and Valid-Until (APT), as written in Release. */
  date?: string;
  validUntil?: string;
}

export interface SiteInput {
  label: string;
  description: string;
  baseUrl: string;
  origin: string;
  keyringName: string;
  generated: Date;
  repos: SiteSource[];
  aptSources: Record<string, string>;
  pkgConf: string | null;
}

/** What the renderers take: the repositories with their pages' models. */
interface Site extends Omit<SiteInput, "repos"> {
  repos: SiteRepository[];
  templates: Templates;
}

interface Templates {
  index: string;
  package: string;
  css: string;
  js: string;
}

function templates(): Templates {
  return { index: template("index.html"), package: template("package.html"), css: template("site.css"), js: template("site.js") };
}

const CSS = "assets/site.css";
const JS = "assets/site.js";

/** A relative link from one output-relative file to another, every segment percent-encoded. */
export function link(from: string, to: string): string {
  const rel = path.posix.relative(path.posix.dirname(from), to) || path.posix.basename(to);
  return rel
    .split("/")
    .map((s) => (s === ".." ? s : encodeURIComponent(s)))
    .join("/");
}

function human(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1 << 20) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / (1 << 20)).toFixed(1)} MiB`;
}

function when(d: Date): string {
  return d.toISOString().slice(0, 16).replace("T", " ");
}

/** A 64-digit hex run inside a version, shortened for the tables (the page has it whole). */
function shortVersion(v: string): string {
  return v.replace(/[0-9a-f]{64}/g, (h) => h.slice(0, 12) + "…");
}

function httpUrl(s: string): string | null {
  return /^https?:\/\/[^\s"'<>\\]+$/i.test(s) ? s : null;
}

function repoTitle(r: { kind: "apt" | "pkg"; key: string }): string {
  return r.kind === "apt" ? `Suite ${r.key}` : `ABI ${r.key}`;
}

export function feedPath(r: { kind: "apt" | "pkg"; key: string }): string {
  return `feeds/${r.kind}-${r.key.replace(/[^A-Za-z0-9.:+~-]/g, "_")}.atom`;
}

function newestFirst(a: SitePackage, b: SitePackage): number {
  return b.start.getTime() - a.start.getTime() || (a.name < b.name ? -1 : a.name > b.name ? 1 : a.page < b.page ? -1 : 1);
}

function table(r: SiteRepository, from: string): string {
  const rows = [...r.packages]
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.page < b.page ? -1 : 1))
    .map(
      (p) =>
        `<tr><td data-label="Package"><a href="${escapeHtml(link(from, p.page))}">${escapeHtml(p.name)}</a>${p.kind === "apt" ? ` <span class="arch">${escapeHtml(p.arch)}</span>` : ""}</td>` +
        `<td data-label="Summary">${escapeHtml(p.summary)}</td>` +
        `<td data-label="Version"><code class="ver" title="${escapeHtml(p.version)}">${escapeHtml(shortVersion(p.version))}</code></td>` +
        `<td data-label="Size" class="num">${human(p.size)}</td>` +
        `<td data-label="Built"><time datetime="${p.start.toISOString()}">${when(p.start)}</time></td></tr>`,
    )
    .join("\n");
  return (
    `<table class="packages"><thead><tr><th>Package</th><th>Summary</th><th>Version</th><th>Size</th><th>Built</th></tr></thead>\n` +
    `<tbody>\n${rows}\n</tbody></table>`
  );
}

function snippet(text: string): string {
  return `<pre class="snippet">${escapeHtml(text)}</pre>`;
}

function indexHtml(i: Site): string {
  const from = "index.html";
  const apt = i.repos.filter((r) => r.kind === "apt");
  const pkg = i.repos.filter((r) => r.kind === "pkg");
  let aptSection = "";
  if (apt.length) {
    aptSection += `<h2>Debian and Ubuntu (APT)</h2>\n<p>Add the signing key once:</p>\n`;
    aptSection += snippet(
      `sudo install -d -m 0755 /etc/apt/keyrings\nsudo curl -fsSLo /etc/apt/keyrings/${i.keyringName}.gpg ${i.baseUrl}/apt/archive-keyring.gpg`,
    );
    for (const r of apt) {
      const setup = `sudo curl -fsSLo /etc/apt/sources.list.d/${i.keyringName}.sources ${i.baseUrl}/apt/${r.key}.sources\nsudo apt update`;
      const valid = r.validUntil ? ` Signed ${escapeHtml(r.date ?? "")}, valid until ${escapeHtml(r.validUntil)}.` : "";
      aptSection +=
        `<h3 id="${escapeHtml("apt-" + r.key)}">${escapeHtml(repoTitle(r))}</h3>\n` +
        `<p>Then add the source (it reads as below) and update.${valid} <a href="${escapeHtml(link(from, feedPath(r)))}">Feed of new builds</a>.</p>\n` +
        `${snippet(setup)}\n${snippet(i.aptSources[r.key] ?? "")}\n${table(r, from)}\n`;
    }
  }
  let pkgSection = "";
  if (pkg.length && i.pkgConf) {
    pkgSection += `<h2>FreeBSD (pkg)</h2>\n<p>Save the public key and the repository configuration, then install:</p>\n`;
    pkgSection += snippet(
      `mkdir -p /usr/local/etc/pkg/keys /usr/local/etc/pkg/repos\nfetch -o /usr/local/etc/pkg/keys/${i.origin}.pub ${i.baseUrl}/pkg/repo.pub\nfetch -o /usr/local/etc/pkg/repos/${i.origin}.conf ${i.baseUrl}/pkg/${i.origin}.conf\npkg update`,
    );
    pkgSection += "\n" + snippet(i.pkgConf) + "\n";
    for (const r of pkg)
      pkgSection +=
        `<h3 id="${escapeHtml("pkg-" + r.key)}">${escapeHtml(repoTitle(r))}</h3>\n` +
        `<p><a href="${escapeHtml(link(from, feedPath(r)))}">Feed of new builds</a>.</p>\n${table(r, from)}\n`;
  }
  return fill(i.templates.index, {
    label: escapeHtml(i.label),
    description: escapeHtml(i.description),
    apt_section: aptSection,
    pkg_section: pkgSection,
    generated: escapeHtml(i.generated.toISOString()),
    css: escapeHtml(link(from, CSS)),
    js: escapeHtml(link(from, JS)),
    index_json: escapeHtml(link(from, "index.json")),
  });
}

function dl(rows: Array<[string, string]>): string {
  return `<dl>\n${rows.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${v}</dd>`).join("\n")}\n</dl>`;
}

function versionMeaning(p: SitePackage): string {
  if (p.version === p.upstream) return "the package's own version, published as it was built";
  return (
    `upstream version <code>${escapeHtml(p.upstream)}</code>, built ${escapeHtml(p.buildtime)} (UTC), ` +
    `from the binary whose SHA-256 is <code class="hash">${escapeHtml(p.mainSha256)}</code>`
  );
}

function packageHtml(i: Site, r: SiteRepository, p: SitePackage, byName: Map<string, SitePackage[]>): string {
  const from = p.page;
  const relRows = p.relations.map((rel) => {
    // Names that this repository publishes link to their newest page.
    let text = escapeHtml(rel.text);
    for (const n of [...new Set(rel.names)].sort((a, b) => b.length - a.length)) {
      const target = byName.get(n)?.[0];
      if (!target || target === p) continue;
      const re = new RegExp(`(^|[\\s,|(])(${n.replace(/[.+]/g, (c) => "\\" + c)})(?=$|[\\s,|:(\\[<])`, "g");
      text = text.replace(re, (_m, pre: string, name: string) => `${pre}<a href="${escapeHtml(link(from, target.page))}">${name}</a>`);
    }
    return [rel.field, text] as [string, string];
  });
  const install =
    p.kind === "apt" ? `sudo apt install ${p.name}=${p.version}` : `pkg install -r ${i.origin} ${p.name}-${p.version}`;
  const others = (byName.get(p.name) ?? []).filter((o) => o !== p && o.arch === p.arch);
  const homepage = httpUrl(p.homepage);
  const facts: Array<[string, string]> = [
    ["Version", `<code class="ver">${escapeHtml(p.version)}</code>`],
    ["What the version says", versionMeaning(p)],
    ["Job and build", `${escapeHtml(p.job)} / <code>${escapeHtml(p.uuid)}</code>`],
    ["Built", `<time datetime="${p.start.toISOString()}">${when(p.start)} UTC</time>`],
    ["Platform", `${escapeHtml(p.platform)} (${escapeHtml(p.arch)})`],
    ["Size", `${human(p.size)} (${p.size} bytes)`],
  ];
  if (p.installedSize) facts.push(["Installed size", escapeHtml(p.installedSize)]);
  facts.push(["SHA-256 of the package", `<code class="hash">${escapeHtml(p.sha256)}</code>`]);
  facts.push(["Download", `<a href="${escapeHtml(link(from, p.pool))}">${escapeHtml(path.posix.basename(p.pool))}</a>`]);
  if (p.section) facts.push([p.kind === "apt" ? "Section" : "Categories", escapeHtml(p.section)]);
  if (p.maintainer) facts.push(["Maintainer", escapeHtml(p.maintainer)]);
  if (p.homepage) facts.push(["Homepage", homepage ? `<a href="${escapeHtml(homepage)}" rel="nofollow noopener">${escapeHtml(homepage)}</a>` : escapeHtml(p.homepage)]);
  const sections = [
    `<h1>${escapeHtml(p.name)}</h1>`,
    `<p class="summary">${escapeHtml(p.summary)}</p>`,
    p.description ? `<div class="description">${p.description.split(/\n{2,}/).map((para) => `<p>${escapeHtml(para)}</p>`).join("\n")}</div>` : "",
    `<h2>Install this version</h2>`,
    snippet(install),
    `<h2>About this build</h2>`,
    dl(facts),
    relRows.length ? `<h2>Relations</h2>\n${dl(relRows)}` : "",
    `<h2>Configuration files</h2>`,
    p.conffiles.length ? `<ul class="files">${p.conffiles.map((f) => `<li><code>${escapeHtml(f)}</code></li>`).join("")}</ul>` : "<p>None.</p>",
    `<h2>Files (${p.files.length})</h2>`,
    p.files.length ? `<ul class="files">${p.files.map((f) => `<li><code>/${escapeHtml(f.replace(/^\//, ""))}</code></li>`).join("")}</ul>` : "<p>None recorded.</p>",
    `<h2>Other versions kept</h2>`,
    others.length
      ? `<ul>${others.map((o) => `<li><a href="${escapeHtml(link(from, o.page))}"><code class="ver">${escapeHtml(o.version)}</code></a> (built ${when(o.start)})</li>`).join("")}</ul>`
      : "<p>None.</p>",
  ];
  return fill(i.templates.package, {
    title: escapeHtml(`${p.name} ${p.version}`),
    label: escapeHtml(i.label),
    index: escapeHtml(link(from, "index.html") + `#${r.kind}-${r.key}`),
    repo: escapeHtml(repoTitle(r)),
    body: sections.filter(Boolean).join("\n"),
    css: escapeHtml(link(from, CSS)),
    js: escapeHtml(link(from, JS)),
  });
}

/** Characters XML 1.0 cannot carry at all are dropped; the rest are escaped. */
export function escapeXml(s: string): string {
  return s
    .replace(/[^\x09\x0a\x0d\x20-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/gu, "")
    .replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" })[c]!);
}

function absolute(i: Site, rel: string): string {
  return `${i.baseUrl.replace(/\/+$/, "")}/${rel.split("/").map(encodeURIComponent).join("/")}`;
}

function feed(i: Site, r: SiteRepository): string {
  const pkgs = [...r.packages].sort(newestFirst);
  const updated = (pkgs[0]?.start ?? i.generated).toISOString();
  const entries = pkgs.map(
    (p) =>
      `<entry>\n<title>${escapeXml(`${p.name} ${p.version} (${p.arch})`)}</title>\n<id>${escapeXml(absolute(i, p.page))}</id>\n` +
      `<updated>${p.start.toISOString()}</updated>\n<link rel="alternate" type="text/html" href="${escapeXml(absolute(i, p.page))}"/>\n` +
      `<summary>${escapeXml(`${p.summary} — job ${p.job}, build ${p.uuid}, SHA-256 ${p.sha256}`)}</summary>\n</entry>`,
  );
  return (
    `<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">\n` +
    `<title>${escapeXml(`${i.label}: ${repoTitle(r)}`)}</title>\n<id>${escapeXml(absolute(i, feedPath(r)))}</id>\n` +
    `<updated>${updated}</updated>\n<link rel="self" href="${escapeXml(absolute(i, feedPath(r)))}"/>\n` +
    `<link rel="alternate" type="text/html" href="${escapeXml(absolute(i, "index.html"))}"/>\n` +
    `<author><name>${escapeXml(i.origin)}</name></author>\n${entries.join("\n")}\n</feed>\n`
  );
}

function indexJson(i: Site): string {
  const doc = {
    origin: i.origin,
    label: i.label,
    description: i.description,
    base_url: i.baseUrl,
    generated: i.generated.toISOString(),
    repositories: i.repos.map((r) => ({
      kind: r.kind,
      [r.kind === "apt" ? "suite" : "abi"]: r.key,
      ...(r.kind === "apt" ? { date: r.date ?? null, valid_until: r.validUntil ?? null } : {}),
      feed: feedPath(r),
      packages: [...r.packages]
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.page < b.page ? -1 : 1))
        .map((p) => ({
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
          relations: Object.fromEntries(p.relations.map((x) => [x.field, x.text])),
        })),
    })),
  };
  return JSON.stringify(doc, null, 1) + "\n";
}

/**
 * Every file of the web pages; the index last, since it links to all the others. A package page
 * whose digest (pageDigest: everything it is rendered from) `unchanged` accepts is left out of
 * `files`: with thousands of packages, rendering pages that come out the same was most of the
 * pages' cost. `digests` has every package page's digest, for the next run.
 */
export function sitePages(input: SiteInput, unchanged?: (path: string, digest: string) => boolean): { files: SiteFile[]; digests: Map<string, string> } {
  const digests = new Map<string, string>();
  return { files: [...eachSitePage(input, digests, unchanged)], digests };
}

/**
 * sitePages one file at a time, in the same order, each package page's digest put into `digests`:
 * with 100 000 packages the pages add up to hundreds of MB, so a caller writes them as they come
 * instead of holding them all.
 */
export function* eachSitePage(input: SiteInput, digests: Map<string, string>, unchanged?: (path: string, digest: string) => boolean): Generator<SiteFile> {
  const i: Site = {
    ...input,
    templates: templates(),
    repos: input.repos.map((r) => ({ ...r, packages: r.packages.map((p) => sitePackage(r.kind, r.key, p)) })),
  };
  yield { path: CSS, data: Buffer.from(i.templates.css) };
  yield { path: JS, data: Buffer.from(i.templates.js) };
  const salt = JSON.stringify([1, i.templates.package, i.label, i.origin]);
  for (const r of i.repos) {
    const byName = new Map<string, SitePackage[]>();
    for (const p of [...r.packages].sort(newestFirst)) {
      if (!byName.has(p.name)) byName.set(p.name, []);
      byName.get(p.name)!.push(p);
    }
    for (const p of r.packages) {
      const digest = pageDigest(salt, r, p, byName);
      digests.set(p.page, digest);
      if (unchanged?.(p.page, digest)) continue;
      yield { path: p.page, data: Buffer.from(packageHtml(i, r, p, byName)) };
    }
    yield { path: feedPath(r), data: Buffer.from(feed(i, r)) };
  }
  yield { path: "index.json", data: Buffer.from(indexJson(i)) };
  yield { path: "index.html", data: Buffer.from(indexHtml(i)) };
}

/**
 * What a package page is rendered from (see packageHtml): the site's label and template, its
 * repository, the package, the newest page of each name its relations mention, and the other
 * versions of its name.
 */
function pageDigest(salt: string, r: SiteRepository, p: SitePackage, byName: Map<string, SitePackage[]>): string {
  const targets = p.relations.flatMap((rel) => rel.names.map((n) => [n, byName.get(n)?.[0]?.page ?? ""]));
  const others = (byName.get(p.name) ?? []).filter((o) => o !== p && o.arch === p.arch).map((o) => [o.version, o.page, o.start.getTime()]);
  return createHash("sha256")
    .update(JSON.stringify([salt, r.kind, r.key, p, targets, others]))
    .digest("base64url")
    .slice(0, 22);
}

/** The paths sitePages writes, without rendering anything. */
export function sitePaths(input: SiteInput): string[] {
  const out = [CSS, JS];
  for (const r of input.repos) {
    for (const p of r.packages) out.push(pagePath(r.kind, r.key, p.name, p.version, p.arch));
    out.push(feedPath(r));
  }
  out.push("index.json", "index.html");
  return out;
}

/**
 * A digest of everything the pages are made from: the same digest, the same bytes. Each package's
 * index entry, file list and conffiles stand for what its pool file holds.
 */
export function siteFingerprint(input: SiteInput): string {
  const h = createHash("sha256");
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

/** Date and Valid-Until as a suite's published Release states them (none for FreeBSD). */
export function releaseDates(release: Buffer | undefined): { date?: string; validUntil?: string } {
  if (!release) return {};
  const text = release.toString("utf8");
  const date = /^Date: (.+)$/m.exec(text)?.[1];
  const validUntil = /^Valid-Until: (.+)$/m.exec(text)?.[1];
  return { ...(date ? { date } : {}), ...(validUntil ? { validUntil } : {}) };
}
