// Hostile specs and staged trees: `repogen package` exits 2 with one clear line and writes nothing.
import { describe, expect, it } from "vitest";
import { readdirSync, symlinkSync, writeFileSync, rmSync } from "node:fs";
import path from "node:path";
import { HELLO_SPEC, makeStagedTree, repogen, tmp, write } from "../helpers.js";

function attempt(spec: string, mutateTree?: (dir: string) => void) {
  const stage = makeStagedTree(tmp(), { bigBytes: 1000 });
  mutateTree?.(stage);
  writeFileSync(path.join(stage, "package.toml"), spec);
  const out = path.join(tmp(), "out");
  const r = repogen(["package", path.join(stage, "package.toml"), "--root", stage, "--platform", "debian-12", "--arch", "amd64", "--out", out, "--mtime", "1700000000"]);
  let written: string[] = [];
  try {
    written = readdirSync(out);
  } catch {
    /* not even created */
  }
  return { ...r, written };
}

const cases: Array<[string, string, ((d: string) => void)?, RegExp?]> = [
  ["newline in summary (field injection)", HELLO_SPEC.replace('summary = "Prints a greeting"', 'summary = "Hi\\nEssential: yes"')],
  ["newline in maintainer", HELLO_SPEC.replace('maintainer = "Example Team <team@example.org>"', 'maintainer = "X <x@y>\\nPackage: evil"')],
  ["newline in homepage", HELLO_SPEC.replace('homepage = "https://example.org/hello"', 'homepage = "https://x\\n\\nPackage: evil"')],
  ["newline in depends", HELLO_SPEC.replace('depends = ["libc6 (>= 2.36)"]', 'depends = ["libc6\\nPre-Depends: evil"]')],
  ["newline in section", HELLO_SPEC.replace('section = "utils"', 'section = "utils\\nX: y"')],
  ["newline in version", HELLO_SPEC.replace('version = "1.2.0"', 'version = "1.2.0\\nX: y"')],
  ["empty summary", HELLO_SPEC.replace('summary = "Prints a greeting"', 'summary = ""')],
  ["over-long summary", HELLO_SPEC.replace('summary = "Prints a greeting"', `summary = "${"x".repeat(90)}"`)],
  ["bad package name", HELLO_SPEC.replace('name = "hello"', 'name = "Hello_World"')],
  ["bad version", HELLO_SPEC.replace('version = "1.2.0"', 'version = "v1.2"')],
  ["'..' in a destination", HELLO_SPEC.replace('dst = "/usr/bin/hello"', 'dst = "/usr/../etc/shadow"')],
  ["relative destination", HELLO_SPEC.replace('dst = "/usr/bin/hello"', 'dst = "usr/bin/hello"')],
  ["source outside the tree", HELLO_SPEC.replace('src = "bin/hello"', 'src = "../../etc/passwd"')],
  ["absolute source", HELLO_SPEC.replace('src = "bin/hello"', 'src = "/etc/passwd"')],
  ["missing source", HELLO_SPEC.replace('src = "bin/hello"', 'src = "bin/nope"')],
  [
    "symlink leaving the tree",
    HELLO_SPEC,
    (d) => symlinkSync("/etc/shadow", path.join(d, "share/evil")),
  ],
  [
    "source reached through a symlinked folder",
    HELLO_SPEC.replace('src = "bin/hello"', 'src = "outside/passwd"'),
    (d) => symlinkSync("/etc", path.join(d, "outside")),
  ],
  [
    "source that is itself a symlink out of the tree",
    HELLO_SPEC.replace('src = "bin/hello"', 'src = "bin/evil"'),
    (d) => symlinkSync("../../../../../../etc/passwd", path.join(d, "bin/evil")),
  ],
  [
    "script that is a symlink out of the tree",
    HELLO_SPEC,
    (d) => {
      rmSync(path.join(d, "scripts/postinst"));
      symlinkSync("/etc/passwd", path.join(d, "scripts/postinst"));
    },
  ],
  ["unknown key", HELLO_SPEC + '\nevil = "x"\n'],
  ["not TOML", "name = \n"],
];

describe("repogen package with hostile input", () => {
  for (const [what, spec, mutate] of cases) {
    it(`refuses ${what}`, () => {
      const r = attempt(spec, mutate);
      expect(r.status).toBe(2);
      const lines = r.stderr.trim().split("\n");
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^repogen: /);
      expect(r.stderr).not.toMatch(/\.js:\d+/);
      expect(r.stdout).toBe("");
      expect(r.written).toEqual([]);
    });
  }

  it("never reads the content a symlink points at", () => {
    // The target of the symlink is a secret outside the tree; the error must not quote it.
    const secretDir = tmp();
    write(path.join(secretDir, "secret"), "TOP-SECRET-CONTENT");
    const r = attempt(HELLO_SPEC.replace('src = "bin/hello"', 'src = "bin/evil"'), (d) => symlinkSync(path.join(secretDir, "secret"), path.join(d, "bin/evil")));
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/leaves the staged tree/);
    expect(r.stderr).not.toContain("TOP-SECRET-CONTENT");
  });

  it("accepts the untouched spec (the cases above fail for their own reason)", () => {
    const r = attempt(HELLO_SPEC);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.written).toEqual(["hello_1.2.0_amd64.deb"]);
  });
});
