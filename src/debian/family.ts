/** The Debian family: .deb packages into an APT suite per platform. */
import { existsSync, writeFileSync } from "node:fs";
import { rm } from "node:fs/promises";
import path from "node:path";
import type { Build } from "../builds/scan.js";
import type { Config } from "../config.js";
import { ensureCopy, mainBinary, workFile, type Family, type PrepareContext, type Prepared, type RepoFile, type SiteContext, type RepositoryResult } from "../family.js";
import type { CachedPackage } from "../publish/state.js";
import { buildDeb } from "./deb.js";
import { versioningOf } from "../builds/versioning.js";
import { readReadyDeb, type ReadyDebTask } from "./ready-deb.js";
import { compareDebVersions, versionForFilename } from "./version.js";
import { packagesParagraph, poolDir, releaseIdentity, releaseText, suiteIndexes, type AptPackage } from "./repository.js";
import { get, serialise } from "./control.js";
import { changelogsTemplate } from "./changelog.js";
import { brokenRelations } from "./suite-relations.js";
import type { AptSigner } from "../signing/openpgp.js";

function poolFor(name: string, version: string, arch: string): string {
  return `apt/${poolDir(name)}/${name}_${versionForFilename(version)}_${arch}.deb`;
}

function parseRfc2822(s: string | undefined): Date | null {
  if (!s) return null;
  const t = Date.parse(s.replace(/ UTC$/, " GMT"));
  return Number.isNaN(t) ? null : new Date(t);
}

export class DebianFamily implements Family {
  readonly name = "debian" as const;

  constructor(private readonly signer: () => AptSigner) {}

  cacheSalt(config: Config): string {
    // "fields-1": packages cached before control fields were checked (relations, characters, sizes)
    // are read and checked again once.
    return `deb:fields-1:${config.versioning}:${config.apt.debCompression}:${config.apt.contents ? "contents" : "no-contents"}`;
  }

  compareVersions(a: string, b: string): number {
    return compareDebVersions(a, b);
  }

  repositoryOf(build: Build): string {
    return build.platform.family === "debian" ? build.platform.suite : build.platform.platform;
  }

  async prepare(build: Build, ctx: PrepareContext, cached: CachedPackage | undefined): Promise<Prepared> {
    if (cached) return { pkg: cached, produced: null, move: false };
    const versioning = versioningOf(build, ctx.config);
    const main = await mainBinary(build, ctx, async (spec, outDir, mtime) =>
      (
        await buildDeb(spec, build.main, {
          arch: build.arch,
          mtime,
          compression: ctx.config.apt.debCompression,
          outDir,
          publishedNative: versioning === "build" ? false : undefined,
        })
      ).file,
      // With build versions the package is always rewritten: the checked bytes need no copy on disk.
      { copy: versioning !== "build" },
    );
    const { file: source, owned, sha256: mainSha, bytes } = main;
    const task: ReadyDebTask = {
      source,
      arch: build.arch,
      files: ctx.config.apt.contents,
      versioning,
      buildtime: build.buildtime,
      mainSha,
      bytes,
      out: workFile(ctx, build, "rewritten.deb"),
      changelog: true,
    };
    const info = await readReadyDeb(task);
    if (!info.rewritten) ensureCopy(main);
    const produced = info.rewritten ? info.rewritten.file : source;
    const move = info.rewritten ? true : owned;
    const sha256 = info.rewritten ? info.rewritten.sha256 : mainSha;
    const size = info.rewritten ? info.rewritten.size : info.size;
    const { control, version } = info;
    // The source is not needed once rewritten: a staged tree's upstream build goes with its folder.
    if (owned && produced !== source && existsSync(source)) await rm(build.kind === "tree" ? path.dirname(source) : source, { recursive: true, force: true });
    const upstream = info.upstream;
    const pool = poolFor(info.name, version, info.arch);
    const entry = serialise(
      packagesParagraph({ name: info.name, version, arch: info.arch, filename: pool.replace(/^apt\//, ""), size, sha256, control: control!, files: [] }),
      build.dir,
    );
    const pkg: CachedPackage = {
      family: "debian",
      name: info.name,
      upstream,
      version,
      arch: info.arch,
      mainSha256: mainSha,
      pool,
      size,
      sha256,
      entry,
      section: get(control!, "Section") ?? "misc",
      files: info.files.join("\n"),
      ...(info.conffiles.length ? { conffiles: info.conffiles } : {}),
    };
    let extras: Prepared["extras"];
    if (info.changelog) {
      const file = workFile(ctx, build, "changelog");
      writeFileSync(file, info.changelog.text);
      pkg.changelog = info.changelog.path;
      extras = [{ path: info.changelog.path, file }];
    }
    return { pkg, produced, move, extras };
  }

  brokenRelations(suite: string, pkgs: Array<{ pkg: CachedPackage; build: string }>): string[] {
    return brokenRelations(pkgs.map(({ pkg, build }) => ({ name: pkg.name, arch: pkg.arch, version: pkg.version, upstream: pkg.upstream, entry: pkg.entry, build }))).map(
      (l) => `apt ${suite}: ${l}`,
    );
  }

  async repository(suite: string, pkgs: CachedPackage[], site: SiteContext): Promise<RepositoryResult> {
    const c = site.config;
    const apt: AptPackage[] = pkgs.map((p) => ({
      name: p.name,
      version: p.version,
      arch: p.arch,
      entry: p.entry,
      section: p.section ?? "misc",
      files: p.files ? p.files.split("\n") : [],
    }));
    const opts = {
      changelogs: changelogsTemplate(c.baseUrl),
      suite,
      origin: c.origin,
      label: c.label,
      description: c.description,
      extra: c.apt.suites[suite] ?? {},
      indexCompression: c.apt.indexCompression,
      contents: c.apt.contents,
    };
    const base = `apt/dists/${suite}`;
    const { files, architectures } = await suiteIndexes(apt, opts, (rel) => site.readPublished(`${base}/${rel}`));
    let release = releaseText(files, architectures, opts, site.now, c.validDays);
    const old = await site.readPublished(`${base}/Release`);
    let changed = true;
    const half = (c.validDays * 86400_000) / 2;
    let renewAfter: Date | undefined = c.validDays > 0 ? new Date(site.now.getTime() + half) : undefined;
    if (old) {
      const oldText = old.toString("utf8");
      const same = releaseIdentity(oldText) === releaseIdentity(release);
      const until = parseRfc2822(/^Valid-Until: (.*)$/m.exec(oldText)?.[1]);
      const fresh = c.validDays === 0 ? !/^Valid-Until:/m.test(oldText) : until !== null && until.getTime() - site.now.getTime() > (c.validDays * 86400_000) / 2;
      const oldInRelease = await site.readPublished(`${base}/InRelease`);
      // Signed by exactly the keys of [apt] signing_keys: a key added or dropped re-signs at once.
      const hasSigs = oldInRelease !== null && (await site.readPublished(`${base}/Release.gpg`)) !== null && (await this.signer().signedByAll(oldInRelease.toString("utf8")));
      if (same && fresh && hasSigs) {
        release = oldText;
        changed = false;
        renewAfter = until && c.validDays > 0 ? new Date(until.getTime() - half) : undefined;
      }
    }
    const out: RepoFile[] = [];
    for (const f of files) {
      if (!f.served) continue;
      const dir = path.posix.dirname(f.path);
      out.push({ path: `${base}/${dir}/by-hash/SHA256/${f.sha256}`, data: f.data, stage: 1 });
      out.push({ path: `${base}/${f.path}`, data: f.data, stage: 2 });
    }
    if (changed) {
      const signer = this.signer();
      const rel = Buffer.from(release, "utf8");
      out.push({ path: `${base}/Release`, data: rel, stage: 3 });
      out.push({ path: `${base}/Release.gpg`, data: Buffer.from(await signer.detach(rel, site.now), "utf8"), stage: 3 });
      out.push({ path: `${base}/InRelease`, data: Buffer.from(await signer.clearsign(release, site.now), "utf8"), stage: 4 });
    } else {
      for (const n of ["Release", "Release.gpg", "InRelease"]) {
        const data = await site.readPublished(`${base}/${n}`);
        if (data) out.push({ path: `${base}/${n}`, data, stage: n === "InRelease" ? 4 : 3 });
      }
    }
    // debmirror (and Debian's own layout) know a suite by its Codename: dists/CODENAME shows it too.
    const codename = opts.extra.Codename;
    const aliases = codename && codename !== suite && /^[A-Za-z0-9][A-Za-z0-9.+_-]*$/.test(codename) ? [`apt/dists/${codename}`] : [];
    return { files: out, changed, name: `apt ${suite}`, base, aliases, ...(renewAfter ? { renewAfter } : {}) };
  }
}
