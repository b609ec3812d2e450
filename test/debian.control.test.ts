// The control-file checks and the Version splice, on cases made by hand.
import { describe, expect, it } from "vitest";
import { checkControlFields, forbiddenChar, parseControlFile, parseParagraph, replaceVersion } from "../src/debian/control.js";

const BASE = "Package: demo\nVersion: 1.0-1\nArchitecture: amd64\nMaintainer: A <a@example.org>\nDescription: demo\n";

describe("replaceVersion", () => {
  it("changes the Version value and no other byte, whatever the spelling around it", () => {
    const cases: Array<[string, string]> = [
      ["Package: a0\nVersion: 1.0\nDescription: x  \n trailing  \n", "Package: a0\nVersion: 2.0\nDescription: x  \n trailing  \n"],
      ["Package: a0\nversion:1.0   \nX: y\n", "Package: a0\nversion:2.0   \nX: y\n"],
      ["Package: a0\nVERSION:\t1.0\n", "Package: a0\nVERSION:\t2.0\n"],
      // A continuation line that starts with "Version:" is part of another field, not the Version line.
      ["Package: a0\nDescription: x\n Version: 9\nVersion: 1.0\n", "Package: a0\nDescription: x\n Version: 9\nVersion: 2.0\n"],
    ];
    for (const [before, after] of cases) expect(replaceVersion(before, "2.0")).toBe(after);
  });

  it("refuses a control file without exactly one Version line, and a version with white space", () => {
    expect(() => replaceVersion("Package: a0\n", "2.0")).toThrow(/0 Version lines/);
    expect(() => replaceVersion("Version: 1\nVersion: 2\n", "2.0")).toThrow(/2 Version lines/);
    expect(() => replaceVersion(BASE, "2.0\nEssential: yes")).toThrow(/bad version/);
  });
});

describe("control characters", () => {
  it("names the first forbidden character, and lets TAB and LF through", () => {
    const bad: Array<[string, string]> = [
      ["\x00", "U+0000"], ["\x1b", "U+001B"], ["\x0b", "U+000B"], ["\x0c", "U+000C"], ["\x1c", "U+001C"], ["\x1d", "U+001D"],
      ["\x1e", "U+001E"], ["\x7f", "U+007F"], ["\x85", "U+0085"], ["\x9f", "U+009F"], ["\u2028", "U+2028"], ["\u2029", "U+2029"], ["\r", "U+000D"],
    ];
    for (const [ch, code] of bad) expect(forbiddenChar(`ok${ch}then`), code).toBe(code);
    for (const ok of ["plain", "tab\there", "line\n feed", "ünïcödé ✓", "\u00a0nbsp", "\u2027"]) expect(forbiddenChar(ok), ok).toBeUndefined();
  });

  it("refuses them in any field of a control file, naming the field", () => {
    for (const ch of ["\x85", "\u2028", "\x1b", "\x00"]) {
      expect(() => parseControlFile(Buffer.from(BASE.replace("Description: demo", `Description: demo${ch}Filename: evil`)))).toThrow(/field Description contains the control character U\+/);
      expect(() => parseControlFile(Buffer.from(BASE + `Depends: a0${ch}\n`))).toThrow(/field Depends contains the control character/);
    }
  });
});

describe("parseControlFile", () => {
  it("refuses invalid UTF-8, a byte order mark, and a control file over 512 KiB", () => {
    expect(() => parseControlFile(Buffer.from(BASE.replace("demo\n", "caf\xe9\n"), "latin1"))).toThrow(/not valid UTF-8/);
    expect(() => parseControlFile(Buffer.from("\ufeff" + BASE))).toThrow(/byte order mark/);
    expect(() => parseControlFile(Buffer.from(BASE + `X-Pad: ${"y".repeat(512 << 10)}\n`))).toThrow(/the limit is 524288/);
    expect(parseControlFile(Buffer.from(BASE)).map(([n]) => n)).toEqual(["Package", "Version", "Architecture", "Maintainer", "Description"]);
  });
});

describe("checkControlFields", () => {
  const check = (extra: string) => () => checkControlFields(parseParagraph(BASE + extra));
  it("accepts what real packages hold", () => {
    expect(check("Multi-Arch: same\nEssential: yes\nProtected: no\nInstalled-Size: 123\nSource: gdbm (1.23-3)\nDepends: libc6 (>= 2.34)\n")).not.toThrow();
  });
  it("refuses each bad value, naming the field", () => {
    const cases: Array<[string, RegExp]> = [
      ["Multi-Arch: Same\n", /field Multi-Arch is "Same"/],
      ["Essential: true\n", /field Essential is "true"/],
      ["Important: 1\n", /field Important is "1"/],
      ["Installed-Size: 12k\n", /field Installed-Size is "12k"/],
      ["Source: gdbm (1.23-3\n", /field Source is "gdbm \(1\.23-3"/],
      ["Source: Gdbm\n", /bad package name "Gdbm"/],
      ["Source: gdbm (v1)\n", /bad Debian version "v1"/],
      ["Depends: libc6 (>= 2.34\n", /^Depends: libc6 \(>= 2\.34: no closing/],
      ["Provides: x0 (<< 1)\n", /^Provides: x0: only exact versions/],
      [`Suggests: ${"a0, ".repeat(70_000)}a0\n`, /field Suggests is \d+ bytes; the limit is 262144/],
    ];
    for (const [extra, re] of cases) expect(check(extra), extra.slice(0, 40)).toThrow(re);
    expect(() => checkControlFields(parseParagraph(BASE.replace("Package: demo", "Package: .."))), "..").toThrow(/bad package name "\.\."/);
    expect(() => checkControlFields(parseParagraph(BASE.replace("Version: 1.0-1", "Version: 1.0-"))), "1.0-").toThrow(/bad Debian version/);
  });
});
