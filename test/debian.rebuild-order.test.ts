// CONTRACT "Versions", third row: a rebuild of a distribution's version (Debian's binNMU convention,
// "+bBUILDTIME.SHA256") sorts above what it rebuilds and below that version's next update and next
// revision, judged by the real `dpkg --compare-versions` over version shapes found in Debian 12,
// bookworm-backports and Ubuntu.
import { describe, expect, it } from "vitest";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { createHash } from "node:crypto";
import { debianBuildVersion } from "../src/builds/versioning.js";
import { compareDebVersions } from "../src/debian/version.js";
import { must, tmp } from "./helpers.js";

const sha = (s: string) => createHash("sha256").update(s).digest("hex");
const T1 = "20261120100000";
const T2 = "20261121093000";

/** A real version, and the versions the distribution would publish after it (next update, next revision). */
const ROWS: Array<{ v: string; after: string[] }> = [
  { v: "1.6-2.1+deb12u3", after: ["1.6-2.1+deb12u4", "1.6-2.2", "1.6.1-1"] }, // jq, a stable update
  { v: "1.22.1-9+deb12u11", after: ["1.22.1-9+deb12u12", "1.22.1-10", "1.22.2-1"] }, // nginx
  { v: "3.0.22-1~deb12u2", after: ["3.0.22-1~deb12u3", "3.0.22-1", "3.0.22-2"] }, // a security upload
  { v: "2.10-3", after: ["2.10-3+deb12u1", "2.10-4", "2.11-1"] }, // hello
  { v: "1.2+dfsg-1", after: ["1.2+dfsg-1+deb12u1", "1.2+dfsg-2", "1.3+dfsg-1"] },
  { v: "6.1.0-1~bpo12+1", after: ["6.1.0-1~bpo12+2", "6.1.0-1", "6.1.0-2~bpo12+1"] }, // backports
  { v: "1.6-2.1+deb12u3+b1", after: ["1.6-2.1+deb12u3+b2", "1.6-2.1+deb12u4", "1.6-2.2"] }, // a binNMU
  { v: "0.7.1-1+b1", after: ["0.7.1-1+b2", "0.7.1-2"] },
  { v: "2.10-3ubuntu1", after: ["2.10-3ubuntu2", "2.10-4"] }, // Ubuntu
  { v: "1.0-1build1", after: ["1.0-1build2", "1.0-2"] },
  { v: "1.2-1ubuntu0.22.04.1", after: ["1.2-1ubuntu0.22.04.2", "1.2-1ubuntu1"] },
  { v: "1:2.36-9+deb12u4", after: ["1:2.36-9+deb12u5", "1:2.36-10", "2:1.0-1"] }, // epochs
  { v: "2:9.0.1378-2", after: ["2:9.0.1378-2+deb12u1", "2:9.0.1378-3"] }, // vim
  { v: "2.10", after: ["2.10.1", "2.11"] }, // native versions
  { v: "20230311", after: ["20230312", "20230311.1"] },
  { v: "1.2.3+nmu1", after: ["1.2.3+nmu2", "1.2.4"] },
  { v: "1.0~rc1-1", after: ["1.0~rc1-2", "1.0~rc2-1", "1.0-1"] },
];

/** robur's two shapes: their order among themselves and against later builds does not change. */
const ROBUR: Array<{ v: string; after: string[] }> = [
  { v: "1.5.2", after: ["1.5.2-1-gabcdef0", "1.5.3"] },
  { v: "1.5.2-3-gabcdef0", after: ["1.5.2-4-g1234567", "1.5.3", "1.6.0-1-g89abcde"] },
];

/** Asks dpkg about every pair "a lt b" at once; returns the pairs it denies. */
function notLess(pairs: Array<[string, string]>): string[] {
  const file = path.join(tmp(), "pairs");
  writeFileSync(file, pairs.map(([a, b]) => `${a} ${b}`).join("\n") + "\n");
  const out = must("sh", ["-c", `while read -r a b; do dpkg --compare-versions "$a" lt "$b" || echo "NOT $a < $b"; done < "${file}"`]);
  return out.split("\n").filter((l) => l.startsWith("NOT"));
}

/** For robur's shapes, a later build of a higher version, as CONTRACT's property states it. */
function rebuilds(rows: typeof ROWS): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  for (const { v, after } of rows) {
    const r1 = debianBuildVersion(v, T1, sha(v + 1));
    const r2 = debianBuildVersion(v, T2, sha(v + 2));
    pairs.push([v, r1], [r1, r2]);
    for (const a of after) {
      pairs.push([r1, a], [r2, a]);
      // a later build of the next version beats this one's rebuilds too
      pairs.push([r2, debianBuildVersion(a, T2, sha(a))]);
    }
  }
  return pairs;
}

describe("rebuild versions against the distribution's order", () => {
  it("each rebuild sorts above its original, below the next update and revision, and newer builds higher (dpkg)", () => {
    for (const { v } of ROWS) expect(debianBuildVersion(v, T1, sha(v))).toBe(`${v}+b${T1}.${sha(v)}`);
    const pairs = rebuilds(ROWS);
    expect(notLess(pairs)).toEqual([]);
    for (const [a, b] of pairs) expect(compareDebVersions(a, b), `${a} < ${b}`).toBeLessThan(0);
  });

  it("robur's two shapes keep their scheme and their order (dpkg)", () => {
    const s = sha("x");
    expect(debianBuildVersion("1.5.2", T1, s)).toBe(`1.5.2-0-g0000000-${T1}-${s}`);
    expect(debianBuildVersion("1.5.2-3-gabcdef0", T1, s)).toBe(`1.5.2-3-gabcdef0-${T1}-${s}`);
    expect(notLess(rebuilds(ROBUR))).toEqual([]);
  });

  it("a rebuild outranks Debian's own binNMUs of the same version (README), not its next upload", () => {
    // Debian's binNMU of 2.10 is 2.10+b1; ours is 2.10+bBUILDTIME...: the same source version, and
    // our rebuild is the one apt keeps. The next upload (2.10-4, 2.10.1) wins again.
    const ours = debianBuildVersion("2.10", T1, sha("n"));
    const oursRev = debianBuildVersion("2.10-3", T1, sha("r"));
    expect(notLess([["2.10+b1", ours], ["2.10+b99", ours], ["2.10-3+b1", oursRev], [ours, "2.10.1"], [oursRev, "2.10-4"]])).toEqual([]);
  });
});
