// Real Debian 12 packages with sibling relations (jq → libjq1 (= …) → libonig5, nginx → nginx-common
// (<< …)), imported with the defaults, keep every relation inside the suite satisfied, as python3-apt's
// apt_pkg judges it; imported with --versioning build, generate names the relation the rewrite broke,
// and apt_pkg agrees that it is broken.
import { describe, expect, it, beforeAll } from "vitest";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { must, repogen, sh, tmp } from "../helpers.js";
import { AptRoot, problems, serve } from "../apt-helpers.js";
import { debianPackages } from "../support/debian-packages.js";

const NOW = "2026-11-20T10:00:00Z";

/** Every Pre-Depends/Depends group naming a package of the suite, checked with apt_pkg.check_dep. */
const CHECK = `
import apt_pkg, json, sys
apt_pkg.init_system()
secs = [dict((k, s[k]) for k in s.keys()) for s in apt_pkg.TagFile(open(sys.argv[1]))]
versions = {}
for s in secs: versions.setdefault(s["Package"], []).append(s["Version"])
checked, broken = 0, []
for s in secs:
    for field in ("Pre-Depends", "Depends"):
        if field not in s: continue
        for group in apt_pkg.parse_depends(s[field]):
            inside = [a for a in group if a[0].split(":")[0] in versions]
            if not inside: continue
            checked += 1
            ok = any(not a[2] or apt_pkg.check_dep(v, a[2], a[1]) for a in inside for v in versions[a[0].split(":")[0]])
            if not ok: broken.append("%s %s: %s" % (s["Package"], field, " | ".join("%s (%s %s)" % (a[0], a[2], a[1]) for a in group)))
print(json.dumps({"checked": checked, "broken": broken}))
`;

function judge(packagesFile: string): { checked: number; broken: string[] } {
  const script = path.join(tmp(), "check.py");
  writeFileSync(script, CHECK);
  return JSON.parse(must("/usr/bin/python3", [script, packagesFile])) as { checked: number; broken: string[] };
}

describe("real Debian packages: relations inside the suite", () => {
  let debs: Map<string, string>;
  let keys: string;
  let work: string;

  beforeAll(() => {
    debs = debianPackages();
    work = tmp("repogen-debian-relations-");
    keys = path.join(work, "keys");
    expect(repogen(["keygen", "--keys", keys]).status).toBe(0);
  }, 600_000);

  const publish = (name: string, files: string[], extra: string[] = []) => {
    const builds = path.join(work, `builds-${name}`);
    const out = path.join(work, `out-${name}`);
    const i = repogen(["import", ...files, "--platform", "debian-12", "--builds", builds, "--now", NOW, ...extra]);
    expect(i.status, i.stderr).toBe(0);
    const g = repogen(["generate", "--builds", builds, "--out", out, "--keys", keys, "--state", path.join(work, `state-${name}`), "--now", NOW, "--json"]);
    return { g, out, builds };
  };

  it("imported with the defaults, every sibling relation holds (apt_pkg) and generate warns of nothing", () => {
    const { g, out } = publish("asis", [...debs.values()]);
    expect(g.status, g.stderr).toBe(0);
    expect(g.stderr).not.toMatch(/warning:/);
    const pk = path.join(out, "apt/dists/debian-12/main/binary-amd64/Packages");
    const r = judge(pk);
    expect(r.broken).toEqual([]);
    // the relations the issue names are among those checked
    const text = readFileSync(pk, "utf8");
    expect(text).toMatch(/^Depends: .*libjq1 \(= /m);
    expect(text).toMatch(/nginx-common \(<< /);
    expect(r.checked).toBeGreaterThanOrEqual(4);
    for (const [name, file] of debs) {
      const v = must("dpkg-deb", ["-f", file, "Version"]).trim();
      expect(text, name).toContain(`Package: ${name}\n`);
      expect(text).toMatch(new RegExp(`^Package: ${name.replace(/[.+]/g, "\\$&")}\\n(?:.+\\n)*?Version: ${v.replace(/[.+]/g, "\\$&")}\\n`, "m"));
    }
  });

  it("with --versioning build, generate names each relation the rewrite broke, and apt_pkg agrees", () => {
    const { g, out } = publish("build", [debs.get("jq")!, debs.get("libjq1")!, debs.get("libonig5")!], ["--versioning", "build"]);
    expect(g.status, g.stderr).toBe(0);
    const r = judge(path.join(out, "apt/dists/debian-12/main/binary-amd64/Packages"));
    expect(r.broken.length).toBeGreaterThan(0);
    expect(r.broken.some((b) => b.startsWith("jq Depends: ") && b.includes("libjq1 (=")), JSON.stringify(r.broken) + g.stderr).toBe(true);
    const warnings = g.stderr.split("\n").filter((l) => l.startsWith("warning: "));
    expect(warnings.length).toBe(r.broken.length);
    expect(JSON.parse(g.stdout).warnings).toEqual(warnings.map((w) => w.slice("warning: ".length)));
    const jq = warnings.find((w) => w.includes(" Depends: ") && w.startsWith("warning: apt debian-12: jq "))!;
    expect(jq).toMatch(/\(jq\/[0-9a-f-]{36}\) Depends: .*libjq1 \(= 1\.6-2\.1\+deb12u\d+\).*but libjq1 1\.6-2\.1\+deb12u\d+ is published as 1\.6-2\.1\+deb12u\d+\+b20261120100000\.[0-9a-f]{64} \(libjq1\/[0-9a-f-]{36}, "versioning": "build"\)/);
  });

  it("each package's changelog is where apt-get changelog --print-uris looks, and is the package's own", async () => {
    const builds = path.join(work, "builds-cl");
    const out = path.join(work, "out-cl");
    mkdirSync(out, { recursive: true });
    const i = repogen(["import", ...debs.values(), "--platform", "debian-12", "--builds", builds, "--now", NOW]);
    expect(i.status, i.stderr).toBe(0);
    const server = await serve(out);
    try {
      const cfg = path.join(work, "cl.toml");
      writeFileSync(cfg, `builds = "builds-cl"\noutput = "out-cl"\nkeys = "keys"\nstate = "state-cl"\nbase_url = "${server.url}"\n`);
      const g = repogen(["generate", "--config", cfg, "--now", NOW]);
      expect(g.status, g.stderr).toBe(0);
      const apt = new AptRoot(path.join(work, "root-cl"));
      apt.addSource(`${server.url}/apt`, "debian-12", path.join(out, "apt/archive-keyring.gpg"));
      const u = apt.apt(["update"]);
      expect(problems(u)).toEqual([]);
      for (const [name, file] of debs) {
        const uris = apt.apt(["changelog", "--print-uris", name]);
        expect(uris.status, uris.stderr).toBe(0);
        const url = /^'([^']+)'/.exec(uris.stdout.trim())?.[1];
        expect(url, name).toBeDefined();
        expect(url!.startsWith(`${server.url}/apt/changelogs/main/`), url).toBe(true);
        const rel = decodeURIComponent(url!.slice(server.url.length + 1));
        expect(existsSync(path.join(out, rel)), `${name}: ${rel}`).toBe(true);
        // the changelog.Debian.gz (else changelog.gz, a native package) of the binary named after the
        // source when it is published (jq's for libjq1), else the package's own
        const source = path.posix.basename(path.posix.dirname(rel));
        const from = debs.has(source) ? source : name;
        const doc = `./usr/share/doc/${from}`;
        const own = sh("sh", ["-c", `F="${debs.get(from)}"; (dpkg-deb --fsys-tarfile "$F" | tar -xO ${doc}/changelog.Debian.gz 2>/dev/null || dpkg-deb --fsys-tarfile "$F" | tar -xO ${doc}/changelog.gz) | gzip -dc`]).stdout;
        expect(own.length, from).toBeGreaterThan(0);
        expect(readFileSync(path.join(out, rel), "utf8"), name).toBe(own);
        const text = own;
        // apt itself fetches and prints it
        const c = apt.apt(["-qq", "changelog", name]);
        expect(c.status, `${name}: ${c.stderr}`).toBe(0);
        expect(c.stdout, name).toBe(text);
      }
    } finally {
      server.stop();
    }
  }, 300_000);
});
