/**
 * deb822 control paragraphs: parse, validate, serialise. Values that come from input are checked
 * here, so that a newline can never inject a field or a paragraph into `control` or `Packages`.
 */
import { FormatError } from "../errors.js";
import { FORBIDDEN_CHAR, forbiddenChar } from "../util/chars.js";
import { checkPackageName } from "./names.js";
import { parseRelations, relationField } from "./relations.js";
import { parseDebVersion } from "./version.js";

/**
 * Limits on a package's control file. Debian 12's largest field (a librust Provides) is 74 KiB;
 * apt reads a 1 MB field line and fails on a 5 MB one, for the whole suite.
 */
export const MAX_FIELD_BYTES = 256 << 10;
export const MAX_CONTROL_BYTES = 512 << 10;

/** Field name → value. Multi-line values keep their continuation lines, each starting with " ". */
export type Paragraph = Array<[string, string]>;

const FIELD_NAME = /^[!-9;-~][!-9;-~]*$/;

export function parseParagraphs(text: string, subject?: string): Paragraph[] {
  if (text.includes("\r")) throw new FormatError("control data contains a carriage return", subject);

  const out: Paragraph[] = [];
  let cur: Paragraph = [];
  for (const line of text.split("\n")) {
    if (line.trim() === "") {
      if (cur.length) out.push(cur);
      cur = [];
      continue;
    }
    if (line.startsWith("#")) continue;
    // Checked on the line as written, before trimming could hide a trailing one.
    const bad = forbiddenChar(line);
    if (line[0] === " " || line[0] === "\t") {
      const last = cur[cur.length - 1];
      if (!last) throw new FormatError(`continuation line without a field: "${line.trim()}"`, subject);
      if (bad) throw new FormatError(`field ${last[0]} contains the control character ${bad}`, subject);
      last[1] += "\n" + line;
      continue;
    }
    const colon = line.indexOf(":");
    if (colon <= 0) throw new FormatError(`line is not a field: "${line}"`, subject);
    const name = line.slice(0, colon);
    if (!FIELD_NAME.test(name) || name.startsWith("-")) throw new FormatError(`bad field name "${name}"`, subject);
    if (cur.some(([n]) => n.toLowerCase() === name.toLowerCase())) throw new FormatError(`duplicate field ${name}`, subject);
    if (bad) throw new FormatError(`field ${name} contains the control character ${bad}`, subject);
    cur.push([name, line.slice(colon + 1).trim()]);
  }
  if (cur.length) out.push(cur);
  // What is left (comment lines) must not hold them either.
  const bad = forbiddenChar(text);
  if (bad) {
    const line = text.slice(0, FORBIDDEN_CHAR.exec(text)!.index).split("\n").length;
    throw new FormatError(`control data contains the control character ${bad} (line ${line})`, subject);
  }
  return out;
}

export function parseParagraph(text: string, subject?: string): Paragraph {
  const ps = parseParagraphs(text, subject);
  if (ps.length !== 1) throw new FormatError(`expected one control paragraph, found ${ps.length}`, subject);
  return ps[0]!;
}

export function get(p: Paragraph, name: string): string | undefined {
  const l = name.toLowerCase();
  return p.find(([n]) => n.toLowerCase() === l)?.[1];
}

export function set(p: Paragraph, name: string, value: string): Paragraph {
  const l = name.toLowerCase();
  const i = p.findIndex(([n]) => n.toLowerCase() === l);
  const out = p.map(([n, v]) => [n, v] as [string, string]);
  if (i >= 0) out[i] = [out[i]![0], value];
  else out.push([name, value]);
  return out;
}

/**
 * A package's own control file (from a .deb's control member): UTF-8, within the size limits, one
 * paragraph, every field within its limit and no forbidden character.
 */
export function parseControlFile(bytes: Buffer, subject?: string): Paragraph {
  if (bytes.length > MAX_CONTROL_BYTES) throw new FormatError(`the control file is ${bytes.length} bytes; the limit is ${MAX_CONTROL_BYTES} (512 KiB)`, subject);
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw new FormatError("the control file is not valid UTF-8", subject);
  }
  if (text.startsWith("\ufeff")) throw new FormatError("the control file starts with a byte order mark", subject);
  return parseParagraph(text, subject);
}

/**
 * Checks what the published fields must satisfy for dpkg and apt to read them: every field within
 * MAX_FIELD_BYTES and free of forbidden characters, Package a Debian package name, Version a Debian
 * version, and every relation field parsed with dpkg's grammar. The message names the field.
 */
export function checkControlFields(p: Paragraph, subject?: string): void {
  let total = 0;
  for (const [name, value] of p) {
    const size = Buffer.byteLength(value, "utf8");
    total += name.length + size + 3;
    if (size > MAX_FIELD_BYTES) throw new FormatError(`field ${name} is ${size} bytes; the limit is ${MAX_FIELD_BYTES} (256 KiB)`, subject);
    const bad = forbiddenChar(value);
    if (bad) throw new FormatError(`field ${name} contains the control character ${bad}`, subject);
    const rel = relationField(name);
    if (rel) parseRelations(rel, value, subject);
  }
  if (total > MAX_CONTROL_BYTES) throw new FormatError(`the control fields are ${total} bytes; the limit is ${MAX_CONTROL_BYTES} (512 KiB)`, subject);
  const pkg = get(p, "Package");
  const version = get(p, "Version");
  if (pkg === undefined || version === undefined) throw new FormatError("control file lacks Package or Version", subject);
  checkPackageName(pkg, subject);
  parseDebVersion(version, subject);
  // Values apt warns about on every client's update ("Unknown Multi-Arch type", "Unknown flag value").
  for (const [field, allowed] of ENUMS) {
    const v = get(p, field);
    if (v !== undefined && !allowed.includes(v)) throw new FormatError(`field ${field} is "${v.slice(0, 60)}"; it must be one of ${allowed.join(", ")}`, subject);
  }
  const size = get(p, "Installed-Size");
  if (size !== undefined && !/^\d{1,15}$/.test(size)) throw new FormatError(`field Installed-Size is "${size.slice(0, 60)}"; it must be a number of KiB`, subject);
  const source = get(p, "Source");
  if (source !== undefined) {
    const m = /^(\S+)(?:\s+\((\S+)\))?$/.exec(source);
    if (!m) throw new FormatError(`field Source is "${source.slice(0, 60)}"; it must be "NAME" or "NAME (VERSION)"`, subject);
    checkPackageName(m[1]!, subject);
    if (m[2] !== undefined) parseDebVersion(m[2], subject);
  }
}

const ENUMS: Array<[string, string[]]> = [
  ["Multi-Arch", ["same", "foreign", "allowed", "no"]],
  ["Essential", ["yes", "no"]],
  ["Protected", ["yes", "no"]],
  ["Important", ["yes", "no"]],
  ["Build-Essential", ["yes", "no"]],
];

/**
 * The control file's text with the value of its Version line replaced, every other byte kept
 * (white space around the value included).
 */
export function replaceVersion(text: string, version: string, subject?: string): string {
  if (/[\s]/.test(version) || version === "") throw new FormatError(`bad version "${version}"`, subject);
  const re = /^(version:[ \t]*)([^\n]*?)([ \t]*)$/gim;
  const hits = [...text.matchAll(re)];
  if (hits.length !== 1) throw new FormatError(`the control file has ${hits.length} Version lines`, subject);
  const m = hits[0]!;
  const at = m.index! + m[1]!.length;
  return text.slice(0, at) + version + text.slice(at + m[2]!.length);
}

/** Checks every line of a serialised value: continuation lines must start with a space and not be empty. */
function checkValue(name: string, value: string, subject?: string): void {
  if (value === "") throw new FormatError(`field ${name} is empty`, subject);
  if (value.includes("\r")) throw new FormatError(`field ${name} contains a carriage return`, subject);
  const bad = forbiddenChar(value);
  if (bad) throw new FormatError(`field ${name} contains the control character ${bad}`, subject);
  const lines = value.split("\n");
  for (let i = 1; i < lines.length; i++) {
    const l = lines[i]!;
    if (!(l.startsWith(" ") || l.startsWith("\t")) || l.trim() === "")
      throw new FormatError(`field ${name} contains a line break that would start a new field or paragraph`, subject);
  }
}

export function serialise(p: Paragraph, subject?: string): string {
  // Joined, not appended: a string built with += stays a tree of pieces, and the state keeps
  // thousands of these paragraphs in memory.
  const lines: string[] = [];
  for (const [name, value] of p) {
    if (!FIELD_NAME.test(name) || name.startsWith("-") || name.startsWith("#")) throw new FormatError(`bad field name "${name}"`, subject);
    checkValue(name, value, subject);
    lines.push(value.startsWith("\n") ? `${name}:${value}\n` : `${name}: ${value}\n`);
  }
  return lines.join("");
}

/** A value that must stay on one line (Package, Version, Depends, Maintainer, …). */
export function oneLine(field: string, value: string, subject?: string): string {
  if (/[\r\n]/.test(value)) throw new FormatError(`${field} contains a line break`, subject);
  const v = value.trim();
  if (v === "") throw new FormatError(`${field} is empty`, subject);
  // Other control characters have no place in a field and confuse parsers downstream.
  const bad = forbiddenChar(v);
  if (bad) throw new FormatError(`${field} contains the control character ${bad}`, subject);
  return v;
}

/** Synopsis plus long text into a Description value (blank lines become " ."). */
export function description(summary: string, long: string | undefined, subject?: string): string {
  const syn = oneLine("summary", summary, subject);
  if (syn.length >= 80) throw new FormatError(`summary is ${syn.length} characters long; it must be under 80`, subject);
  if (long === undefined || long.trim() === "") return syn;
  if (long.includes("\r")) throw new FormatError("description contains a carriage return", subject);
  const bad = forbiddenChar(long);
  if (bad) throw new FormatError(`description contains the control character ${bad}`, subject);
  const lines = long.replace(/\s+$/, "").replace(/^\n+/, "").split("\n");
  return syn + lines.map((l) => (l.trim() === "" ? "\n ." : `\n ${l.replace(/\s+$/, "")}`)).join("");
}

export { PACKAGE_NAME, checkPackageName } from "./names.js";
export { forbiddenChar } from "../util/chars.js";
