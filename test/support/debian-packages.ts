// Real Debian 12 packages for tests, fetched once with `apt-get download` and cached under
// test/.cache/debs/ (git-ignored), so a second run is quick and needs no network.
//
// The download uses an apt root of its own (never the host's lists or configuration), with Debian's
// archive keyring when the machine has it, so the same packages come back on any machine that can
// reach deb.debian.org.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { dpkgRoot, must, ROOT, sh } from "../helpers.js";

export const DEBS_CACHE = path.join(ROOT, "test", ".cache", "debs");
/** Debian 12's main Packages index for amd64 (gzip), kept from the last download. */
export const DEBIAN_INDEX = path.join(DEBS_CACHE, "bookworm-main-amd64-Packages.gz");

/**
 * A dozen packages with the shapes tests need: sibling relations (jq → libjq1 (= …) → libonig5,
 * nginx → nginx-common (<< …)), Multi-Arch same/foreign, trailing spaces in Description (libgdbm6),
 * epochs (bsdutils 1:, libpcre3 2:), native versions (adduser, debconf, sensible-utils), a binNMU
 * whose Source names a version (libbz2-1.0), Pre-Depends (debconf, nginx), long descriptions.
 */
export const DEBIAN_PACKAGES = [
  "jq",
  "libjq1",
  "libonig5",
  "nginx",
  "nginx-common",
  "libgdbm6",
  "adduser",
  "debconf",
  "sensible-utils",
  "bsdutils",
  "libpcre3",
  "libbz2-1.0",
] as const;

const KEYRING = "/usr/share/keyrings/debian-archive-keyring.gpg";
const LOCK_WAIT_MS = 15 * 60_000;

function cached(name: string): string | undefined {
  if (!existsSync(DEBS_CACHE)) return undefined;
  const hit = readdirSync(DEBS_CACHE)
    .filter((f) => f.startsWith(`${name}_`) && f.endsWith(".deb"))
    .sort();
  return hit.length ? path.join(DEBS_CACHE, hit[hit.length - 1]) : undefined;
}

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Several test files may ask at once: one downloads, the others wait (bounded) and then read the cache. */
function withLock<T>(fn: () => T): T {
  mkdirSync(DEBS_CACHE, { recursive: true });
  const lock = path.join(DEBS_CACHE, ".lock");
  const start = Date.now();
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      let age = 0;
      try {
        age = Date.now() - statSync(lock).mtimeMs;
      } catch {
        continue;
      }
      if (age > LOCK_WAIT_MS) rmSync(lock, { recursive: true, force: true });
      else if (Date.now() - start > LOCK_WAIT_MS) throw new Error(`debian-packages: ${lock} held for over ${LOCK_WAIT_MS / 60_000} minutes`);
      else sleep(500);
    }
  }
  try {
    return fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

function download(names: string[]): void {
  const root = path.join(DEBS_CACHE, `.apt-${process.pid}`);
  rmSync(root, { recursive: true, force: true });
  try {
    for (const d of ["etc/apt/apt.conf.d", "etc/apt/preferences.d", "etc/apt/sources.list.d", "var/lib/apt/lists/partial", "var/cache/apt/archives/partial", "out"])
      mkdirSync(path.join(root, d), { recursive: true });
    dpkgRoot(root);
    const signed = existsSync(KEYRING) ? `Signed-By: ${KEYRING}` : "Trusted: yes";
    writeFileSync(
      path.join(root, "etc/apt/sources.list.d/debian.sources"),
      `Types: deb\nURIs: http://deb.debian.org/debian\nSuites: bookworm bookworm-updates\nComponents: main\n${signed}\n\n` +
        `Types: deb\nURIs: http://deb.debian.org/debian-security\nSuites: bookworm-security\nComponents: main\n${signed}\n`,
    );
    const conf = path.join(root, "apt.conf");
    writeFileSync(
      conf,
      `Dir "${root}/";\nDir::State::status "${root}/var/lib/dpkg/status";\nAPT::Architecture "amd64"; APT::Architectures { "amd64"; };\n` +
        `APT::Sandbox::User "root"; Acquire::Languages "none"; Debug::NoLocking "true";\nAcquire::Retries "3";\n`,
    );
    const env = { ...process.env, APT_CONFIG: conf, DEBIAN_FRONTEND: "noninteractive" };
    must("apt-get", ["update", "-qq"], { env });
    // The host's apt.conf.d still applies (apt reads it before APT_CONFIG), so the list may be kept
    // in any compression: apt names it and apt-helper decodes it.
    const list = must("apt-get", ["indextargets", "--format", "$(FILENAME)", "Codename: bookworm", "Created-By: Packages", "Architecture: amd64"], { env }).trim();
    if (!list || list.includes("\n")) throw new Error(`debian-packages: expected one bookworm Packages list, apt names: ${list}`);
    const text = spawnSync("/usr/lib/apt/apt-helper", ["cat-file", list], { env, maxBuffer: 512 << 20 });
    if (text.status !== 0) throw new Error(`apt-helper cat-file ${list} exited ${text.status}: ${text.stderr}`);
    writeFileSync(`${DEBIAN_INDEX}.tmp`, gzipSync(text.stdout));
    renameSync(`${DEBIAN_INDEX}.tmp`, DEBIAN_INDEX);
    if (!names.length) return;
    const out = path.join(root, "out");
    const r = sh("apt-get", ["download", "-qq", ...names], { env, cwd: out });
    if (r.status !== 0) throw new Error(`apt-get download ${names.join(" ")} exited ${r.status}:\n${r.stderr}`);
    for (const f of readdirSync(out)) if (f.endsWith(".deb")) renameSync(path.join(out, f), path.join(DEBS_CACHE, f));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/**
 * The cached .deb of each name (downloading the missing ones first), as name → absolute path.
 * Synchronous, so it fits a beforeAll; give that hook a generous time-out for the first run.
 */
export function debianPackages(names: readonly string[] = DEBIAN_PACKAGES, opts: { index?: boolean } = {}): Map<string, string> {
  const missing = () => names.filter((n) => !cached(n));
  const needed = () => missing().length > 0 || (opts.index === true && !existsSync(DEBIAN_INDEX));
  if (needed()) withLock(() => needed() && download(missing()));
  const out = new Map<string, string>();
  for (const n of names) {
    const f = cached(n);
    if (!f) throw new Error(`debian-packages: ${n} was not downloaded`);
    out.set(n, f);
  }
  return out;
}

/** The path of Debian 12's main Packages index (gzip) for amd64, downloaded with the packages. */
export function debianIndex(): string {
  debianPackages([], { index: true });
  return DEBIAN_INDEX;
}
