// pkg's version order against the 600 pairs printed by the real `pkg version -t` (test/fixtures/vectors).
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import path from "node:path";
import { createHash } from "node:crypto";
import { compareFreebsdVersions } from "../src/freebsd/version.js";
import { freebsdBuildVersion } from "../src/builds/versioning.js";
import { ROOT, rng } from "./helpers.js";

const VECTORS = path.resolve(ROOT, "test", "fixtures", "vectors", "freebsd-pkg-version-order.tsv");

describe("compareFreebsdVersions", () => {
  it("agrees with every pair printed by pkg version -t", () => {
    const lines = readFileSync(VECTORS, "utf8").split("\n").filter((l) => l && !l.startsWith("#"));
    expect(lines.length).toBe(600);
    const wrong: string[] = [];
    for (const l of lines) {
      const [a, op, b] = l.split("\t");
      const c = compareFreebsdVersions(a!, b!);
      const ours = c < 0 ? "<" : c > 0 ? ">" : "=";
      if (ours !== op) wrong.push(`${a} ${op} ${b} (ours ${ours})`);
      // antisymmetry
      expect(Math.sign(compareFreebsdVersions(b!, a!)) + Math.sign(c)).toBe(0);
    }
    expect(wrong).toEqual([]);
  });
});


describe("freebsdBuildVersion", () => {
  it("newer builds sort higher (property over 3000 generated cases)", () => {
    const r = rng(11);
    const n = () => String(Math.floor(r() * 12));
    const sha = (i: number) => createHash("sha256").update(`x${i}`).digest("hex");
    const up = () => {
      const k = r();
      if (k < 0.3) return `${n()}.${n()}.${n()}`;
      if (k < 0.55) return `${n()}.${n()}.${n()}-${n()}-g${sha(Math.floor(r() * 1e6)).slice(0, 7)}`;
      if (k < 0.7) return `${n()}.${n()}_${n()}`;
      if (k < 0.85) return `${n()}.${n()}${["a", "b", "rc1", "pl2", ""][Math.floor(r() * 5)]}_${n()},${Math.floor(r() * 3)}`;
      return `${n()}.${n()},${Math.floor(r() * 3)}`;
    };
    const bad: string[] = [];
    for (let i = 0; i < 3000; i++) {
      let a = up();
      let b = r() < 0.4 ? a : up();
      const norm = (v: string) => freebsdBuildVersion(v, "20260101000000", "0".repeat(64)).replace(/[.+]20260101000000\.0{64}/, "");
      // order the upstreams by pkg's own rules (git describe compared in its FreeBSD form)
      if (compareFreebsdVersions(norm(a), norm(b)) > 0) [a, b] = [b, a];
      const ta = String(20260101000000 + Math.floor(r() * 1e6));
      const tb = String(Number(ta) + 1 + Math.floor(r() * 1e6));
      const va = freebsdBuildVersion(a, ta, sha(i));
      const vb = freebsdBuildVersion(b, tb, sha(i + 5000));
      if (!(compareFreebsdVersions(va, vb) < 0)) bad.push(`${va} !< ${vb}`);
      expect(va).not.toContain("-");
    }
    expect(bad).toEqual([]);
  });

  it("follows the contract's shapes", () => {
    const s = "ab".repeat(32);
    expect(freebsdBuildVersion("1.5.2", "20261120100000", s)).toBe(`1.5.2.0.g0000000.20261120100000.${s}`);
    expect(freebsdBuildVersion("1.5.2-3-gabcdef0", "20261120100000", s)).toBe(`1.5.2.3.gabcdef0.20261120100000.${s}`);
    expect(freebsdBuildVersion("1.0_1,2", "20261120100000", s)).toBe(`1.0+20261120100000.${s}_1,2`);
  });
});
