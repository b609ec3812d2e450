/**
 * Changelogs for `apt-get changelog`: a package's own changelog, taken from its data member while it
 * is read, published where the Release's `Changelogs:` template points for its source and version.
 * Pure: bytes in, bytes out.
 */
import zlib from "node:zlib";
import type { TarReadEntry } from "../archive/tar.js";
import { get, type Paragraph } from "./control.js";
import { parseDebVersion, versionForFilename } from "./version.js";

/** A changelog.Debian.gz larger than this is not published (Debian's largest are a few hundred KiB). */
export const CHANGELOG_GZ_LIMIT = 4 << 20;
/** …nor one that decompresses to more than this. */
export const CHANGELOG_TEXT_LIMIT = 32 << 20;

/** The Release field: apt replaces @CHANGEPATH@ with COMPONENT/PREFIX/SOURCE/SOURCE_VERSION. */
export function changelogsTemplate(baseUrl: string): string {
  return `${baseUrl}/apt/changelogs/@CHANGEPATH@_changelog`;
}

const SOURCE = /^([a-z0-9][a-z0-9+.-]+)(?:\s+\(([^()\s]+)\))?$/;

/**
 * Where apt looks for a package's changelog, relative to the output root, as apt computes
 * @CHANGEPATH@: the source name (the Source field, else the package), the source version (the
 * version in parentheses of Source, as a binNMU has, else the package's own, as published), the
 * epoch left out, under lib + letter for lib* sources. Null when the Source field is not one apt
 * would read the same way.
 */
export function changelogPath(control: Paragraph, publishedVersion: string): string | null {
  const name = get(control, "Package");
  const m = SOURCE.exec((get(control, "Source") ?? name ?? "").trim());
  if (!m) return null;
  const source = m[1]!;
  const version = m[2] ?? publishedVersion;
  try {
    parseDebVersion(version);
  } catch {
    return null;
  }
  const prefix = source.startsWith("lib") && source.length > 3 ? source.slice(0, 4) : source[0]!;
  return `apt/changelogs/main/${prefix}/${source}/${source}_${versionForFilename(version)}_changelog`;
}

/**
 * Catches `usr/share/doc/NAME/changelog.Debian.gz` (else `changelog.gz`) as the data member streams
 * past: hand `onData` to the tar parser. Only regular files count, and only up to the limit.
 */
export class ChangelogCatcher {
  private readonly wanted: string[];
  private readonly parts = new Map<string, Buffer[]>();
  private readonly sizes = new Map<string, number>();
  private readonly tooLarge = new Set<string>();

  constructor(packageName: string) {
    this.wanted = [`usr/share/doc/${packageName}/changelog.Debian.gz`, `usr/share/doc/${packageName}/changelog.gz`];
  }

  readonly onData = (e: TarReadEntry, chunk: Buffer): void => {
    if (e.type !== "file") return;
    const name = e.name.replace(/^\.?\/+/, "");
    if (!this.wanted.includes(name) || this.tooLarge.has(name)) return;
    const size = (this.sizes.get(name) ?? 0) + chunk.length;
    if (size > CHANGELOG_GZ_LIMIT) {
      this.tooLarge.add(name);
      this.parts.delete(name);
      return;
    }
    this.sizes.set(name, size);
    if (!this.parts.has(name)) this.parts.set(name, []);
    // A copy: the decoder may reuse the buffer the chunk lies in.
    this.parts.get(name)!.push(Buffer.from(chunk));
  };

  /** The changelog's text, or null when the package has none that can be read within the limits. */
  text(): Buffer | null {
    for (const name of this.wanted) {
      const parts = this.parts.get(name);
      if (!parts) continue;
      try {
        return zlib.gunzipSync(Buffer.concat(parts), { maxOutputLength: CHANGELOG_TEXT_LIMIT });
      } catch {
        // damaged or too large: try the other name, else there is none
      }
    }
    return null;
  }
}
