// Control fields that would break the suite for every client (relation fields dpkg or apt cannot
// parse, oversized fields, control characters and line separators, bad names and versions, file
// names that split Contents lines) reject their own build, one line naming job/uuid and the reason;
// the good builds beside them are published, apt-get updates and installs, and python-debian reads
// the Packages file into exactly the fields we wrote.
import { describe, expect, it, beforeAll, afterAll } from "vitest";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { must, repogen, sh, tmp } from "../helpers.js";
import { AptRoot, problems, serve, type Server } from "../apt-helpers.js";
import { GREETER_SPEC, craftDeb, readyBuild, treeBuild } from "../builds.js";

const NOW = new Date(Math.floor(Date.now() / 1000) * 1000).toISOString();
const START = "2026-11-20T10:00:00Z";
const HEAD = (name: string, version = "1.0-1") => `Package: ${name}\nVersion: ${version}\nArchitecture: amd64\nMaintainer: A <a@example.org>\n`;

describe("generate refuses control fields the clients cannot read", () => {
  let work: string, builds: string, out: string, keys: string, state: string, config: string;
  let server: Server;
  const expected: Record<string, RegExp> = {};
  const gen = () => repogen(["generate", "--config", config, "--builds", builds, "--out", out, "--keys", keys, "--state", state, "--now", NOW]);

  beforeAll(() => {
    work = tmp("repogen-fields-");
    builds = path.join(work, "builds");
    out = path.join(work, "out");
    keys = path.join(work, "keys");
    state = path.join(work, "state");
    config = path.join(work, "repogen.toml");
    // Versions as they are, so that the relations between the good packages hold as written.
    writeFileSync(config, 'versioning = "as-is"\n');
    expect(repogen(["keygen", "--keys", keys]).status).toBe(0);
    let n = 0;
    const deb = (control: string | Buffer, files: Record<string, string> = {}) => {
      const f = path.join(work, `crafted-${n++}.deb`);
      craftDeb(f, control as string, files);
      return f;
    };

    // The good ones: every relation field, folded lines, trailing spaces and a tab kept in Description.
    readyBuild(builds, { job: "okdep", uuid: "good-1", start: START }, deb(
      HEAD("okdep") + "Multi-Arch: foreign\nProvides: virtual-ok (= 1.0)\nDescription: a dependency \n with a trailing space \n and\ta tab\n .\n end\n",
      { "readme.txt": "dep\n" },
    ));
    readyBuild(builds, { job: "okpkg", uuid: "good-2", start: START }, deb(
      HEAD("okpkg") +
        "Pre-Depends: okdep\nDepends: okdep (= 1.0-1) | other-thing (>= 2),\n okdep (>= 1.0~),\n virtual-ok\nRecommends: missing-thing\nSuggests: a0 | b0:any\n" +
        "Enhances: okdep\nBreaks: oldpkg (<< 1.0)\nConflicts: nothing-here\nReplaces: okdep (<< 0.9)\nBuilt-Using: gcc-12 (= 12.2.0-14)\n" +
        "Static-Built-Using: rustc (= 1.63.0+dfsg1-2)\nDescription: uses every relation field\n",
      { "readme.txt": "pkg\n" },
    ));
    treeBuild(builds, { job: "greeter", uuid: "good-3", start: START }, { spec: GREETER_SPEC("1.0.0", 'depends = ["virtual-ok (= 1.0) | libc6 (>= 2.36)", "okpkg (>= 1.0-1)"]') });

    const bad = (job: string, uuid: string, re: RegExp) => (expected[path.join(builds, job, uuid)] = re);
    const badDeb = (uuid: string, control: string | Buffer, re: RegExp, files: Record<string, string> = {}) => {
      readyBuild(builds, { job: "hostile", uuid, start: START }, deb(control, files));
      bad("hostile", uuid, re);
    };
    // Relation fields dpkg or apt cannot parse.
    badDeb("pre-depends-bar", HEAD("hostile") + "Pre-Depends: |\nDescription: x\n", /Pre-Depends: a package name is missing/);
    badDeb("unterminated", HEAD("hostile") + "Depends: libc6 (>= \nDescription: x\n", /Depends: libc6: apt cannot read/);
    badDeb("no-paren", HEAD("hostile") + "Depends: libc6 (>= 2.36, okdep\nDescription: x\n", /Depends: libc6 \(>= 2\.36: unexpected/);
    badDeb("arch-list", HEAD("hostile") + "Recommends: libc6 [amd64]\nDescription: x\n", /Recommends: libc6: architecture restrictions/);
    badDeb("profile", HEAD("hostile") + "Suggests: libc6 <!nocheck>\nDescription: x\n", /Suggests: libc6: build profiles/);
    badDeb("conflicts-or", HEAD("hostile") + "Conflicts: a0 | b0\nDescription: x\n", /Conflicts: alternatives \("\|"\) are not allowed/);
    badDeb("provides-ge", HEAD("hostile") + "Provides: virtual-ok (>= 1.0)\nDescription: x\n", /Provides: virtual-ok: only exact versions/);
    badDeb("bad-version-in-relation", HEAD("hostile") + "Breaks: okdep (<< a1)\nDescription: x\n", /Breaks: okdep: bad Debian version "a1"/);
    badDeb("trailing-comma", HEAD("hostile") + "Depends: okdep,\nDescription: x\n", /Depends: a package name is missing after the last ","/);
    badDeb("empty-entry", HEAD("hostile") + "Replaces: a0, , b0\nDescription: x\n", /Replaces: a package name is missing before/);
    badDeb("built-using-range", HEAD("hostile") + "Built-Using: gcc-12 (>= 12)\nDescription: x\n", /Built-Using: gcc-12: each entry must name an exact version/);
    // Values apt warns about on every update.
    badDeb("multi-arch", HEAD("hostile") + "Multi-Arch: sometimes\nDescription: x\n", /field Multi-Arch is "sometimes"; it must be one of same, foreign, allowed, no/);
    badDeb("essential", HEAD("hostile") + "Essential: maybe\nDescription: x\n", /field Essential is "maybe"/);
    badDeb("source", HEAD("hostile") + "Source: hostile (1.0\nDescription: x\n", /field Source is "hostile \(1\.0"/);
    badDeb("installed-size", HEAD("hostile") + "Installed-Size: big\nDescription: x\n", /field Installed-Size is "big"/);
    // Size caps: one field over 256 KiB; a control file over 512 KiB.
    badDeb("huge-field", HEAD("hostile") + `Depends: ${Array.from({ length: 30000 }, (_, i) => `pkg${i}`).join(", ")}\nDescription: x\n`, /field Depends is \d+ bytes; the limit is 262144/);
    badDeb("huge-control", HEAD("hostile") + Array.from({ length: 5 }, (_, i) => `X-Pad${i}: ${"y".repeat(200_000)}\n`).join("") + "Description: x\n", /the control file is \d+ bytes; the limit is 524288/);
    // Control characters and line separators, which let line-splitting readers see injected fields.
    const chars: Array<[string, string, string]> = [
      ["nel", "\u0085", "U+0085"],
      ["ls", "\u2028", "U+2028"],
      ["ps", "\u2029", "U+2029"],
      ["vt", "\x0b", "U+000B"],
      ["ff", "\x0c", "U+000C"],
      ["fs", "\x1c", "U+001C"],
      ["rs", "\x1e", "U+001E"],
      ["nul", "\x00", "U+0000"],
      ["esc", "\x1b", "U+001B"],
      ["c1", "\u009b", "U+009B"],
    ];
    for (const [id, ch, code] of chars)
      badDeb(`char-${id}`, HEAD("hostile") + `Description: looks fine${ch}Filename: pool/evil.deb${ch}SHA256: ${"0".repeat(64)}\n`, new RegExp(`field Description contains the control character ${code.replace("+", "\\+")}`));
    badDeb("char-in-depends", HEAD("hostile") + "Depends: okdep\u2028Essential: yes\nDescription: x\n", /control character U\+2028/);
    badDeb("latin1", Buffer.from(HEAD("hostile") + "Description: caf\xe9\n", "latin1") as unknown as string, /not valid UTF-8/);
    // Names and versions.
    badDeb("name-dotdot", HEAD("..") + "Description: x\n", /bad package name "\.\."/);
    badDeb("name-slash", HEAD("a/b") + "Description: x\n", /bad package name "a\/b"/);
    badDeb("name-upper", HEAD("Hostile") + "Description: x\n", /bad package name "Hostile"/);
    badDeb("version-letter", HEAD("hostile", "a1") + "Description: x\n", /bad Debian version "a1"/);
    // File names that would split a Contents line.
    badDeb("file-newline", HEAD("hostile") + "Description: x\n", /file name with the control character U\+000A/, { "a\nusr/bin/evil net/hostile": "x" });
    badDeb("file-nel", HEAD("hostile") + "Description: x\n", /file name with the control character U\+0085/, { "a\u0085b": "x" });

    // Specs: relations, characters, names.
    const badSpec = (uuid: string, spec: string, re: RegExp) => {
      treeBuild(builds, { job: "greeter", uuid, start: START }, { spec });
      bad("greeter", uuid, re);
    };
    badSpec("spec-unterminated", GREETER_SPEC("1.0.1", 'depends = ["libc6 (>= "]'), /depends\[0\] "libc6 \(>=": Depends: libc6: apt cannot read/);
    badSpec("spec-arch-list", GREETER_SPEC("1.0.2", 'depends = ["okdep", "libc6 [amd64]"]'), /depends\[1\] .*architecture restrictions/);
    badSpec("spec-bar", GREETER_SPEC("1.0.3", 'depends = ["okdep |"]'), /depends\[0\] .*a package name is missing/);
    badSpec("spec-summary-ls", GREETER_SPEC("1.0.4").replace('summary = "Prints a greeting"', 'summary = "Prints\\u2028Essential: yes"'), /"summary" contains the control character U\+2028/);
    badSpec("spec-description-nel", GREETER_SPEC("1.0.5").replace("A test package.", "A test\\u0085Filename: evil"), /"description" contains the control character U\+0085/);
    badSpec("spec-maintainer-esc", GREETER_SPEC("1.0.6").replace("Example Team", "Example\\u001b[31mTeam"), /"maintainer" contains the control character U\+001B/);
    badSpec("spec-name-dotdot", GREETER_SPEC("1.0.7").replace('name = "greeter"', 'name = ".."'), /"name" "\.\." must start with a letter or digit/);
    badSpec("spec-name-slash", GREETER_SPEC("1.0.8").replace('name = "greeter"', 'name = "a/b"'), /"name" "a\/b" must start with a letter or digit/);
    badSpec("spec-version", GREETER_SPEC("v1"), /bad Debian version "v1"/);
  });

  afterAll(() => server?.stop());

  it("rejects each bad build with one line naming job/uuid and the reason, and publishes the good ones", async () => {
    const r = gen();
    expect(r.status, r.stderr).toBe(3);
    const lines = r.stderr.trim().split("\n");
    expect(lines).toHaveLength(Object.keys(expected).length);
    for (const [dir, re] of Object.entries(expected)) {
      const line = lines.find((l) => l.startsWith(`rejected ${dir}: `));
      expect(line, dir).toBeDefined();
      expect(line).toMatch(re);
    }
    const packagesFile = path.join(out, "apt/dists/debian-12/main/binary-amd64/Packages");
    const packages = readFileSync(packagesFile, "utf8");
    expect(packages.match(/^Package: .*$/gm)).toEqual(["Package: greeter", "Package: okdep", "Package: okpkg"]);
    expect(packages).not.toMatch(/evil|Essential|hostile/);

    // python-debian, fed the text (so it splits lines as str.splitlines does), sees exactly the fields
    // each paragraph holds: nothing injected, every Filename the pool file's.
    const py = sh("/usr/bin/python3", [
      "-c",
      "import json, sys\nfrom debian import deb822\ntext = open(sys.argv[1], encoding='utf-8').read()\n" +
        "print(json.dumps([[list(p.keys()), p['Filename']] for p in deb822.Packages.iter_paragraphs(text, use_apt_pkg=False)]))",
      packagesFile,
    ]);
    expect(py.status, py.stderr).toBe(0);
    const paras = JSON.parse(py.stdout) as Array<[string[], string]>;
    const ours = packages.trim().split("\n\n").map((p) => [p.split("\n").filter((l) => /^\S/.test(l)).map((l) => l.slice(0, l.indexOf(":"))), /^Filename: (.*)$/m.exec(p)![1]]);
    expect(paras).toEqual(ours);
    for (const [, filename] of paras) expect(filename).toMatch(/^pool\/main\/[a-z0-9]\/[a-z0-9+.-]+\/[^/]+\.deb$/);
    // The good package's Description kept its trailing spaces and tab; its Depends kept its folding.
    expect(packages).toContain("Description: a dependency\n with a trailing space \n and\ta tab\n .\n end\n");
    expect(packages).toContain("Depends: okdep (= 1.0-1) | other-thing (>= 2),\n okdep (>= 1.0~),\n virtual-ok\n");

    server = await serve(path.join(out, "apt"));
    const apt = new AptRoot(path.join(work, "root"));
    apt.addSource(server.url, "debian-12", path.join(out, "apt/archive-keyring.gpg"));
    const u = apt.apt(["update"]);
    expect(u.status, u.stdout + u.stderr).toBe(0);
    expect(problems(u)).toEqual([]);
    // greeter needs okpkg, and virtual-ok (= 1.0) or libc6; only okdep's versioned Provides gives the first.
    const i = apt.install("greeter");
    expect(i.status, i.stdout + i.stderr).toBe(0);
    const status = readFileSync(path.join(apt.root, "var/lib/dpkg/status"), "utf8");
    for (const p of ["greeter", "okpkg", "okdep"]) expect(status).toMatch(new RegExp(`^Package: ${p}\nStatus: install ok installed$`, "m"));
    // Contents names each good file on one line of its own.
    const contents = must("sh", ["-c", `zcat "$1"`, "sh", path.join(out, "apt/dists/debian-12/main/Contents-amd64.gz")]);
    expect(contents).toMatch(/^usr\/share\/okdep\/readme\.txt\s+\S+\/okdep$/m);
    expect(contents).not.toMatch(/evil|hostile/);
  });
});
