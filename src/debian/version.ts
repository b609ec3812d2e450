/** Debian versions: validation and dpkg's comparison (lib/dpkg/version.c, verrevcmp). */
import { FormatError } from "../errors.js";

export interface DebVersion {
  epoch: number;
  upstream: string;
  revision: string;
}

export function parseDebVersion(v: string, subject?: string): DebVersion {
  const m = /^(?:(\d+):)?(.+?)(?:-([A-Za-z0-9+.~]+))?$/.exec(v);
  if (!m || /\s/.test(v)) throw new FormatError(`bad Debian version "${v}"`, subject);
  const upstream = m[2]!;
  const revision = m[3] ?? "";
  if (!/^[0-9]/.test(upstream)) throw new FormatError(`bad Debian version "${v}": the upstream part must start with a digit`, subject);
  const allowed = revision ? /^[A-Za-z0-9.+~-]+$/ : /^[A-Za-z0-9.+~]+$/;
  if (!allowed.test(upstream)) throw new FormatError(`bad Debian version "${v}": invalid character in upstream part`, subject);
  if (m[1] !== undefined && m[1].length > 9) throw new FormatError(`bad Debian version "${v}": epoch too large`, subject);
  return { epoch: m[1] ? Number(m[1]) : 0, upstream, revision };
}

function order(c: number): number {
  // c is a char code, or 0 at the end of the string.
  if (c >= 48 && c <= 57) return 0;
  if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122)) return c;
  if (c === 126) return -1; // '~'
  if (c) return c + 256;
  return 0;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

export function verrevcmp(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    let firstDiff = 0;
    while ((i < a.length && !isDigit(a.charCodeAt(i))) || (j < b.length && !isDigit(b.charCodeAt(j)))) {
      const ac = order(i < a.length ? a.charCodeAt(i) : 0);
      const bc = order(j < b.length ? b.charCodeAt(j) : 0);
      if (ac !== bc) return ac - bc;
      i++;
      j++;
    }
    while (a.charCodeAt(i) === 48) i++;
    while (b.charCodeAt(j) === 48) j++;
    while (i < a.length && isDigit(a.charCodeAt(i)) && j < b.length && isDigit(b.charCodeAt(j))) {
      if (!firstDiff) firstDiff = a.charCodeAt(i) - b.charCodeAt(j);
      i++;
      j++;
    }
    if (i < a.length && isDigit(a.charCodeAt(i))) return 1;
    if (j < b.length && isDigit(b.charCodeAt(j))) return -1;
    if (firstDiff) return firstDiff;
  }
  return 0;
}

/** dpkg --compare-versions: <0, 0 or >0. */
export function compareDebVersions(a: string, b: string): number {
  const x = parseDebVersion(a);
  const y = parseDebVersion(b);
  if (x.epoch !== y.epoch) return x.epoch > y.epoch ? 1 : -1;
  const u = verrevcmp(x.upstream, y.upstream);
  if (u) return u;
  return verrevcmp(x.revision, y.revision);
}

/** The version without its epoch, as used in file names. */
export function versionForFilename(v: string): string {
  return v.replace(/^\d+:/, "");
}
