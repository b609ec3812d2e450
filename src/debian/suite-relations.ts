/**
 * Relations inside one suite that a version rewrite broke: a package that names a sibling with `=`,
 * `<<` or `<=` (jq's `libjq1 (= 1.6-2.1+deb12u3)`) is satisfied by the sibling's own version, but not
 * by the version the sibling is published with once it gets the BUILDTIME/SHA256 suffix. Pure.
 */
import { get, parseParagraph } from "./control.js";
import { parseRelations, type Relation, type RelationField } from "./relations.js";
import { compareDebVersions } from "./version.js";

export interface SuiteMember {
  name: string;
  arch: string;
  /** As published. */
  version: string;
  /** The package's own version, before any rewrite. */
  upstream: string;
  /** Its Packages paragraph. */
  entry: string;
  /** The build, job/uuid. */
  build: string;
}

/** The fields whose unmet entries keep a package from installing (Recommends: from installing whole). */
const POSITIVE: RelationField[] = ["Pre-Depends", "Depends", "Recommends"];

function holds(r: Relation, version: string): boolean {
  if (!r.op || r.version === undefined) return true;
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

function text(r: Relation): string {
  return `${r.name}${r.arch ? `:${r.arch}` : ""}${r.op ? ` (${r.op} ${r.version})` : ""}`;
}

/** One line per relation that held for the siblings' own versions and no longer holds for the published ones. */
export function brokenRelations(members: SuiteMember[]): string[] {
  const rewritten = members.filter((m) => m.version !== m.upstream);
  if (!rewritten.length) return [];
  const byName = new Map<string, SuiteMember[]>();
  for (const m of members) byName.set(m.name, [...(byName.get(m.name) ?? []), m]);
  const out: string[] = [];
  for (const m of members) {
    let para;
    try {
      para = parseParagraph(m.entry);
    } catch {
      continue;
    }
    for (const field of POSITIVE) {
      const value = get(para, field);
      if (!value) continue;
      let groups;
      try {
        groups = parseRelations(field, value);
      } catch {
        continue; // refused when the package was read; nothing to judge here
      }
      for (const group of groups) {
        const targets = (r: Relation) => (byName.get(r.name) ?? []).filter((t) => t.arch === m.arch || t.arch === "all" || m.arch === "all");
        const now = group.some((r) => targets(r).some((t) => holds(r, t.version)));
        if (now) continue;
        // Which sibling's own version met it: that sibling's rewrite is what broke it.
        const cause = group.flatMap((r) => targets(r).filter((t) => t.version !== t.upstream && holds(r, t.upstream)).map((t) => ({ r, t })))[0];
        if (!cause) continue;
        out.push(
          `${m.name} ${m.version} (${m.build}) ${field}: ${group.map(text).join(" | ")}, but ${cause.t.name} ${cause.t.upstream} is published as ${cause.t.version} (${cause.t.build}, "versioning": "build"); publish them "as-is" to keep the relation`,
        );
      }
    }
  }
  return out;
}
