/**
 * Relation fields of a binary package (Depends, Pre-Depends, Recommends, Suggests, Enhances, Breaks,
 * Conflicts, Replaces, Provides, Built-Using, Static-Built-Using), parsed with dpkg's grammar and
 * checked against what both dpkg and apt accept, because one field that either of them cannot parse
 * makes `apt-get update` fail for every package of the suite.
 *
 *   field        = entry *( "," entry )
 *   entry        = alternative *( "|" alternative )
 *   alternative  = name [ ":" arch ] [ "(" op version ")" ]
 *
 * with optional white space (space, tab, a folded line) around every token. `[arch …]` and
 * `<profile …>` belong to source packages' Build-Depends: in a binary package dpkg and apt refuse
 * them. Where the tools differ, the stricter verdict wins, so what we publish is read by both.
 */
import { FormatError } from "../errors.js";
import { PACKAGE_NAME } from "./names.js";
import { parseDebVersion } from "./version.js";

export const RELATION_FIELDS = [
  "Pre-Depends",
  "Depends",
  "Recommends",
  "Suggests",
  "Enhances",
  "Breaks",
  "Conflicts",
  "Replaces",
  "Provides",
  "Built-Using",
  "Static-Built-Using",
] as const;
export type RelationField = (typeof RELATION_FIELDS)[number];

/** `<` and `>` are dpkg's obsolete spellings of `<=` and `>=`; dpkg warns, apt reads them the same way. */
export type RelationOp = "<<" | "<=" | "=" | ">=" | ">>" | "<" | ">";

export interface Relation {
  name: string;
  arch?: string;
  op?: RelationOp;
  version?: string;
}

/** Entries of the field; each entry is its list of alternatives. */
export type Relations = Relation[][];

interface FieldRules {
  alternatives: boolean;
  archQualifier: boolean;
  /** Every entry must carry `(= version)`. */
  exactVersion: "required" | "only" | "any";
}

const RULES: Record<RelationField, FieldRules> = {
  "Pre-Depends": { alternatives: true, archQualifier: true, exactVersion: "any" },
  Depends: { alternatives: true, archQualifier: true, exactVersion: "any" },
  Recommends: { alternatives: true, archQualifier: true, exactVersion: "any" },
  Suggests: { alternatives: true, archQualifier: true, exactVersion: "any" },
  Enhances: { alternatives: true, archQualifier: true, exactVersion: "any" },
  // dpkg: "alternatives ('|') not allowed" in these four.
  Breaks: { alternatives: false, archQualifier: true, exactVersion: "any" },
  Conflicts: { alternatives: false, archQualifier: true, exactVersion: "any" },
  Replaces: { alternatives: false, archQualifier: true, exactVersion: "any" },
  // dpkg warns on anything but "=", apt ignores such a Provides with a warning, and apt skips an
  // arch-qualified one: refused, so neither tool has anything to say.
  Provides: { alternatives: false, archQualifier: false, exactVersion: "only" },
  // Source packages at exact versions (Debian policy 7.8); dpkg 1.21 does not parse these at all.
  "Built-Using": { alternatives: false, archQualifier: false, exactVersion: "required" },
  "Static-Built-Using": { alternatives: false, archQualifier: false, exactVersion: "required" },
};

const FIELD_BY_LOWER = new Map<string, RelationField>(RELATION_FIELDS.map((f) => [f.toLowerCase(), f]));

/** The canonical name when `name` is a relation field (field names are case-insensitive). */
export function relationField(name: string): RelationField | undefined {
  return FIELD_BY_LOWER.get(name.toLowerCase());
}

/** dpkg's architecture names: lower-case letters, digits and "-", starting with a letter or digit. */
const ARCH = /^[a-z0-9][a-z0-9-]*$/;

class Cursor {
  i = 0;
  constructor(readonly s: string) {}
  ws(): void {
    while (this.i < this.s.length && (this.s[this.i] === " " || this.s[this.i] === "\t" || this.s[this.i] === "\n")) this.i++;
  }
  peek(): string {
    return this.s[this.i] ?? "";
  }
  end(): boolean {
    return this.i >= this.s.length;
  }
  /** Reads while the character is not white space and not one of the stop characters. */
  word(stop: string): string {
    const start = this.i;
    while (this.i < this.s.length && !" \t\n".includes(this.s[this.i]!) && !stop.includes(this.s[this.i]!)) this.i++;
    return this.s.slice(start, this.i);
  }
}

function show(s: string): string {
  return JSON.stringify(s.length > 60 ? s.slice(0, 60) + "…" : s);
}

/** Why a relation field is refused; the field name leads the message. */
export class RelationError extends FormatError {}

/**
 * Parses one relation field. Throws a RelationError saying which field and what is wrong; the
 * caller adds the build as the subject.
 */
export function parseRelations(field: RelationField, value: string, subject?: string): Relations {
  const rules = RULES[field];
  const fail = (why: string): never => {
    throw new RelationError(`${field}: ${why}`, subject);
  };
  const c = new Cursor(value);
  const out: Relations = [];
  c.ws();
  if (c.end()) fail("the field is empty");
  for (;;) {
    const entry: Relation[] = [];
    for (;;) {
      c.ws();
      const at = c.i;
      const name = c.word(":(),|[]<>");
      if (name === "") fail(c.end() ? "a package name is missing at the end" : `a package name is missing before ${show(value.slice(at))}`);
      if (!PACKAGE_NAME.test(name)) fail(`bad package name ${show(name)} (allowed: [a-z0-9][a-z0-9+.-]+, at least two characters)`);
      const rel: Relation = { name };
      if (c.peek() === ":") {
        c.i++;
        const arch = c.word("(),|[]<>:");
        if (!rules.archQualifier) fail(`${name}: an architecture qualifier is not allowed here`);
        if (!ARCH.test(arch)) fail(`${name}: bad architecture qualifier ${show(arch)}`);
        if (arch === "all") fail(`${name}: ":all" is not an architecture a dependency can name`);
        rel.arch = arch;
      }
      c.ws();
      if (c.peek() === "(") {
        const paren = c.i;
        c.i++;
        c.ws();
        // apt gives up on a version clause with fewer than four characters left after "(" and its
        // white space, so "(=7)" at the very end of a field fails `apt-get update`; "(= 7)" is read.
        if (value.trimEnd().length - c.i < 4) fail(`${name}: apt cannot read ${show(value.slice(paren).trim())} at the end of the field (write a space after the operator)`);
        let op = "";
        while ("<>=".includes(c.peek()) && c.peek() !== "" && op.length < 2) op += value[c.i++];
        if (!["<<", "<=", "=", ">=", ">>", "<", ">"].includes(op)) fail(`${name}: bad relation operator ${show(op || value.slice(c.i, c.i + 2))} (one of << <= = >= >>)`);
        c.ws();
        const version = c.word("(),|[]<>");
        if (version === "") fail(`${name}: the version after "${op}" is missing`);
        try {
          parseDebVersion(version);
        } catch (e) {
          fail(`${name}: ${(e as Error).message}`);
        }
        c.ws();
        if (c.peek() !== ")") fail(`${name} (${op} ${version}: ${c.end() ? 'no closing ")"' : `unexpected ${show(value.slice(c.i))} before ")"`}`);
        c.i++;
        rel.op = op as RelationOp;
        rel.version = version;
        c.ws();
      }
      if (rules.exactVersion === "required" && rel.op !== "=") fail(`${name}: each entry must name an exact version, "(= VERSION)"`);
      if (rules.exactVersion === "only" && rel.op !== undefined && rel.op !== "=") fail(`${name}: only exact versions, "(= VERSION)", may be used`);
      entry.push(rel);
      const next = c.peek();
      if (next === "[" || next === "<")
        fail(`${name}: ${next === "[" ? "architecture restrictions [...]" : "build profiles <...>"} belong to a source package's Build-Depends, not to a binary package`);
      if (next === "|") {
        if (!rules.alternatives) fail(`alternatives ("|") are not allowed`);
        c.i++;
        continue;
      }
      break;
    }
    out.push(entry);
    if (c.end()) return out;
    if (c.peek() !== ",") fail(`unexpected ${show(value.slice(c.i))} after ${entry[entry.length - 1]!.name}`);
    c.i++;
    c.ws();
    if (c.end()) fail("a package name is missing after the last \",\"");
  }
}
