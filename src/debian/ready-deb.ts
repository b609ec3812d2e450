/**
 * What generate needs from one .deb: its fields and file list, and, when its version is to be
 * rewritten, the rewritten file: one step over one package file, with plain data in and out.
 */
import { debianBuildVersion } from "../builds/versioning.js";
import { FormatError } from "../errors.js";
import { checkControlFields, forbiddenChar, type Paragraph } from "./control.js";
import { openDeb, readDebFrom, rewriteDebFrom } from "./deb.js";
import { ChangelogCatcher, changelogPath } from "./changelog.js";

export interface ReadyDebTask {
  /** The .deb to read. */
  source: string;
  /** Its bytes, when the caller holds them already (they are not read again). */
  bytes?: Buffer;
  /** The Architecture build.json names; the package must say the same. */
  arch: string;
  /** List the data member (for Contents). */
  files: boolean;
  /** "build": the version becomes debianBuildVersion(upstream, buildtime, mainSha). */
  versioning: "build" | "as-is";
  buildtime: string;
  mainSha: string;
  /** Where a rewritten package goes (a private work file). */
  out: string;
  /** Take the package's changelog from its data member (changelog.ts). */
  changelog?: boolean;
}

export interface ReadyDebResult {
  name: string;
  arch: string;
  upstream: string;
  version: string;
  /** The control fields as published (with the rewritten Version). */
  control: Paragraph;
  /** Regular files and symlinks, without leading "/", when asked for. */
  files: string[];
  /** The rewritten package, or null when the source is published as it is. */
  rewritten: { file: string; sha256: string; size: number } | null;
  /** Size of the source file. */
  size: number;
  /** The conffiles the control member lists. */
  conffiles: string[];
  /** The changelog's text and where apt looks for it (relative to the output root), when asked and found. */
  changelog: { path: string; text: Buffer } | null;
}

export async function readReadyDeb(t: ReadyDebTask): Promise<ReadyDebResult> {
  const src = await openDeb(t.source, t.bytes);
  try {
    // The data member is only decoded when Contents needs its file list or the changelog is wanted.
    // The package's name is only known from its control member, which is read before the data.
    let catcher: ChangelogCatcher | null = null;
    const onData = t.changelog ? (name: string) => (catcher = new ChangelogCatcher(name)).onData : undefined;
    const info = await readDebFrom(src, { files: t.files, onData });
    // A field dpkg or apt cannot parse would fail `apt-get update` for the whole suite.
    checkControlFields(info.control, t.source);
    if (info.arch !== t.arch) throw new FormatError(`the package's Architecture is ${info.arch}, build.json says ${t.arch}`);
    const version = t.versioning === "build" ? debianBuildVersion(info.version, t.buildtime, t.mainSha) : info.version;
    const listed = t.files ? (info.files ?? []) : [];
    const files = listed.filter((f) => f.type !== "dir").map((f) => f.path.slice(1));
    // Contents has one line per file: a line break in a name would forge lines for other packages.
    for (const f of listed) {
      const bad = forbiddenChar(f.path) ?? (f.path.includes("\n") ? "U+000A" : undefined);
      if (bad) throw new FormatError(`data member holds a file name with the control character ${bad}: ${JSON.stringify(f.path.slice(0, 200))}`, t.source);
    }
    const base = { name: info.name, arch: info.arch, upstream: info.version, version, files, size: src.size, conffiles: info.conffiles };
    const text = (catcher as ChangelogCatcher | null)?.text() ?? null;
    const where = text ? changelogPath(info.control, version) : null;
    const changelog = text && where ? { path: where, text } : null;
    if (version === info.version) return { ...base, control: info.control, rewritten: null, changelog };
    const r = await rewriteDebFrom(src, version, t.out, { privateOut: true });
    return { ...base, control: r.control, rewritten: { file: r.file, sha256: r.sha256, size: r.size }, changelog };
  } finally {
    await src.close();
  }
}
