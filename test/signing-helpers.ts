// The real verifiers judged the way apt judges them: gpgv's status lines, sqv's exit code, and a
// Debian 13 (trixie) root whose apt 3.0 checks signatures with sqv.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { ROOT, must, sh, tmp, type RunResult } from "./helpers.js";

export interface GpgvVerdict {
  good: string[];
  expired: string[];
  noPubkey: string[];
  bad: string[];
  /** What apt concludes from this report: at least one good signature and no bad one. */
  accepted: boolean;
  raw: string;
}

/** gpgv --status-fd 1: exit 2 whenever one of several signatures is by an unknown key, so read the status lines as apt does. */
export function gpgv(keyring: string, ...files: string[]): GpgvVerdict {
  const r = sh("gpgv", ["--status-fd", "1", "--keyring", keyring, ...files]);
  const grab = (tag: string) => [...r.stdout.matchAll(new RegExp(`^\\[GNUPG:\\] ${tag} ([0-9A-F]+)`, "gm"))].map((m) => m[1]!);
  const good = grab("VALIDSIG").filter((fpr) => grab("GOODSIG").some((id) => fpr.endsWith(id)));
  const v = { good, expired: grab("EXPKEYSIG"), noPubkey: grab("NO_PUBKEY"), bad: grab("BADSIG"), raw: r.stdout + r.stderr };
  return { ...v, accepted: v.good.length > 0 && v.bad.length === 0 };
}

/** A binary keyring (gpgv needs one) from an armored public key file. */
export function dearmor(asc: string, out: string): string {
  must("sh", ["-c", `gpg --homedir "$(mktemp -d)" --batch --dearmor < '${asc}' > '${out}' 2>/dev/null`]);
  return out;
}

/**
 * Splits an InRelease into the signed text and the signature, as apt does before it runs sqv: the
 * text without the line end that precedes the signature block, dash-escaping undone.
 */
export function splitInRelease(inRelease: string, dir: string): { data: string; sig: string } {
  const lines = readFileSync(inRelease, "utf8").split("\n");
  const start = lines.indexOf("");
  const sigAt = lines.indexOf("-----BEGIN PGP SIGNATURE-----");
  const end = lines.indexOf("-----END PGP SIGNATURE-----");
  const data = path.join(dir, "InRelease.data");
  const sig = path.join(dir, "InRelease.sig");
  writeFileSync(data, lines.slice(start + 1, sigAt).map((l) => (l.startsWith("- ") ? l.slice(2) : l)).join("\n"));
  writeFileSync(sig, lines.slice(sigAt, end + 1).join("\n") + "\n");
  return { data, sig };
}

/** Debian 12's sqv (1.1): the legacy form, a detached signature and the data. */
export function sqv(keyring: string, sig: string, data: string): RunResult {
  return sh("sqv", ["--keyring", keyring, sig, data]);
}

/**
 * Debian 13's sqv (1.3) inside the trixie root, with apt's own policy file as apt sets it: a detached
 * signature (`data` given) or a cleartext-signed InRelease (`data` omitted).
 */
export function trixieSqv(root: string, keyring: string, signed: string, data?: string): RunResult {
  const dir = mkdtempSync(path.join(root, "tmp", "sqv-"));
  const inside = (f: string) => {
    cpSync(f, path.join(dir, path.basename(f)));
    return path.join("/tmp", path.basename(dir), path.basename(f));
  };
  const args = ["--keyring", inside(keyring)];
  if (data) args.push("--signature-file", inside(signed), inside(data));
  else args.push("--cleartext", "--output", path.join("/tmp", path.basename(dir), "out.txt"), inside(signed));
  try {
    return sh("/usr/sbin/chroot", [root, "sqv", ...args], { env: { PATH: "/usr/bin:/bin", SEQUOIA_CRYPTO_POLICY: "/usr/share/apt/default-sequoia.config" } });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const CACHE = path.join(ROOT, "test", ".cache", "trixie");

/**
 * A Debian 13 root (apt 3.0, sqv) from Debian's archive, built once with mmdebstrap and kept under
 * test/.cache/. Returns null, with the reason, only when the archive cannot be reached.
 */
export function trixieRoot(): { root: string } | { skip: string } {
  if (process.getuid?.() !== 0) return { skip: "the trixie root is entered with chroot, which needs root" };
  if (existsSync(path.join(CACHE, "usr/bin/apt-get")) && existsSync(path.join(CACHE, "usr/bin/sqv"))) return { root: CACHE };
  const probe = sh("curl", ["-sfI", "--max-time", "20", "http://deb.debian.org/debian/dists/trixie/InRelease"]);
  if (probe.status !== 0) return { skip: `Debian's archive (deb.debian.org) cannot be reached (curl exit ${probe.status}): no trixie root for apt 3.0` };
  mkdirSync(path.dirname(CACHE), { recursive: true });
  // One test file builds it (the lock is a folder: mkdir is atomic); the others wait for it, bounded.
  const lock = `${CACHE}.lock`;
  try {
    mkdirSync(lock);
  } catch {
    const ready = () => existsSync(path.join(CACHE, "usr/bin/sqv"));
    for (let i = 0; i < 900 && !ready() && existsSync(lock); i++) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1000);
    if (ready()) return { root: CACHE };
    rmSync(lock, { recursive: true, force: true }); // its builder died: build it here
    mkdirSync(lock, { recursive: true });
  }
  // Built beside and renamed: a test file never sees half a root.
  const part = `${CACHE}.${process.pid}.part`;
  try {
    rmSync(part, { recursive: true, force: true });
    must("mmdebstrap", ["--quiet", "--variant=apt", "--include=ca-certificates", "trixie", part, "http://deb.debian.org/debian"], { timeout: 600_000 });
    renameSync(part, CACHE);
  } finally {
    rmSync(part, { recursive: true, force: true });
    rmSync(lock, { recursive: true, force: true });
  }
  return { root: CACHE };
}

/** A throw-away copy of the trixie root, so that test files running at once never share apt's state. */
export function trixieCopy(): { root: string } | { skip: string } {
  const t = trixieRoot();
  if ("skip" in t) return t;
  const root = path.join(tmp("repogen-trixie-"), "root");
  must("cp", ["-a", "--reflink=auto", t.root, root]);
  return { root };
}

/** apt inside a trixie root: a source served on 127.0.0.1 (the chroot shares the network), one keyring file. */
export class ChrootApt {
  constructor(readonly root: string) {
    writeFileSync(path.join(root, "etc/apt/apt.conf.d/99repogen-test"), 'Acquire::Languages "none";\nAcquire::http::Proxy "false";\nAPT::Get::Assume-Yes "true";\nDpkg::Use-Pty "false";\n');
    rmSync(path.join(root, "etc/apt/sources.list.d/debian.sources"), { force: true });
    rmSync(path.join(root, "etc/apt/sources.list"), { force: true });
  }

  /** Points apt at url/suite with `Signed-By` the given key files (copied into the root). */
  source(url: string, suite: string, keyrings: string[]): void {
    mkdirSync(path.join(this.root, "etc/apt/keyrings"), { recursive: true });
    const inside = keyrings.map((k, i) => {
      const name = `/etc/apt/keyrings/repo-${i}${path.extname(k) || ".gpg"}`;
      cpSync(k, path.join(this.root, name));
      return name;
    });
    writeFileSync(path.join(this.root, "etc/apt/sources.list.d/repo.sources"), `Types: deb\nURIs: ${url}\nSuites: ${suite}\nComponents: main\nSigned-By: ${inside.join(" ")}\n`);
  }

  apt(...args: string[]): RunResult {
    return sh("/usr/sbin/chroot", [this.root, "apt-get", ...args], { env: { PATH: "/usr/sbin:/usr/bin:/sbin:/bin", DEBIAN_FRONTEND: "noninteractive", LC_ALL: "C.UTF-8" }, timeout: 120_000 });
  }
}
