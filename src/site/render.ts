/** The index page and client snippets, from the operator-editable files in templates/. */
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const TEMPLATES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "templates");

export function template(name: string): string {
  return readFileSync(path.join(TEMPLATES, name), "utf8");
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

/** Replaces {{key}}; values are inserted as given (escape them first where they are HTML). */
export function fill(text: string, values: Record<string, string>): string {
  return text.replace(/\{\{([a-z_]+)\}\}/g, (m, k: string) => values[k] ?? m);
}

export interface SiteRow {
  name: string;
  version: string;
  arch: string;
  size: number;
  date: Date;
  file: string;
}

export interface SiteRepo {
  kind: "apt" | "pkg";
  /** Suite or ABI. */
  key: string;
  rows: SiteRow[];
}

function human(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1 << 20) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / (1 << 20)).toFixed(1)} MiB`;
}

function table(rows: SiteRow[], prefix: string): string {
  const body = rows
    .map(
      (r) =>
        `<tr><td><a href="${escapeHtml(prefix + r.file)}">${escapeHtml(r.name)}</a></td><td><code>${escapeHtml(r.version)}</code></td><td>${escapeHtml(r.arch)}</td><td class="num">${human(r.size)}</td><td>${r.date.toISOString().slice(0, 16).replace("T", " ")}</td></tr>`,
    )
    .join("\n");
  return `<table><thead><tr><th>Package</th><th>Version</th><th>Arch</th><th>Size</th><th>Built</th></tr></thead>\n<tbody>\n${body}\n</tbody></table>`;
}

export interface IndexPageInput {
  label: string;
  description: string;
  baseUrl: string;
  origin: string;
  keyringName: string;
  generated: Date;
  repos: SiteRepo[];
  aptSources: Record<string, string>;
  pkgConf: string | null;
}

export function indexPage(i: IndexPageInput): string {
  const apt = i.repos.filter((r) => r.kind === "apt");
  const pkg = i.repos.filter((r) => r.kind === "pkg");
  let aptSection = "";
  if (apt.length) {
    aptSection += `<h2>Debian and Ubuntu (APT)</h2>\n<p>Add the signing key once:</p>\n`;
    aptSection += `<pre>sudo install -d -m 0755 /etc/apt/keyrings\nsudo curl -fsSLo /etc/apt/keyrings/${escapeHtml(i.keyringName)}.gpg ${escapeHtml(i.baseUrl)}/apt/archive-keyring.gpg</pre>\n`;
    for (const r of apt) {
      const setup = `sudo curl -fsSLo /etc/apt/sources.list.d/${i.keyringName}.sources ${i.baseUrl}/apt/${r.key}.sources\nsudo apt update`;
      aptSection += `<h3>Suite <code>${escapeHtml(r.key)}</code></h3>\n<p>Then add the source (it reads as below) and update:</p>\n<pre>${escapeHtml(setup)}</pre>\n<pre>${escapeHtml(i.aptSources[r.key] ?? "")}</pre>\n${table(r.rows, "apt/")}\n`;
    }
  }
  let pkgSection = "";
  if (pkg.length && i.pkgConf) {
    pkgSection += `<h2>FreeBSD (pkg)</h2>\n<p>Save the public key and the repository configuration, then install:</p>\n`;
    pkgSection += `<pre>mkdir -p /usr/local/etc/pkg/keys /usr/local/etc/pkg/repos\nfetch -o /usr/local/etc/pkg/keys/${escapeHtml(i.origin)}.pub ${escapeHtml(i.baseUrl)}/pkg/repo.pub\nfetch -o /usr/local/etc/pkg/repos/${escapeHtml(i.origin)}.conf ${escapeHtml(i.baseUrl)}/pkg/${escapeHtml(i.origin)}.conf\npkg update</pre>\n<pre>${escapeHtml(i.pkgConf)}</pre>\n`;
    for (const r of pkg) pkgSection += `<h3>ABI <code>${escapeHtml(r.key)}</code></h3>\n${table(r.rows, `pkg/${r.key}/`)}\n`;
  }
  return fill(template("index.html"), {
    label: escapeHtml(i.label),
    description: escapeHtml(i.description),
    apt_section: aptSection,
    pkg_section: pkgSection,
    generated: escapeHtml(i.generated.toISOString()),
  });
}

export function aptSources(baseUrl: string, suite: string, keyringName: string): string {
  return fill(template("apt.sources"), { base_url: baseUrl, suite, keyring_name: keyringName });
}

/** The /usr/local/etc/pkg/repos/ORIGIN.conf snippet. */
export function pkgSnippet(c: { origin: string; baseUrl: string; pkg: { signature: "pubkey" | "fingerprints" } }): string {
  const keyLine =
    c.pkg.signature === "pubkey" ? `pubkey: "/usr/local/etc/pkg/keys/${c.origin}.pub",` : `fingerprints: "/usr/local/etc/pkg/fingerprints/${c.origin}",`;
  return fill(template("pkg.conf"), { name: c.origin, base_url: c.baseUrl, signature_type: c.pkg.signature, key_line: keyLine });
}
