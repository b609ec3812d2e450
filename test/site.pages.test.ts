// The pure parts of the web pages: file names, links and XML text.
import { describe, expect, it } from "vitest";
import { pagePath, slug } from "../src/site/model.js";
import { escapeXml, feedPath, link, releaseDates } from "../src/site/pages.js";
import { rng } from "./helpers.js";

describe("site file names", () => {
  it("slug keeps distinct texts distinct and stays one safe path segment", () => {
    const r = rng(17);
    const alphabet = ["a", "Z", "0", ".", "+", "~", "-", "_", ":", "/", "%", "#", "?", " ", "ü", "\u2028", "..", "_5f"];
    const seen = new Map<string, string>();
    for (let i = 0; i < 5000; i++) {
      let s = "";
      const n = 1 + Math.floor(r() * 6);
      for (let k = 0; k < n; k++) s += alphabet[Math.floor(r() * alphabet.length)];
      const g = slug(s);
      expect(g).toMatch(/^[A-Za-z0-9.+~_-]+$/);
      expect(g === "." || g === "..").toBe(false);
      const prev = seen.get(g);
      if (prev !== undefined) expect(prev).toBe(s);
      seen.set(g, s);
    }
  });

  it("page paths separate version and arch unambiguously", () => {
    expect(pagePath("apt", "debian-12", "a", "1_2", "amd64")).not.toBe(pagePath("apt", "debian-12", "a", "1", "2_amd64"));
    expect(pagePath("pkg", "FreeBSD:14:amd64", "hello", "1.0_1,2", "amd64")).toBe("packages/pkg/FreeBSD:14:amd64/hello/1.0_5f1_2c2.html");
  });

  it("links are relative, percent-encoded per segment, and never look like a scheme", () => {
    expect(link("index.html", "packages/pkg/FreeBSD:14:amd64/x/1.html")).toBe("packages/pkg/FreeBSD%3A14%3Aamd64/x/1.html");
    expect(link("packages/apt/s/a/1.html", "packages/apt/s/b/2.html")).toBe("../b/2.html");
    expect(link("packages/apt/s/a/1.html", "apt/pool/main/a/a/a_1+b2_all.deb")).toBe("../../../../apt/pool/main/a/a/a_1%2Bb2_all.deb");
    expect(feedPath({ kind: "pkg", key: "FreeBSD:14:amd64" })).toBe("feeds/pkg-FreeBSD:14:amd64.atom");
  });

  it("XML text drops what XML 1.0 cannot carry and escapes the rest", () => {
    expect(escapeXml("a\x00b\x1bc<&>\"'\ud800")).toBe("abc&lt;&amp;&gt;&quot;&apos;");
  });

  it("reads Date and Valid-Until from a Release", () => {
    expect(releaseDates(Buffer.from("Origin: x\nDate: Tue, 01 Dec 2026 08:00:00 UTC\nValid-Until: Tue, 15 Dec 2026 08:00:00 UTC\n"))).toEqual({
      date: "Tue, 01 Dec 2026 08:00:00 UTC",
      validUntil: "Tue, 15 Dec 2026 08:00:00 UTC",
    });
    expect(releaseDates(undefined)).toEqual({});
  });
});
