/** Client snippets and the template helpers of the web pages (templates/ holds the operator-editable files). */
import { readFileSync } from "node:fs";
import path from "node:path";
import { packageRoot } from "../version.js";
import type { PageSource } from "./model.js";

const TEMPLATES = path.join(packageRoot(), "templates");

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
  /** What the package's web page is made from (rendered only when the pages change). */
  source: PageSource;
}

export interface SiteRepo {
  kind: "apt" | "pkg";
  /** Suite or ABI. */
  key: string;
  rows: SiteRow[];
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
