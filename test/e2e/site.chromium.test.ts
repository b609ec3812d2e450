// The web pages, judged by Debian's Chromium (through playwright-core, and its own --dump-dom and
// --screenshot), python3's XML parser for the feeds, and a crawl of every link.
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromium, type Browser } from "playwright-core";
import { craftDeb, readyBuild } from "../builds.js";
import { must, repogen, ROOT, sh, tmp } from "../helpers.js";

const CHROMIUM = "/usr/bin/chromium";
const FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];
const ARTIFACTS = path.join(ROOT, "test", "artifacts", "site");
const NOW = "2026-11-25T12:00:00Z";

const HOSTILE = {
  summary: `<script>alert(1)</script> & "quotes" 'single'`,
  maintainer: `"><img src=x onerror=alert(1)> <evil@example.org>`,
  homepage: "javascript:alert(document.domain)",
  long: "Long <b>bold</b> text </p><script>alert(2)</script> {{label}}",
};

function files(dir: string, rel = ""): string[] {
  const out: string[] = [];
  for (const e of readdirSync(path.join(dir, rel), { withFileTypes: true })) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...files(dir, r));
    else out.push(r);
  }
  return out.sort();
}

function unescapeHtml(s: string): string {
  return s.replace(/&(amp|lt|gt|quot|#39);/g, (_m, k: string) => ({ amp: "&", lt: "<", gt: ">", quot: '"', "#39": "'" })[k]!);
}

let work: string;
let out: string;
let config: string;
let browser: Browser;

function generate(o: string, extra: string[] = []) {
  return repogen(["generate", "--config", config, "--out", o, "--now", NOW, "--json", ...extra]);
}

beforeAll(async () => {
  work = tmp("repogen-site-");
  const builds = path.join(work, "builds");
  cpSync(path.join(ROOT, "examples", "builds"), builds, { recursive: true });
  const deb = path.join(work, "hostile.deb");
  craftDeb(
    deb,
    `Package: hostile\nVersion: 1.0\nArchitecture: amd64\nMaintainer: ${HOSTILE.maintainer}\nInstalled-Size: 1\nSection: misc\nPriority: optional\n` +
      `Depends: hello, libc6 (>= 2.36)\nHomepage: ${HOSTILE.homepage}\nDescription: ${HOSTILE.summary}\n ${HOSTILE.long}\n .\n Second paragraph.\n`,
    { "README": "hi\n" },
  );
  readyBuild(builds, { job: "hostile", uuid: "0b1e8d7a-1111-4222-8333-944455556666", start: "2026-11-21T10:00:00Z" }, deb);
  config = path.join(work, "repogen.toml");
  writeFileSync(
    config,
    `builds = "builds"\noutput = "public"\nkeys = ${JSON.stringify(path.join(ROOT, "keys.example"))}\nstate = "state"\n` +
      `base_url = "http://127.0.0.1:8000"\norigin = "site-test"\nlabel = "Site test"\ndescription = "Pages under test"\nkeep_versions = 2\n` +
      `[apt.suites.debian-12]\ncodename = "bookworm"\n[pkg]\ncompression = "txz"\n`,
  );
  out = path.join(work, "public");
  const r = generate(out);
  if (r.status !== 0) throw new Error(`generate exited ${r.status}: ${r.stderr}`);
  mkdirSync(ARTIFACTS, { recursive: true });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
}, 180_000);

afterAll(async () => {
  await browser?.close();
});

function pages(): string[] {
  return files(out).filter((f) => f.endsWith(".html"));
}

describe("the web pages in Chromium", () => {
  it("render the index and package pages at 1280×800 and 390×844 with no horizontal scroll and no console errors", async () => {
    const targets = [
      "index.html",
      pages().find((p) => p.startsWith("packages/apt/debian-12/hostile/"))!,
      pages().find((p) => p.startsWith("packages/pkg/FreeBSD:14:amd64/libfoo/"))!,
    ];
    expect(targets.every(Boolean)).toBe(true);
    for (const [w, h] of [[1280, 800], [390, 844]] as const) {
      for (const t of targets) {
        const page = await browser.newPage({ viewport: { width: w, height: h } });
        const errors: string[] = [];
        page.on("console", (m) => {
          if (m.type() === "error") errors.push(m.text());
        });
        page.on("pageerror", (e) => errors.push(String(e)));
        await page.goto("file://" + path.join(out, t));
        const [scrollWidth, innerWidth] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
        await page.screenshot({ path: path.join(ARTIFACTS, `${w}x${h}-${path.basename(t, ".html").slice(0, 40)}.png`), fullPage: true });
        await page.close();
        expect({ t, w, scrollWidth, errors }).toEqual({ t, w, scrollWidth: innerWidth, errors: [] });
      }
    }
  });

  it("works without scripts, and the script adds the filter and copy buttons (Chromium's own --dump-dom)", () => {
    const index = "file://" + path.join(out, "index.html");
    const dom = must(CHROMIUM, ["--headless", ...FLAGS, "--virtual-time-budget=2000", "--dump-dom", index], { timeout: 60_000 });
    expect(dom).toMatch(/<input[^>]+class="filter"/);
    expect(dom).toMatch(/<button[^>]+class="copy"/);
    const raw = readFileSync(path.join(out, "index.html"), "utf8");
    // Without the script, the tables and snippets are all there.
    expect(raw).not.toMatch(/class="filter"/);
    expect(raw).toMatch(/<table class="packages">/);
    const shot = path.join(ARTIFACTS, "cli-1280x800-index.png");
    sh(CHROMIUM, ["--headless", ...FLAGS, "--window-size=1280,800", `--screenshot=${shot}`, index], { timeout: 60_000 });
    expect(statSync(shot).size).toBeGreaterThan(1000);
  });

  it("shows hostile text as text: no markup, no live javascript: link", async () => {
    const file = pages().find((p) => p.startsWith("packages/apt/debian-12/hostile/"))!;
    for (const t of [file, "index.html"]) {
      const page = await browser.newPage();
      await page.goto("file://" + path.join(out, t));
      const facts = await page.evaluate(() => ({
        scripts: [...document.scripts].map((s) => s.getAttribute("src")),
        imgs: document.querySelectorAll("img").length,
        bold: document.querySelectorAll("main b").length,
        js: [...document.querySelectorAll("[href],[src]")].filter((e) => /^\s*javascript:/i.test(e.getAttribute("href") ?? e.getAttribute("src") ?? "")).length,
        handlers: [...document.querySelectorAll("*")].filter((e) => [...e.attributes].some((a) => a.name.startsWith("on"))).length,
        text: document.body.textContent ?? "",
      }));
      await page.close();
      expect(facts.scripts.every((s) => s !== null && s.endsWith("assets/site.js"))).toBe(true);
      expect(facts).toMatchObject({ imgs: 0, bold: 0, js: 0, handlers: 0 });
      expect(facts.text).toContain(HOSTILE.summary);
      if (t === file) {
        expect(facts.text).toContain(HOSTILE.homepage);
        expect(facts.text).toContain(HOSTILE.maintainer);
        expect(facts.text).toContain("Long <b>bold</b> text </p><script>alert(2)</script> {{label}}");
      }
    }
  });
});

describe("the pages' content", () => {
  it("every link on every page resolves inside the tree", () => {
    let checked = 0;
    for (const p of pages()) {
      const html = readFileSync(path.join(out, p), "utf8");
      const ids = new Set([...html.matchAll(/\sid="([^"]*)"/g)].map((m) => unescapeHtml(m[1]!)));
      for (const m of html.matchAll(/\s(?:href|src)="([^"]*)"/g)) {
        const ref = unescapeHtml(m[1]!);
        if (/^https?:\/\//.test(ref)) continue; // a package's homepage
        expect(ref, `${p}: ${ref}`).not.toMatch(/^[a-z][a-z0-9+.-]*:/i);
        const [file, frag] = ref.split("#") as [string, string | undefined];
        const target = file === "" ? p : path.posix.normalize(path.posix.join(path.posix.dirname(p), file.split("/").map(decodeURIComponent).join("/")));
        expect(target.startsWith("../"), `${p}: ${ref}`).toBe(false);
        expect(existsSync(path.join(out, target)), `${p}: ${ref} -> ${target}`).toBe(true);
        if (frag) {
          const targetIds = target === p ? ids : new Set([...readFileSync(path.join(out, target), "utf8").matchAll(/\sid="([^"]*)"/g)].map((x) => unescapeHtml(x[1]!)));
          expect(targetIds.has(frag), `${p}: #${frag} in ${target}`).toBe(true);
        }
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(20);
  });

  it("a package page names what the issue asks for, and links its dependencies that the repository has", () => {
    const j = JSON.parse(readFileSync(path.join(out, "index.json"), "utf8"));
    const suite = j.repositories.find((r: { suite?: string }) => r.suite === "debian-12");
    const hostile = suite.packages.find((p: { name: string }) => p.name === "hostile");
    const hello = suite.packages.find((p: { name: string }) => p.name === "hello");
    const html = readFileSync(path.join(out, hostile.page), "utf8");
    for (const s of [hostile.version, hostile.job, hostile.build, hostile.sha256, hostile.binary_sha256, "debian-12", "amd64", "Installed size", "sudo apt install hostile=" + hostile.version])
      expect(html, s).toContain(s);
    // hello is in the suite: its name links to its page; libc6 is not, so it stays text.
    expect(html).toContain(`<a href="../hello/${encodeURIComponent(path.posix.basename(hello.page))}">hello</a>`);
    expect(html).toMatch(/libc6 \(&gt;= 2\.36\)/);
    expect(html).toContain("/usr/share/hostile/README");
    // The version names its build time and the binary's SHA-256.
    expect(hostile.version).toContain("20261121100000");
    expect(hostile.version).toContain(hostile.binary_sha256);
    expect(html).toContain("built 20261121100000 (UTC)");
    const spec = pages().find((p) => p.startsWith("packages/apt/debian-12/hello/"))!;
    expect(readFileSync(path.join(out, spec), "utf8")).toContain("/etc/hello.conf"); // a conffile, from the control member
  });

  it("the feeds parse as Atom (python3's XML parser) with an entry per published package", () => {
    const j = JSON.parse(readFileSync(path.join(out, "index.json"), "utf8"));
    const script = `
import sys, json, xml.etree.ElementTree as ET
A = "{http://www.w3.org/2005/Atom}"
out = {}
for f in sys.argv[1:]:
    root = ET.parse(f).getroot()
    assert root.tag == A + "feed", root.tag
    for k in ("id", "title", "updated"):
        assert root.find(A + k) is not None and root.find(A + k).text, k
    entries = root.findall(A + "entry")
    for e in entries:
        for k in ("id", "title", "updated"):
            assert e.find(A + k) is not None and e.find(A + k).text, k
        assert e.find(A + "link").get("href")
    out[f] = [e.find(A + "title").text for e in entries]
print(json.dumps(out))
`;
    const feeds = j.repositories.map((r: { feed: string }) => path.join(out, r.feed));
    const parsed = JSON.parse(must("/usr/bin/python3", ["-c", script, ...feeds])) as Record<string, string[]>;
    for (const r of j.repositories) {
      const titles = parsed[path.join(out, r.feed)]!;
      expect(titles.length).toBe(r.packages.length);
      for (const p of r.packages) expect(titles).toContain(`${p.name} ${p.version} (${p.arch})`);
    }
    expect(parsed[path.join(out, "feeds/apt-debian-12.atom")]!.some((t) => t.includes("hostile"))).toBe(true);
  });

  it("index.json lists every published package, with Valid-Until per suite", () => {
    const j = JSON.parse(readFileSync(path.join(out, "index.json"), "utf8"));
    const listed = new Set<string>();
    for (const r of j.repositories) for (const p of r.packages) listed.add(p.file);
    const pool = files(out).filter((f) => /^(apt\/pool\/.*\.deb|pkg\/[^/]+\/All\/.*\.pkg)$/.test(f));
    expect([...listed].sort()).toEqual(pool);
    for (const r of j.repositories.filter((x: { kind: string }) => x.kind === "apt")) {
      const release = readFileSync(path.join(out, "apt/dists", r.suite, "Release"), "utf8");
      expect(release).toContain(`Valid-Until: ${r.valid_until}`);
    }
  });

  it("is byte-identical for the same input and clock, and a run with nothing new rewrites no page", () => {
    const again = path.join(work, "again");
    // A second output from the same builds: a fresh state, so nothing is shared with the first run.
    const r = repogen(["generate", "--config", config, "--out", again, "--state", path.join(work, "state2"), "--now", NOW]);
    expect(r.status, r.stderr).toBe(0);
    const site = (d: string) => files(d).filter((f) => /^(index\.(html|json)|packages\/|feeds\/|assets\/)/.test(f));
    expect(site(again)).toEqual(site(out));
    for (const f of site(out)) expect(readFileSync(path.join(again, f)).equals(readFileSync(path.join(out, f))), f).toBe(true);
    const before = new Map(site(out).map((f) => [f, statSync(path.join(out, f)).mtimeMs]));
    const quiet = generate(out);
    expect(quiet.status, quiet.stderr).toBe(0);
    const summary = JSON.parse(quiet.stdout);
    expect([...summary.added, ...summary.updated].filter((f: string) => before.has(f))).toEqual([]);
    for (const [f, m] of before) expect(statSync(path.join(out, f)).mtimeMs, f).toBe(m);
    // The pages are skipped on a quiet run by a fingerprint in the state: an index page that went
    // missing is written again, and so is every page a new build changes.
    rmSync(path.join(out, "index.html"));
    expect(generate(out).status).toBe(0);
    expect(readFileSync(path.join(out, "index.html")).equals(readFileSync(path.join(again, "index.html")))).toBe(true);
    const deb = path.join(work, "late.deb");
    craftDeb(deb, `Package: latecomer\nVersion: 2.0\nArchitecture: amd64\nMaintainer: A <a@example.org>\nDescription: Arrives late\n`, { "x": "y\n" });
    readyBuild(path.join(work, "builds"), { job: "latecomer", uuid: "5d1c6e02-2222-4333-8444-955566667777", start: "2026-11-22T10:00:00Z" }, deb);
    expect(generate(out).status).toBe(0);
    const j = JSON.parse(readFileSync(path.join(out, "index.json"), "utf8"));
    const late = j.repositories.find((r: { suite?: string }) => r.suite === "debian-12").packages.find((p: { name: string }) => p.name === "latecomer");
    expect(existsSync(path.join(out, late.page))).toBe(true);
    expect(readFileSync(path.join(out, "index.html"), "utf8")).toContain("Arrives late");
  });
});
