/**
 * deb822 control paragraphs: parse, validate, serialise. Values that come from input are checked
 * here, so that a newline can never inject a field or a paragraph into `control` or `Packages`.
 */
import { FormatError } from "../errors.js";

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
    if (line[0] === " " || line[0] === "\t") {
      const last = cur[cur.length - 1];
      if (!last) throw new FormatError(`continuation line without a field: "${line.trim()}"`, subject);
      last[1] += "\n" + line;
      continue;
    }
    const colon = line.indexOf(":");
    if (colon <= 0) throw new FormatError(`line is not a field: "${line}"`, subject);
    const name = line.slice(0, colon);
    if (!FIELD_NAME.test(name) || name.startsWith("-")) throw new FormatError(`bad field name "${name}"`, subject);
    if (cur.some(([n]) => n.toLowerCase() === name.toLowerCase())) throw new FormatError(`duplicate field ${name}`, subject);
    cur.push([name, line.slice(colon + 1).trim()]);
  }
  if (cur.length) out.push(cur);
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

/** Checks every line of a serialised value: continuation lines must start with a space and not be empty. */
function checkValue(name: string, value: string, subject?: string): void {
  if (value === "") throw new FormatError(`field ${name} is empty`, subject);
  if (value.includes("\r")) throw new FormatError(`field ${name} contains a carriage return`, subject);
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
  if (/[\x00-\x08\x0b-\x1f\x7f]/.test(v)) throw new FormatError(`${field} contains a control character`, subject);
  return v;
}

/** Synopsis plus long text into a Description value (blank lines become " ."). */
export function description(summary: string, long: string | undefined, subject?: string): string {
  const syn = oneLine("summary", summary, subject);
  if (syn.length >= 80) throw new FormatError(`summary is ${syn.length} characters long; it must be under 80`, subject);
  if (long === undefined || long.trim() === "") return syn;
  if (long.includes("\r")) throw new FormatError("description contains a carriage return", subject);
  if (/[\x00-\x08\x0b-\x1f\x7f]/.test(long)) throw new FormatError("description contains a control character", subject);
  const lines = long.replace(/\s+$/, "").replace(/^\n+/, "").split("\n");
  return syn + lines.map((l) => (l.trim() === "" ? "\n ." : `\n ${l.replace(/\s+$/, "")}`)).join("");
}

export const PACKAGE_NAME = /^[a-z0-9][a-z0-9+.-]+$/;

export function checkPackageName(name: string, subject?: string): string {
  if (!PACKAGE_NAME.test(name)) throw new FormatError(`bad package name "${name}" (allowed: [a-z0-9][a-z0-9+.-]+)`, subject);
  return name;
}
