/**
 * CONTRACT "Versions": a suffix of BUILDTIME and SHA256 so that a newer build sorts higher, the version
 * names the exact binary, and the same binary keeps the same version.
 */
import { FormatError } from "../errors.js";

const RELEASE = /^[0-9]+(?:\.[0-9]+)*$/;
const DESCRIBE = /^([0-9]+(?:\.[0-9]+)*)-([0-9]+)-g([0-9a-f]{7,40})$/;
/** robur's two shapes on Debian, exactly: MAJOR.MINOR.PATCH and MAJOR.MINOR.PATCH-N-gHASH. */
const ROBUR_RELEASE = /^[0-9]+\.[0-9]+\.[0-9]+$/;
const ROBUR_DESCRIBE = /^[0-9]+\.[0-9]+\.[0-9]+-[0-9]+-g[0-9a-f]{7,40}$/;

/** The versioning a build gets: its own build.json's, else the config's. */
export function versioningOf(build: { versioning?: "build" | "as-is" }, config: { versioning: "build" | "as-is" }): "build" | "as-is" {
  return build.versioning ?? config.versioning;
}

export function debianBuildVersion(upstream: string, buildtime: string, sha256: string): string {
  // robur's clients have these versions installed, so their scheme stays as it was.
  if (ROBUR_RELEASE.test(upstream)) return `${upstream}-0-g0000000-${buildtime}-${sha256}`;
  if (ROBUR_DESCRIBE.test(upstream)) return `${upstream}-${buildtime}-${sha256}`;
  // Any other shape follows Debian's rebuild (binNMU) convention: "+bN" on the revision (or on a
  // native version) sorts above what it rebuilds and below the distribution's next update and next
  // revision. A "-" suffix instead would move the upstream/revision split and outrank every later
  // revision of the same upstream version. An epoch stays in front.
  return `${upstream}+b${buildtime}.${sha256}`;
}

export function freebsdBuildVersion(upstream: string, buildtime: string, sha256: string): string {
  if (RELEASE.test(upstream)) return `${upstream}.0.g0000000.${buildtime}.${sha256}`;
  const d = DESCRIBE.exec(upstream);
  if (d) return `${d[1]}.${d[2]}.g${d[3]}.${buildtime}.${sha256}`;
  // pkg compares the part after "+" after the main part, so "+B.S" cannot upset the order of the
  // main version; it goes before _REVISION and ,EPOCH.
  const m = /^([^_,]+)((?:_[^_,]+)?)((?:,[0-9]+)?)$/.exec(upstream);
  if (!m || upstream.includes("-")) throw new FormatError(`"${upstream}" is not a FreeBSD version`);
  const body = m[1]!.includes("+") ? m[1]!.replace(/\+.*$/, (s) => `${s}.${buildtime}.${sha256}`) : `${m[1]}+${buildtime}.${sha256}`;
  return `${body}${m[2]}${m[3]}`;
}
