// Helpers for tests that run the real apt-get against a tree served on 127.0.0.1.
import { spawn, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, mkdirSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import net from "node:net";
import { gunzipSync } from "node:zlib";
import path from "node:path";
import { dpkgRoot, sh, type RunResult } from "./helpers.js";

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
    s.on("error", reject);
  });
}

export interface Server {
  url: string;
  stop(): void;
}

/** python3 -m http.server on 127.0.0.1, serving dir; resolves once it answers. */
export async function serve(dir: string): Promise<Server> {
  const port = await freePort();
  const child: ChildProcess = spawn("python3", ["-m", "http.server", String(port), "--bind", "127.0.0.1", "--directory", dir], { stdio: "ignore" });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, "127.0.0.1", () => {
        s.end();
        resolve(true);
      });
      s.on("error", () => resolve(false));
    });
    if (ok) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  return { url, stop: () => child.kill() };
}

/** An apt that never reads the host's configuration (FORMATS §6). */
export class AptRoot {
  readonly conf: string;
  constructor(readonly root: string) {
    for (const d of [
      "etc/apt/apt.conf.d", "etc/apt/preferences.d", "etc/apt/sources.list.d", "etc/apt/keyrings", "var/lib/apt/lists/partial",
      "var/cache/apt/archives/partial", "var/log/apt",
    ])
      mkdirSync(path.join(root, d), { recursive: true });
    dpkgRoot(root);
    this.conf = path.join(root, "apt.conf");
    writeFileSync(
      this.conf,
      `Dir "${root}/";\nDir::State::status "${root}/var/lib/dpkg/status";\nAPT::Architecture "amd64"; APT::Architectures { "amd64"; };\n` +
        `APT::Sandbox::User "root"; Acquire::Languages "none"; Debug::NoLocking "true";\nAcquire::http::Proxy "false";\nDir::Log "${root}/var/log/apt";\n`,
    );
  }

  addSource(url: string, suite: string, keyring: string): void {
    const kr = path.join(this.root, "etc/apt/keyrings/repo.gpg");
    cpSync(keyring, kr);
    writeFileSync(path.join(this.root, "etc/apt/sources.list.d/repo.sources"), `Types: deb\nURIs: ${url}\nSuites: ${suite}\nComponents: main\nSigned-By: ${kr}\n`);
  }

  apt(args: string[], cwd?: string): RunResult {
    return sh("apt-get", args, { env: { ...process.env, APT_CONFIG: this.conf, DEBIAN_FRONTEND: "noninteractive" }, cwd });
  }

  install(...names: string[]): RunResult {
    return this.apt(["install", "-y", "-o", `DPkg::Options::=--root=${this.root}`, "-o", "DPkg::Options::=--force-script-chrootless", "-o", "DPkg::Options::=--log=/dev/null", ...names]);
  }
}

/** Lines apt prints as warnings or errors. */
export function problems(r: RunResult): string[] {
  return (r.stdout + "\n" + r.stderr).split("\n").filter((l) => /^(W|E|Err):/.test(l));
}

export function sha256(b: Buffer): string {
  return createHash("sha256").update(b).digest("hex");
}

/** Checks every file a Release lists: size, SHA-256 and its by-hash copy. Returns what is wrong. */
export function checkRelease(distDir: string): string[] {
  const rel = readFileSync(path.join(distDir, "Release"), "utf8");
  const m = /^SHA256:\n((?: .*\n?)+)/m.exec(rel);
  if (!m) return ["no SHA256 list"];
  const bad: string[] = [];
  const lines = m[1]!.trim().split("\n").map((l) => l.trim().split(/\s+/));
  const listed = new Map(lines.map(([hex, size, p]) => [p!, { hex: hex!, size: Number(size) }]));
  for (const [hex, size, p] of lines) {
    const file = path.join(distDir, p!);
    const gz = listed.get(`${p}.gz`);
    if (/(^|\/)Contents-[^/.]+$/.test(p!) && gz && !existsSync(file)) {
      // Listed for apt-file, served as .gz only: the .gz must hold exactly these bytes.
      const plain = gunzipSync(readFileSync(path.join(path.dirname(file), "by-hash", "SHA256", gz.hex)));
      if (plain.length !== Number(size) || sha256(plain) !== hex) bad.push(`${p}: its .gz does not hold what Release says`);
      continue;
    }
    const byHash = path.join(path.dirname(file), "by-hash", "SHA256", hex!);
    if (!existsSync(byHash)) bad.push(`no by-hash copy of ${p}`);
    else if (sha256(readFileSync(byHash)) !== hex) bad.push(`by-hash copy of ${p} differs`);
    if (existsSync(file)) {
      const b = readFileSync(file);
      if (b.length !== Number(size)) bad.push(`${p}: size ${b.length}, Release says ${size}`);
      if (sha256(b) !== hex) bad.push(`${p}: sha256 differs`);
    } else if (!p!.endsWith("Packages")) bad.push(`${p} missing`);
  }
  return bad;
}
