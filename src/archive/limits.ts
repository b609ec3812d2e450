/**
 * What a package may decode into memory. The data of a package is streamed and never held, but its
 * metadata is: these bound it, whatever a small compressed file claims to decode to. Each is named
 * in the rejection that it causes and listed in the README's "Limits".
 */
const MiB = 1 << 20;
const GiB = 1 << 30;

export const LIMITS = {
  /** Decoded control.tar of a .deb (control, md5sums, scripts, conffiles). */
  controlMember: 16 * MiB,
  /** Each of +MANIFEST and +COMPACT_MANIFEST of a .pkg. */
  manifest: 16 * MiB,
  /** One path or link target in a tar (Linux's PATH_MAX). */
  tarName: 4096,
  /** One GNU long-name record or PAX header block. */
  tarExtended: 64 << 10,
  /** Entries listed from one package's data. */
  entries: 200_000,
  /** Bytes of all the paths listed from one package's data (what Contents and the state keep). */
  fileList: 32 * MiB,
  /** A package spec (package.toml). */
  spec: 1 * MiB,
  /** build.json. */
  buildJson: 1 * MiB,
  /** A maintainer script. */
  script: 1 * MiB,
  /** One artifact, and one staged file. */
  file: 8 * GiB,
} as const;

export type LimitName = keyof typeof LIMITS;

export function describeLimit(n: number): string {
  if (n >= GiB && n % GiB === 0) return `${n / GiB} GiB`;
  if (n >= MiB && n % MiB === 0) return `${n / MiB} MiB`;
  if (n >= 1024 && n % 1024 === 0) return `${n / 1024} KiB`;
  return String(n);
}
