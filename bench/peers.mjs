// aptly and reprepro, driven as a sysadmin's cron script would drive them: add what is in the incoming
// folder, publish, sign. Each phase is timed on its own. Both come from Debian (apt-get install aptly
// reprepro); they sign with gpg from the bench's own GNUPGHOME.
import { spawnSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";

function run(cmd, args, opts = {}) {
  const t = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { encoding: "utf8", maxBuffer: 1 << 30, ...opts });
  const s = Number(process.hrtime.bigint() - t) / 1e9;
  if (r.status !== 0) throw new Error(`${cmd} ${args.slice(0, 5).join(" ")} exited ${r.status}: ${(r.stderr || r.stdout).slice(-2000)}`);
  return s;
}

/** The key id (long form) of the first secret key in a GNUPGHOME. */
export function keyId(home) {
  const r = spawnSync("gpg", ["--homedir", home, "--batch", "--with-colons", "--list-secret-keys"], { encoding: "utf8" });
  const line = r.stdout.split("\n").find((l) => l.startsWith("sec:"));
  if (!line) throw new Error(`no secret key in ${home}`);
  return line.split(":")[4];
}

/** aptly with its root in `dir`; `incoming` is a flat folder of .deb files. */
export function aptly(dir, home) {
  const cfg = path.join(dir, "aptly.conf");
  const root = path.join(dir, "root");
  const env = { ...process.env, GNUPGHOME: home };
  const key = keyId(home);
  const a = (args) => run("aptly", [`-config=${cfg}`, ...args], { env });
  return {
    reset() {
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir, { recursive: true });
      writeFileSync(cfg, JSON.stringify({ rootDir: root, architectures: ["amd64"], gpgDisableSign: false, gpgDisableVerify: true, gpgProvider: "gpg2", skipContentsPublishing: false }));
      a(["repo", "create", "-distribution=debian-12", "-component=main", "bench"]);
    },
    /** A cron run: add the incoming folder (already known files are skipped), then publish. */
    cron(incoming, first) {
      const add = a(["repo", "add", "bench", incoming]);
      const pub = first
        ? a(["publish", "repo", "-batch", `-gpg-key=${key}`, "-distribution=debian-12", "bench"])
        : a(["publish", "update", "-batch", `-gpg-key=${key}`, "debian-12"]);
      return { add, publish: pub, total: add + pub };
    },
  };
}

/** reprepro with its base in `dir`. */
export function reprepro(dir, home) {
  const env = { ...process.env, GNUPGHOME: home };
  const key = keyId(home);
  const r = (args) => run("reprepro", ["-b", dir, "--silent", ...args], { env });
  return {
    reset() {
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(path.join(dir, "conf"), { recursive: true });
      writeFileSync(
        path.join(dir, "conf/distributions"),
        `Codename: debian-12\nSuite: debian-12\nComponents: main\nArchitectures: amd64\nSignWith: ${key}\nContents: .gz\n`,
      );
      writeFileSync(path.join(dir, "conf/options"), "ignore longkeyid\n");
    },
    /** A cron run: include every incoming file (known ones are skipped), then export and sign once. */
    cron(files) {
      let add = 0;
      // In chunks: one command line cannot hold 10 000 paths on every system.
      for (let i = 0; i < files.length; i += 2000) add += r(["--export=never", "includedeb", "debian-12", ...files.slice(i, i + 2000)]);
      const pub = r(["export", "debian-12"]);
      return { add, publish: pub, total: add + pub };
    },
  };
}
