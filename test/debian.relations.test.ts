// Relation fields, judged by apt's own parser (python3-apt's apt_pkg.parse_depends) and dpkg's
// (dpkg-query reading a status file), on a few hundred generated good and bad fields.
import { describe, expect, it } from "vitest";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { parseRelations, RELATION_FIELDS, type RelationField } from "../src/debian/relations.js";
import { dpkgRoot, rng, sh, tmp } from "./helpers.js";

type Kind = "good" | "bad" | "stricter";
interface Case {
  field: RelationField;
  value: string;
  /** good: every judge accepts; bad: dpkg or apt refuses or warns; stricter: the tools read it, we refuse (named reason). */
  kind: Kind;
}

const GOOD_NAMES = ["libc6", "libjq1", "nginx-common", "g++", "libstdc++6", "python3.11", "x11-common", "a0", "0ad", "lib.x+y-z"];
const GOOD_ARCH = ["any", "native", "amd64", "i386", "arm64", "kfreebsd-amd64"];
const GOOD_OPS = ["<<", "<=", "=", ">=", ">>"];
const GOOD_VERSIONS = ["1.0", "2.36", "1:2.38.1-5+deb12u3", "1.6-2.1+deb12u3", "0.0.17+nmu1", "1.0~rc1", "2:8.39-15", "1.22.1-9+deb12u11.1~", "7", "1.0-1~bpo12+1"];
// Each bad piece, and why a judge refuses it.
const BAD_PIECES: Array<[string, (r: () => number) => string]> = [
  ["unterminated version", () => "libc6 (>= "],
  ["lone bar", () => "|"],
  ["leading bar", () => "| libc6"],
  ["trailing bar", () => "libc6 |"],
  ["empty entry", () => "libc6, , nginx"],
  ["leading comma", () => ", libc6"],
  ["trailing comma", () => "libc6,"],
  ["no version", () => "libc6 (>= )"],
  ["version starts with a letter", () => "libc6 (>= a1)"],
  ["empty revision", () => "libc6 (>= 1-)"],
  ["empty epoch", () => "libc6 (>= :1)"],
  ["version with a space", () => "libc6 (= 1 2)"],
  ["bad version character", () => "libc6 (>= 1_0)"],
  ["two version clauses", () => "libc6 (>= 1)(<< 2)"],
  ["two names", () => "libc6 nginx"],
  ["arch list", () => "libc6 [amd64]"],
  ["negated arch list", () => "libc6 [!i386]"],
  ["profile", () => "libc6 <!nocheck>"],
  ["empty arch qualifier", () => "libc6:"],
  ["space before qualifier", () => "libc6 :any"],
  ["missing closing paren", () => "libc6 (>= 1.0"],
  ["stray paren", () => "libc6 )"],
  ["non-ASCII name", () => "libä"],
  ["bad operator", (r) => `libc6 (${["=>", "=<", "==", "!", "<<<", "~"][Math.floor(r() * 6)]} 1.0)`],
];
const STRICTER_PIECES: Array<[string, () => string]> = [
  ["upper-case name", () => "LibC6"],
  ["underscore in name", () => "lib_c6"],
  ["one-letter name", () => "a"],
  [":all qualifier", () => "libc6:all"],
  ["upper-case arch", () => "libc6:Any"],
  // An empty field is read as no field; one that says nothing is refused as a mistake.
  ["empty", () => ""],
  ["only spaces", () => "   "],
];

function generate(seed: number, n: number): Case[] {
  const r = rng(seed);
  const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const ws = () => pick(["", "", " ", "  ", "\t"]);
  const out: Case[] = [];
  const alt = (field: RelationField): string => {
    const noArch = field === "Provides" || field === "Built-Using" || field === "Static-Built-Using";
    let s = pick(GOOD_NAMES);
    if (!noArch && r() < 0.25) s += ":" + pick(GOOD_ARCH);
    const needsEq = field === "Built-Using" || field === "Static-Built-Using";
    if (needsEq || r() < 0.5) {
      const op = needsEq || field === "Provides" ? "=" : pick(GOOD_OPS);
      s += `${pick(["", " "])}(${ws()}${op}${pick(["", " "])}${pick(GOOD_VERSIONS)}${ws()})`;
    }
    return s;
  };
  const good = (field: RelationField): string => {
    const alts = ["Breaks", "Conflicts", "Replaces", "Provides", "Built-Using", "Static-Built-Using"].includes(field) ? 1 : 3;
    const entries: string[] = [];
    for (let e = 0, ne = 1 + Math.floor(r() * 4); e < ne; e++) {
      const as: string[] = [];
      for (let a = 0, na = 1 + Math.floor(r() * alts); a < na; a++) as.push(alt(field));
      entries.push(as.join(`${ws()}|${ws()}`));
    }
    // Folded over continuation lines now and then, as long fields are in real packages.
    return entries.join(`${ws()},${pick([" ", " ", "", "\n "])}`);
  };
  for (let i = 0; i < n; i++) {
    const field = pick(RELATION_FIELDS);
    const roll = r();
    if (roll < 0.45) {
      const value = good(field);
      // apt needs four characters after a final "(" and its white space: "(=7)" ending a field is bad.
      const last = /\(\s*([^()]*\)\s*)$/.exec(value.trimEnd());
      out.push({ field, value, kind: last && last[1]!.length < 4 ? "bad" : "good" });
    }
    else if (roll < 0.85) {
      const [, piece] = pick(BAD_PIECES);
      const p = piece(r);
      // The bad piece alone, or spliced among good entries.
      const value = r() < 0.5 || p.trim() === "" ? p : [good(field), p, good(field)].slice(Math.floor(r() * 2)).join(", ");
      out.push({ field, value, kind: "bad" });
    } else {
      const [, piece] = pick(STRICTER_PIECES);
      const p = piece();
      out.push({ field, value: r() < 0.5 || p.trim() === "" ? p : `${good(field)}, ${p}`, kind: "stricter" });
    }
  }
  // Field-specific rules, each at least once.
  out.push({ field: "Provides", value: "libfoo (>= 1.0)", kind: "bad" }); // dpkg warns: only exact versions
  out.push({ field: "Conflicts", value: "foo | bar", kind: "bad" });
  out.push({ field: "Breaks", value: "foo (<< 1) | bar", kind: "bad" });
  out.push({ field: "Replaces", value: "foo | bar", kind: "bad" });
  out.push({ field: "Provides", value: "foo | bar", kind: "bad" });
  out.push({ field: "Provides", value: "foo:any", kind: "stricter" });
  out.push({ field: "Built-Using", value: "gcc-12 (>= 12.2.0-14)", kind: "stricter" });
  out.push({ field: "Built-Using", value: "gcc-12", kind: "stricter" });
  out.push({ field: "Depends", value: "libc6 (< 2.36)", kind: "good" }); // obsolete "<": dpkg warns, both read it as "<="
  out.push({ field: "Depends", value: "libc6 (> 2.36)", kind: "good" });
  return out;
}

function ours(c: Case): string | null {
  try {
    parseRelations(c.field, c.value);
    return null;
  } catch (e) {
    return (e as Error).message;
  }
}

/** apt's parser on every value in one python call: true where it parses. */
function aptVerdicts(values: string[], dir: string): boolean[] {
  const input = path.join(dir, "apt-input.json");
  writeFileSync(input, JSON.stringify(values));
  const script =
    "import apt_pkg, json, sys\napt_pkg.init()\nout = []\nfor s in json.load(open(sys.argv[1])):\n" +
    "    try:\n        apt_pkg.parse_depends(s, False)\n        out.append(True)\n    except ValueError:\n        out.append(False)\nprint(json.dumps(out))\n";
  const r = sh("/usr/bin/python3", ["-c", script, input]);
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as boolean[];
}

/**
 * dpkg's parser: the cases as paragraphs of one status file read by dpkg-query. A parse error ends
 * dpkg-query at that paragraph, so the refused case is taken out and the rest read again (bounded by
 * the number of cases). Warnings name their paragraphs; the obsolete "<"/">" warning is the one dpkg
 * still reads as intended.
 */
function dpkgVerdicts(cases: Case[], dir: string): Array<"ok" | "warn" | "error"> {
  const verdict: Array<"ok" | "warn" | "error"> = cases.map(() => "ok");
  const admin = path.join(dir, "dpkg");
  sh("mkdir", ["-p", path.join(admin, "info"), path.join(admin, "updates")]);
  const live = new Set(cases.map((_, i) => i));
  for (let round = 0; round <= cases.length; round++) {
    const text = [...live]
      .map((i) => `Package: case${i}\nStatus: install ok installed\nVersion: 1.0\nArchitecture: all\nMaintainer: A <a@b.c>\n${cases[i]!.field}: ${cases[i]!.value}\nDescription: x\n`)
      .join("\n");
    writeFileSync(path.join(admin, "status"), text);
    const r = sh("dpkg-query", [`--admindir=${admin}`, "-W"]);
    for (const m of r.stderr.matchAll(/warning: parsing file .* package 'case(\d+)':\n((?: .*\n?)+)/g))
      if (!/'<' is obsolete|'>' is obsolete/.test(m[2]!)) verdict[Number(m[1])] = "warn";
    if (r.status === 0) return verdict;
    const err = /error: parsing file .* package 'case(\d+)'/.exec(r.stderr);
    expect(err, r.stderr).not.toBeNull();
    const i = Number(err![1]);
    verdict[i] = "error";
    live.delete(i);
  }
  throw new Error("dpkg-query did not finish");
}

/**
 * apt-get update over one Packages file holding every given field (a flat file: repository in an
 * isolated root): apt's own index parser, which a Packages file of ours meets. Returns its output.
 */
function aptUpdate(cases: Case[], dir: string): { status: number; out: string } {
  const repo = path.join(dir, "repo");
  const root = dpkgRoot(path.join(dir, "root"));
  for (const d of ["etc/apt/apt.conf.d", "etc/apt/preferences.d", "etc/apt/sources.list.d", "var/lib/apt/lists/partial", "var/cache/apt/archives/partial"])
    sh("mkdir", ["-p", path.join(root, d)]);
  sh("mkdir", ["-p", repo]);
  const paras = cases.map(
    (c, i) => `Package: case${i}\nVersion: 1.0\nArchitecture: all\n${c.field}: ${c.value}\nFilename: ./case${i}.deb\nSize: 1\nSHA256: ${"0".repeat(64)}\nDescription: x\n`,
  );
  // Beside a Packages.gz, so apt's file method does not try the other compressions first.
  writeFileSync(path.join(repo, "Packages"), paras.join("\n"));
  writeFileSync(path.join(repo, "Packages.gz"), gzipSync(paras.join("\n")));
  writeFileSync(path.join(root, "etc/apt/sources.list.d/flat.list"), `deb [trusted=yes allow-insecure=yes] file:${repo} ./\n`);
  const conf = path.join(root, "apt.conf");
  writeFileSync(
    conf,
    `Dir "${root}/";\nDir::State::status "${root}/var/lib/dpkg/status";\nAPT::Architecture "amd64";\nAPT::Sandbox::User "root"; Acquire::Languages "none"; Debug::NoLocking "true";\n` +
      `Acquire::CompressionTypes::Order { "gz"; };\n`,
  );
  const r = sh("apt-get", ["update", "-o", "Acquire::AllowInsecureRepositories=true"], { env: { ...process.env, APT_CONFIG: conf } });
  const show = sh("apt-cache", ["dumpavail"], { env: { ...process.env, APT_CONFIG: conf } });
  return { status: r.status, out: r.stdout + r.stderr + "\n" + (show.status === 0 ? `packages: ${(show.stdout.match(/^Package: /gm) ?? []).length}` : show.stderr) };
}

describe("relation fields", () => {
  it("agrees with apt_pkg.parse_depends and dpkg on 400 generated fields: accepted only where both accept", () => {
    const cases = generate(20261201, 400);
    const dir = tmp("repogen-relations-");
    const apt = aptVerdicts(cases.map((c) => c.value), dir);
    const dpkg = dpkgVerdicts(cases, dir);
    const counts = { good: 0, bad: 0, stricter: 0, aptRefused: 0, dpkgRefused: 0 };
    for (const [i, c] of cases.entries()) {
      const why = ours(c);
      const label = `${c.field}: ${JSON.stringify(c.value)} (apt ${apt[i]}, dpkg ${dpkg[i]}, ours ${why})`;
      counts[c.kind]++;
      if (!apt[i]) counts.aptRefused++;
      if (dpkg[i] !== "ok") counts.dpkgRefused++;
      // What we accept, both tools read without a word.
      if (why === null) {
        expect(apt[i], label).toBe(true);
        expect(dpkg[i], label).toBe("ok");
      }
      if (c.kind === "good") {
        expect(why, label).toBeNull();
        expect(apt[i] && dpkg[i] === "ok", label).toBe(true);
      } else {
        expect(why, label).not.toBeNull();
        expect(why, label).toMatch(new RegExp(`^${c.field}: `));
      }
      // A bad case is bad for a tool, not just for us; a stricter case is one both tools read.
      if (c.kind === "bad" && c.field !== "Built-Using" && c.field !== "Static-Built-Using") expect(!apt[i] || dpkg[i] !== "ok", label).toBe(true);
    }
    // apt-get update reads a Packages file holding every accepted field without an error or a warning,
    // and lists every package.
    const accepted = cases.filter((c) => ours(c) === null);
    const u = aptUpdate(accepted, dir);
    expect(u.status, u.out).toBe(0);
    expect(u.out.split("\n").filter((l) => /^(W|E|Err):/.test(l)), u.out).toEqual([]);
    expect(u.out).toContain(`packages: ${accepted.length}`);
    // The same judge fails on fields we refuse: an unterminated clause, and apt's short final clause.
    for (const value of ["libc6 (>= ", "libc6 (=7)", "libc6 [amd64]"]) {
      const b = aptUpdate([{ field: "Depends", value, kind: "bad" }], tmp("repogen-relations-bad-"));
      expect(b.status !== 0 || /^(W|E|Err):/m.test(b.out), `${value}: ${b.out}`).toBe(true);
      expect(b.out, value).toMatch(/Problem parsing dependency/);
    }
    // The generator covers each class many times, and both judges refuse some.
    expect(counts.good).toBeGreaterThan(100);
    expect(counts.bad).toBeGreaterThan(100);
    expect(counts.stricter).toBeGreaterThan(30);
    expect(counts.aptRefused).toBeGreaterThan(50);
    expect(counts.dpkgRefused).toBeGreaterThan(50);
  });

  it("says which field and what is wrong", () => {
    const cases: Array<[RelationField, string, RegExp]> = [
      ["Depends", "libc6 (>= ", /^Depends: libc6: apt cannot read "\(>=" at the end of the field/],
      ["Pre-Depends", "|", /^Pre-Depends: a package name is missing/],
      ["Conflicts", "a0 | b0", /^Conflicts: alternatives \("\|"\) are not allowed/],
      ["Provides", "foo (>= 1)", /^Provides: foo: only exact versions/],
      ["Recommends", "foo [amd64]", /^Recommends: foo: architecture restrictions .* Build-Depends/],
      ["Suggests", "foo <!nocheck>", /^Suggests: foo: build profiles/],
      ["Depends", "foo (>= a1)", /^Depends: foo: bad Debian version "a1"/],
      ["Depends", "foo (>= 1.0", /^Depends: foo \(>= 1\.0: no closing "\)"/],
      ["Depends", "foo (=7)", /^Depends: foo: apt cannot read "\(=7\)"/],
      ["Breaks", "..", /^Breaks: bad package name "\.\."/],
      ["Enhances", "foo (=> 1)", /^Enhances: foo: bad relation operator "=>"/],
      ["Static-Built-Using", "rustc-web", /^Static-Built-Using: rustc-web: each entry must name an exact version/],
    ];
    for (const [field, value, re] of cases) expect(ours({ field, value, kind: "bad" }), value).toMatch(re);
    expect(parseRelations("Depends", "libjq1 (= 1.6-2.1+deb12u3), libc6:any (>= 2.34) |\n libc6.1")).toEqual([
      [{ name: "libjq1", op: "=", version: "1.6-2.1+deb12u3" }],
      [{ name: "libc6", arch: "any", op: ">=", version: "2.34" }, { name: "libc6.1" }],
    ]);
  });
});
