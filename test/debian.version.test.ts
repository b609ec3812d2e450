// dpkg version comparison, checked against the real `dpkg --compare-versions` on generated pairs.
import { describe, expect, it } from "vitest";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { compareDebVersions, parseDebVersion } from "../src/debian/version.js";
import { must, rng, tmp } from "./helpers.js";


function genVersion(r: () => number): string {
  const pick = <T,>(xs: T[]) => xs[Math.floor(r() * xs.length)]!;
  const parts = ["0", "1", "2", "10", "01", "9", "a", "b", "rc", "~", "~rc1", "+", ".", "+dfsg", "~~", "z", "A", "0a", "1.0"];
  let up = pick(["0", "1", "2", "10", "1.0", "01", "9"]);
  const n = Math.floor(r() * 4);
  for (let i = 0; i < n; i++) up += pick(parts);
  let v = up;
  if (r() < 0.4) v = `${pick(["0", "1", "2"])}:${v}`;
  if (r() < 0.5) v = `${v}-${pick(["1", "0", "1ubuntu1", "2~bpo1", "1.1", "a", "0~", "1+b1"])}`;
  return v;
}

describe("compareDebVersions", () => {
  it("agrees with dpkg --compare-versions on 2500 generated pairs", () => {
    const r = rng(42);
    const pairs: Array<[string, string]> = [];
    while (pairs.length < 2500) {
      const a = genVersion(r);
      const b = r() < 0.1 ? a : genVersion(r);
      // only pairs dpkg accepts without warnings
      try {
        parseDebVersion(a);
        parseDebVersion(b);
      } catch {
        continue;
      }
      pairs.push([a, b]);
    }
    const dir = tmp();
    const file = path.join(dir, "pairs");
    writeFileSync(file, pairs.map(([a, b]) => `${a} ${b}`).join("\n") + "\n");
    const script = `while read -r a b; do
      if dpkg --compare-versions "$a" lt "$b"; then echo "<"; elif dpkg --compare-versions "$a" eq "$b"; then echo "="; else echo ">"; fi
    done < "${file}"`;
    const got = must("sh", ["-c", script]).trim().split("\n");
    expect(got.length).toBe(pairs.length);
    const mismatches: string[] = [];
    pairs.forEach(([a, b], i) => {
      const c = compareDebVersions(a, b);
      const ours = c < 0 ? "<" : c > 0 ? ">" : "=";
      if (ours !== got[i]) mismatches.push(`${a} ${got[i]} ${b} (ours ${ours})`);
    });
    expect(mismatches).toEqual([]);
    // the corpus is not degenerate: all three outcomes occur, and tildes and epochs are in it
    expect(new Set(got)).toEqual(new Set(["<", "=", ">"]));
    expect(pairs.some(([a]) => a.includes("~"))).toBe(true);
    expect(pairs.some(([a]) => a.includes(":"))).toBe(true);
  });

  it("rejects malformed versions", () => {
    for (const v of ["", "a1", "1:", "1.0-", "1 0", "1.0-rev_1", "x:1.0", "1.0:1"]) expect(() => parseDebVersion(v), v).toThrow();
    expect(parseDebVersion("2:1.0-3-gabc-1")).toEqual({ epoch: 2, upstream: "1.0-3-gabc", revision: "1" });
  });
});
