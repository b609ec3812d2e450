// The reference the benchmarks measure repogen against: what a sysadmin would script with Debian's
// own tools (hard links into a pool, apt-ftparchive packages and contents, gzip and xz, apt-ftparchive
// release, gpg), optionally with apt-ftparchive's --db cache. Shared by run.mjs and resident.mjs.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import path from "node:path";

function sh(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: "utf8", maxBuffer: 1 << 30, ...opts });
  if (r.status !== 0) throw new Error(`${cmd} ${args.slice(0, 6).join(" ")} exited ${r.status}: ${r.stderr}`);
  return r.stdout;
}

const fresh = new Set();
/** A gpg home in `home` holding the benchmark's APT signing key (keys/apt-signing-key.asc). */
export function gpgHome(home, keys) {
  if (!existsSync(home)) {
    mkdirSync(home, { mode: 0o700 });
    sh("gpg", ["--homedir", home, "--batch", "--import", path.join(keys, "apt-signing-key.asc")]);
  }
  // An agent left by an earlier run may have been started under a path that no longer exists, and
  // would then find no secret key: start from a fresh one, once per process.
  if (!fresh.has(home)) spawnSync("gpgconf", ["--homedir", home, "--kill", "gpg-agent"]);
  fresh.add(home);
  return home;
}

/** Publishes `debs` into `out` as dists/debian-12 (SHA256 only), signed with the key in `home`. */
export function referencePipeline(debs, out, home, db) {
  mkdirSync(path.join(out, "pool/main/b"), { recursive: true });
  mkdirSync(path.join(out, "dists/debian-12/main/binary-amd64"), { recursive: true });
  const dbArgs = db ? `--db ${db}` : "";
  const script = `set -e
cd ${out}
xargs -0 cp -l -f -t pool/main/b
apt-ftparchive ${dbArgs} -o APT::FTPArchive::MD5=false -o APT::FTPArchive::SHA1=false -o APT::FTPArchive::SHA512=false packages pool > dists/debian-12/main/binary-amd64/Packages
gzip -9 -k -f dists/debian-12/main/binary-amd64/Packages
xz -k -f dists/debian-12/main/binary-amd64/Packages
apt-ftparchive ${dbArgs} contents pool | gzip -9 > dists/debian-12/main/Contents-amd64.gz
apt-ftparchive -o APT::FTPArchive::MD5=false -o APT::FTPArchive::SHA1=false -o APT::FTPArchive::SHA512=false -o APT::FTPArchive::Release::Suite=debian-12 release dists/debian-12 > Release.tmp && mv Release.tmp dists/debian-12/Release
gpg --homedir ${home} --batch --yes --clearsign -o dists/debian-12/InRelease dists/debian-12/Release
gpg --homedir ${home} --batch --yes -abs -o dists/debian-12/Release.gpg dists/debian-12/Release
`;
  sh("bash", ["-c", script], { input: debs.join("\0") });
}
