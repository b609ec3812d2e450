/** The FreeBSD family: .pkg files into a pkg repository per ABI (pkg/FreeBSD:N:ARCH/). */
import { rm, stat } from "node:fs/promises";
import path from "node:path";
import type { Build } from "../builds/scan.js";
import { freebsdBuildVersion, versioningOf } from "../builds/versioning.js";
import type { Config } from "../config.js";
import { FormatError } from "../errors.js";
import { mainBinary, workFile, type Family, type PrepareContext, type Prepared, type RepoFile, type RepositoryResult, type SiteContext } from "../family.js";
import type { CachedPackage } from "../publish/state.js";
import { decompressBuffer, detectCompression } from "../archive/compress.js";
import { readTarBuffer } from "../archive/tar.js";
import { manifestObject } from "./manifest.js";
import { buildPkg, readPkg, rewritePkgVersion } from "./pkg.js";
import { dataJson, metaConf, packagesiteYaml, signedArchive, sortEntries, type CatalogueEntry, type SignatureMode } from "./repository.js";
import { compareFreebsdVersions } from "./version.js";
import { catalogueSignedBy } from "../signing/rsa.js";

export function abiOf(build: Build): string {
  return build.platform.family === "freebsd" ? `FreeBSD:${build.platform.major}:${build.arch}` : build.platform.platform;
}

export class FreebsdFamily implements Family {
  readonly name = "freebsd" as const;

  constructor(private readonly signer: () => SignatureMode) {}

  cacheSalt(config: Config): string {
    return `pkg:${config.versioning}:${config.pkg.compression}`;
  }

  compareVersions(a: string, b: string): number {
    return compareFreebsdVersions(a, b);
  }

  repositoryOf(build: Build): string {
    return abiOf(build);
  }

  async prepare(build: Build, ctx: PrepareContext, cached: CachedPackage | undefined): Promise<Prepared> {
    if (cached) return { pkg: cached, produced: null, move: false };
    const abi = abiOf(build);
    const { file: source, owned, sha256: mainSha } = await mainBinary(build, ctx, async (spec, outDir, mtime) =>
      (await buildPkg(spec, build.main, { abi, mtime, compression: ctx.config.pkg.compression, outDir })).file,
    );
    const info = await readPkg(source);
    const m = info.manifest;
    const major = build.platform.family === "freebsd" ? build.platform.major : -1;
    if (m.abi !== abi && m.abi !== `FreeBSD:${major}:*`) throw new FormatError(`the package's abi is ${m.abi}, build.json says ${abi}`);
    const upstream = m.version;
    const version = versioningOf(build, ctx.config) === "build" ? freebsdBuildVersion(upstream, build.buildtime, mainSha) : upstream;
    let produced = source;
    let move = owned;
    let manifest = m;
    let sha256 = mainSha;
    let { size } = await stat(source);
    if (version !== upstream) {
      const out = workFile(ctx, build, "rewritten.pkg");
      const r = await rewritePkgVersion(source, version, out, undefined, info);
      ({ size, sha256 } = r);
      manifest = r.info.manifest;
      if (owned) await rm(build.kind === "tree" ? path.dirname(source) : source, { recursive: true, force: true });
      produced = out;
      move = true;
    }
    const pkg: CachedPackage = {
      family: "freebsd",
      name: manifest.name,
      upstream,
      version,
      arch: build.arch,
      mainSha256: mainSha,
      pool: `pkg/${abi}/All/${manifest.name}-${version}.pkg`,
      size,
      sha256,
      entry: JSON.stringify(manifestObject(manifest, true)),
      files: Object.keys(manifest.files ?? {}).join("\n"),
      ...(manifest.config?.length ? { conffiles: manifest.config } : {}),
    };
    return { pkg, produced, move };
  }

  async repository(abi: string, pkgs: CachedPackage[], site: SiteContext): Promise<RepositoryResult> {
    const c = site.config;
    const entries: CatalogueEntry[] = sortEntries(
      pkgs.map((p) => ({ compact: JSON.parse(p.entry) as Record<string, unknown>, path: p.pool.replace(/^pkg\/[^/]+\//, ""), sha256: p.sha256, size: p.size })),
    );
    const base = `pkg/${abi}`;
    const data = dataJson(entries);
    const yaml = packagesiteYaml(entries);
    const meta = Buffer.from(metaConf(c.pkg.compression));
    // Unchanged when the published data.pkg holds the same catalogue (signatures and mtimes aside).
    let changed = true;
    const old = await site.readPublished(`${base}/data.pkg`);
    if (old) {
      try {
        const tar = await decompressBuffer(detectCompression(old), old);
        const members = readTarBuffer(tar);
        const member = members.find((e) => e.name === "data");
        const sigMode = members.some((e) => e.name === "signature") ? "pubkey" : "fingerprints";
        if (member?.data?.equals(data) && sigMode === c.pkg.signature && catalogueSignedBy(members, "data", this.signer().key)) changed = false;
      } catch {
        changed = true;
      }
    }
    const files: RepoFile[] = [];
    if (changed) {
      const sig = this.signer();
      const mtime = Math.floor(site.now.getTime() / 1000);
      files.push({ path: `${base}/packagesite.pkg`, data: await signedArchive("packagesite.yaml", yaml, sig, mtime, c.pkg.compression), stage: 3, mtime: site.now });
      files.push({ path: `${base}/data.pkg`, data: await signedArchive("data", data, sig, mtime, c.pkg.compression), stage: 3, mtime: site.now });
    } else {
      for (const n of ["packagesite.pkg", "data.pkg"]) {
        const b = await site.readPublished(`${base}/${n}`);
        if (b) files.push({ path: `${base}/${n}`, data: b, stage: 3 });
      }
    }
    files.push({ path: `${base}/packagesite.yaml`, data: yaml, stage: 2 });
    files.push({ path: `${base}/meta`, data: meta, stage: 4 });
    files.push({ path: `${base}/meta.conf`, data: meta, stage: 4 });
    return { files, changed, name: `pkg ${abi}`, base };
  }
}
