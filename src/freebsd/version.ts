/**
 * FreeBSD pkg's version order (pkg_version_cmp): epoch (",N") first, then the version body in
 * components (number, letter, patch level), then the revision ("_N"). Parts after "+" compare only
 * after the main part. Numbers saturate at 2^63-1 as strtoll does, which matters for hex digests.
 */
import { FormatError } from "../errors.js";

const LLONG_MAX = (1n << 63n) - 1n;
const ULONG_MAX = (1n << 64n) - 1n;

interface Split {
  body: string;
  epoch: bigint;
  revision: bigint;
}

function leadingUnsigned(s: string): bigint {
  const m = /^\s*\+?(\d+)/.exec(s);
  if (!m) return 0n;
  const v = BigInt(m[1]!);
  return v > ULONG_MAX ? ULONG_MAX : v;
}

function split(v: string): Split {
  const dash = v.lastIndexOf("-");
  const s = dash >= 0 ? v.slice(dash + 1) : v;
  const us = s.lastIndexOf("_");
  const revision = us >= 0 ? leadingUnsigned(s.slice(us + 1)) : 0n;
  const afterRev = us >= 0 ? s.slice(us + 1) : s;
  const comma = afterRev.lastIndexOf(",");
  const epoch = comma >= 0 ? leadingUnsigned(afterRev.slice(comma + 1)) : 0n;
  let end = s.length;
  if (us >= 0) end = us;
  else if (comma >= 0) end = comma;
  return { body: s.slice(0, end), epoch, revision };
}

interface Component {
  n: bigint;
  a: number;
  pl: bigint;
}

const STAGES: Array<[string, number]> = [
  ["pl", 0],
  ["alpha", 1],
  ["beta", 2],
  ["pre", 16],
  ["rc", 18],
];

const isDigit = (c: string | undefined) => c !== undefined && c >= "0" && c <= "9";
const isAlpha = (c: string | undefined) => c !== undefined && /^[A-Za-z]$/.test(c);

function number(s: string, i: number): [bigint, number] {
  let j = i;
  while (isDigit(s[j])) j++;
  const v = BigInt(s.slice(i, j));
  return [v > LLONG_MAX ? LLONG_MAX : v, j];
}

/** Reads one component at i; returns it and the position after trailing separators. */
function component(s: string, i: number): [Component, number] {
  const c: Component = { n: 0n, a: 0, pl: 0n };
  let hasStage = false;
  let hasPatch = false;
  if (isDigit(s[i])) {
    [c.n, i] = number(s, i);
  } else if (s[i] === "*") {
    c.n = -2n;
    do i++;
    while (i < s.length && s[i] !== "+");
  } else {
    c.n = -1n;
    hasStage = true;
  }
  if (isAlpha(s[i])) {
    let letter = s[i]!.toLowerCase();
    hasPatch = true;
    if (isAlpha(s[i + 1])) {
      for (const [name, value] of STAGES) {
        if (s.slice(i, i + name.length).toLowerCase() === name && !isAlpha(s[i + name.length])) {
          if (hasStage) {
            c.a = value;
            i += name.length;
          } else {
            // a stage name right after a number starts a new component
            c.a = 0;
            hasPatch = false;
          }
          letter = "";
          break;
        }
      }
    }
    if (letter) {
      c.a = letter.charCodeAt(0) - 96;
      do i++;
      while (isAlpha(s[i]));
    }
  } else {
    c.a = 0;
    hasPatch = false;
  }
  if (hasPatch) {
    if (isDigit(s[i])) [c.pl, i] = number(s, i);
    else c.pl = -1n;
  } else c.pl = 0n;
  while (i < s.length && !isDigit(s[i]) && !isAlpha(s[i]) && s[i] !== "+" && s[i] !== "*") i++;
  return [c, i];
}

export function compareFreebsdVersions(x: string, y: string): number {
  const a = split(x);
  const b = split(y);
  let r = 0;
  if (a.epoch !== b.epoch) r = a.epoch < b.epoch ? -1 : 1;
  if (r === 0 && a.body.toLowerCase() !== b.body.toLowerCase()) {
    let i = 0;
    let j = 0;
    const s = a.body;
    const t = b.body;
    while (r === 0 && (i < s.length || j < t.length)) {
      let blockA = false;
      let blockB = false;
      let ca: Component = { n: 0n, a: 0, pl: 0n };
      let cb: Component = { n: 0n, a: 0, pl: 0n };
      if (i < s.length && s[i] !== "+") [ca, i] = component(s, i);
      else blockA = true;
      if (j < t.length && t[j] !== "+") [cb, j] = component(t, j);
      else blockB = true;
      if (blockA && blockB) {
        if (i < s.length) i++;
        if (j < t.length) j++;
      } else if (ca.n !== cb.n) r = ca.n < cb.n ? -1 : 1;
      else if (ca.a !== cb.a) r = ca.a < cb.a ? -1 : 1;
      else if (ca.pl !== cb.pl) r = ca.pl < cb.pl ? -1 : 1;
    }
  }
  if (r === 0 && a.revision !== b.revision) r = a.revision < b.revision ? -1 : 1;
  return r;
}

/**
 * A FreeBSD package version: letters, digits and `. _ , + ~` only. The version is part of the pool
 * file's name, which clients fetch by URL: `#`, `?` and `%` would cut or change it, and "-" would
 * split the name from the version in NAME-VERSION.pkg.
 */
export function checkFreebsdVersion(v: string, subject?: string): string {
  if (!/^[A-Za-z0-9._+,~]{1,256}$/.test(v))
    throw new FormatError(`bad FreeBSD version "${v.slice(0, 100)}" (only letters, digits and . _ , + ~; at most 256 characters)`, subject);
  return v;
}
