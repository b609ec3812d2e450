// Makes finished-build folders for tests.
import { createHash } from "node:crypto";
import { cpSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { makeStagedTree, write } from "./helpers.js";
import { arHeader, arPadding } from "../src/archive/ar.js";
import { tarBuffer } from "../src/archive/tar.js";

/**
 * A .deb built by hand, so that its control can hold what dpkg-deb would refuse to write, and so
 * that hundreds can be made quickly. `files` become regular files under /usr/share/NAME/.
 */
export function craftDeb(file: string, control: string, files: Record<string, string | Buffer> = {}): void {
  const t = 1700000000;
  const ctl = tarBuffer([
    { name: "./", type: "dir", mode: 0o755, size: 0, mtime: t },
    { name: "./control", type: "file", mode: 0o644, size: 0, mtime: t, data: Buffer.from(control) },
  ]);
  const name = /^Package: (.*)$/m.exec(control)?.[1] ?? "x";
  const entries: Parameters<typeof tarBuffer>[0] = [{ name: "./", type: "dir", mode: 0o755, size: 0, mtime: t }];
  if (Object.keys(files).length) {
    for (const d of ["./usr/", "./usr/share/", `./usr/share/${name}/`]) entries.push({ name: d, type: "dir", mode: 0o755, size: 0, mtime: t });
    for (const [n, c] of Object.entries(files)) entries.push({ name: `./usr/share/${name}/${n}`, type: "file", mode: 0o644, size: 0, mtime: t, data: Buffer.from(c) });
  }
  const data = tarBuffer(entries);
  const parts = [Buffer.from("!<arch>\n"), arHeader("debian-binary", 4, t), Buffer.from("2.0\n")];
  parts.push(arHeader("control.tar", ctl.length, t), ctl, arPadding(ctl.length));
  parts.push(arHeader("data.tar", data.length, t), data, arPadding(data.length));
  writeFileSync(file, Buffer.concat(parts));
}

export function sha256File(f: string): string {
  return createHash("sha256").update(readFileSync(f)).digest("hex");
}

export interface BuildOpts {
  job: string;
  uuid: string;
  platform?: string;
  arch?: string;
  start: string;
  result?: string;
}

export function buildJson(o: BuildOpts, main: string, artifacts: string[], extra: Record<string, unknown> = {}, dir?: string) {
  return {
    job: o.job,
    uuid: o.uuid,
    platform: o.platform ?? "debian-12",
    arch: o.arch ?? "amd64",
    start: o.start,
    finish: o.start,
    result: o.result ?? "success",
    main_binary: main,
    artifacts: artifacts.map((a) => ({ path: a, sha256: dir ? sha256File(path.join(dir, a)) : "0".repeat(64) })),
    ...extra,
  };
}

/** A build whose main binary is a ready package file. */
export function readyBuild(builds: string, o: BuildOpts, pkgFile: string, jsonPatch: (j: Record<string, unknown>) => void = () => {}): string {
  const dir = path.join(builds, o.job, o.uuid);
  mkdirSync(dir, { recursive: true });
  const base = path.basename(pkgFile);
  cpSync(pkgFile, path.join(dir, base));
  const j = buildJson(o, base, [base], {}, dir) as Record<string, unknown>;
  jsonPatch(j);
  writeFileSync(path.join(dir, "build.json"), JSON.stringify(j, null, 2));
  return dir;
}

export const GREETER_SPEC = (version: string, extra = "") => `name = "greeter"
version = "${version}"
summary = "Prints a greeting"
description = """
greeter prints a greeting.

A test package."""
maintainer = "Example Team <team@example.org>"
homepage = "https://example.org/greeter"
license = "ISC"
section = "utils"
${extra}
[[files]]
src = "bin/hello"
dst = "/usr/bin/greeter"
mode = "0755"

[[files]]
src = "etc/hello.conf"
dst = "/etc/greeter.conf"
config = true

[scripts]
postinstall = "scripts/postinst"
`;

/** A build from a staged tree and a spec. */
export function treeBuild(
  builds: string,
  o: BuildOpts,
  opts: { version?: string; greeting?: string; spec?: string; bigBytes?: number } = {},
): string {
  const dir = path.join(builds, o.job, o.uuid);
  mkdirSync(dir, { recursive: true });
  const stage = path.join(dir, "stage");
  makeStagedTree(stage, { bigBytes: opts.bigBytes ?? 100, greeting: opts.greeting });
  write(path.join(dir, "package.toml"), opts.spec ?? GREETER_SPEC(opts.version ?? "1.0.0"));
  const j = buildJson(o, "stage", ["package.toml", "stage/bin/hello"], { package: "package.toml" }, dir);
  writeFileSync(path.join(dir, "build.json"), JSON.stringify(j, null, 2));
  return dir;
}
