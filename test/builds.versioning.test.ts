// CONTRACT "Versions": a newer build (upstream at least as high, later BUILDTIME) sorts higher,
// checked with the real dpkg --compare-versions.
import { describe, expect, it } from "vitest";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { createHash } from "node:crypto";
import { debianBuildVersion } from "../src/builds/versioning.js";
import { compareDebVersions } from "../src/debian/version.js";
import { must, rng, tmp } from "./helpers.js";


const sha = (i: number) => createHash("sha256").update(String(i)).digest("hex");

export function upstreams(r: () => number): string {
  const n = () => String(Math.floor(r() * 12));
  const k = r();
  if (k < 0.35) return `${n()}.${n()}.${n()}`;
  if (k < 0.7) return `${n()}.${n()}.${n()}-${n()}-g${sha(Math.floor(r() * 1e6)).slice(0, 7)}`;
  if (k < 0.85) return `${n()}.${n()}-${n()}`;
  return `${n()}:${n()}.${n()}-${n()}`;
}

function row(v: string): number {
  return /^[0-9]+\.[0-9]+\.[0-9]+$/.test(v) ? 0 : /^[0-9]+\.[0-9]+\.[0-9]+-[0-9]+-g[0-9a-f]+$/.test(v) ? 1 : 2;
}

function buildtime(r: () => number, after?: string): string {
  const base = after ? Number(after) : 20260101000000;
  return String(base + 1 + Math.floor(r() * 1e6));
}

describe("debianBuildVersion", () => {
  it("newer builds sort higher under dpkg --compare-versions (600 generated pairs)", () => {
    const r = rng(7);
    const pairs: Array<[string, string]> = [];
    while (pairs.length < 600) {
      let a = upstreams(r);
      let b = a;
      // the same row of the contract's table (a change of row is not covered, see README "Versions")
      if (r() >= 0.4) for (let i = 0; i < 100 && (b === a || row(b) !== row(a)); i++) b = upstreams(r);
      if (row(b) !== row(a)) b = a;
      // the newer has an upstream version at least as high
      if (compareDebVersions(a, b) > 0) [a, b] = [b, a];
      const ta = buildtime(r);
      const tb = buildtime(r, ta);
      pairs.push([debianBuildVersion(a, ta, sha(pairs.length)), debianBuildVersion(b, tb, sha(pairs.length + 1000))]);
    }
    const file = path.join(tmp(), "pairs");
    writeFileSync(file, pairs.map(([a, b]) => `${a} ${b}`).join("\n") + "\n");
    const got = must("sh", ["-c", `while read -r a b; do dpkg --compare-versions "$a" lt "$b" && echo lt || echo "NOT $a $b"; done < ${file}`]);
    expect(got.split("\n").filter((l) => l.startsWith("NOT"))).toEqual([]);
    for (const [a, b] of pairs) expect(compareDebVersions(a, b)).toBeLessThan(0);
  });

  it("follows the contract's shapes", () => {
    const s = "ab".repeat(32);
    expect(debianBuildVersion("1.5.2", "20261120100000", s)).toBe(`1.5.2-0-g0000000-20261120100000-${s}`);
    expect(debianBuildVersion("1.5.2-3-gabcdef0", "20261120100000", s)).toBe(`1.5.2-3-gabcdef0-20261120100000-${s}`);
    expect(debianBuildVersion("2.10-3", "20261120100000", s)).toBe(`2.10-3+b20261120100000.${s}`);
    expect(debianBuildVersion("2.10", "20261120100000", s)).toBe(`2.10+b20261120100000.${s}`);
    expect(debianBuildVersion("1:2.10-3", "20261120100000", s)).toBe(`1:2.10-3+b20261120100000.${s}`);
  });
});
