// Where apt-get changelog looks (apt's @CHANGEPATH@), and the capped catch of a changelog from a
// data member as it streams past.
import { describe, expect, it } from "vitest";
import zlib from "node:zlib";
import { CHANGELOG_GZ_LIMIT, ChangelogCatcher, changelogPath } from "../src/debian/changelog.js";
import type { Paragraph } from "../src/debian/control.js";
import type { TarReadEntry } from "../src/archive/tar.js";

const ctl = (fields: Record<string, string>): Paragraph => Object.entries(fields);
const entry = (name: string, type: TarReadEntry["type"] = "file") => ({ name, type, mode: 0o644, size: 0, mtime: 0, pax: false }) as TarReadEntry;

describe("changelogPath", () => {
  it("follows apt's COMPONENT/PREFIX/SOURCE/SOURCE_VERSION", () => {
    expect(changelogPath(ctl({ Package: "hello" }), "2.10-3")).toBe("apt/changelogs/main/h/hello/hello_2.10-3_changelog");
    // a binary of another source, with lib prefix, version as published
    expect(changelogPath(ctl({ Package: "libjq1", Source: "jq" }), "1.6-2.1+deb12u3")).toBe("apt/changelogs/main/j/jq/jq_1.6-2.1+deb12u3_changelog");
    expect(changelogPath(ctl({ Package: "libonig5", Source: "libonig" }), "6.9.8-1")).toBe("apt/changelogs/main/libo/libonig/libonig_6.9.8-1_changelog");
    // a binNMU names its source version in parentheses; an epoch is left out
    expect(changelogPath(ctl({ Package: "libbz2-1.0", Source: "bzip2 (1.0.8-5)" }), "1.0.8-5+b1")).toBe("apt/changelogs/main/b/bzip2/bzip2_1.0.8-5_changelog");
    expect(changelogPath(ctl({ Package: "bsdutils", Source: "util-linux (2.38.1-5)" }), "1:2.38.1-5+deb12u3")).toBe("apt/changelogs/main/u/util-linux/util-linux_2.38.1-5_changelog");
    expect(changelogPath(ctl({ Package: "vim" }), "2:9.0.1378-2")).toBe("apt/changelogs/main/v/vim/vim_9.0.1378-2_changelog");
    // nothing apt would read the same way: no path
    for (const s of ["../x", "Foo", "x (1.0", "x (a b)", "x (1.0) y"]) expect(changelogPath(ctl({ Package: "p", Source: s }), "1.0"), s).toBeNull();
  });
});

describe("ChangelogCatcher", () => {
  const gz = zlib.gzipSync(Buffer.from("hello (1.0) unstable; urgency=low\n"));
  it("takes changelog.Debian.gz over changelog.gz, in chunks, and only regular files of the package", () => {
    const c = new ChangelogCatcher("hello");
    c.onData(entry("./usr/share/doc/hello/changelog.gz"), zlib.gzipSync(Buffer.from("upstream\n")));
    c.onData(entry("./usr/share/doc/other/changelog.Debian.gz"), zlib.gzipSync(Buffer.from("other\n")));
    const scratch = Buffer.from(gz);
    c.onData(entry("./usr/share/doc/hello/changelog.Debian.gz"), scratch.subarray(0, 5));
    c.onData(entry("./usr/share/doc/hello/changelog.Debian.gz"), scratch.subarray(5));
    scratch.fill(0); // the decoder's buffer is reused: the catcher must have copied
    expect(c.text()?.toString()).toBe("hello (1.0) unstable; urgency=low\n");
    const d = new ChangelogCatcher("hello");
    d.onData(entry("./usr/share/doc/hello/changelog.gz"), zlib.gzipSync(Buffer.from("upstream\n")));
    expect(d.text()?.toString()).toBe("upstream\n");
    const s = new ChangelogCatcher("hello");
    s.onData(entry("./usr/share/doc/hello/changelog.Debian.gz", "symlink"), gz);
    expect(s.text()).toBeNull();
  });

  it("drops a changelog past its limit, and a damaged one", () => {
    const c = new ChangelogCatcher("big");
    const chunk = Buffer.alloc(1 << 20);
    for (let i = 0; i <= CHANGELOG_GZ_LIMIT / chunk.length; i++) c.onData(entry("usr/share/doc/big/changelog.Debian.gz"), chunk);
    expect(c.text()).toBeNull();
    const d = new ChangelogCatcher("bad");
    d.onData(entry("usr/share/doc/bad/changelog.Debian.gz"), gz.subarray(0, gz.length - 4));
    expect(d.text()).toBeNull();
  });
});
