// The download helper that other tests share: every package comes back as a real .deb of that name.
import { describe, expect, it } from "vitest";
import { must } from "./helpers.js";
import { DEBIAN_PACKAGES, debianPackages } from "./support/debian-packages.js";

describe("debianPackages", () => {
  it("returns one cached .deb per name, each read by dpkg-deb as that package", () => {
    const debs = debianPackages();
    expect([...debs.keys()]).toEqual([...DEBIAN_PACKAGES]);
    for (const [name, file] of debs) expect(must("dpkg-deb", ["-f", file, "Package"]).trim()).toBe(name);
  }, 900_000);
});
