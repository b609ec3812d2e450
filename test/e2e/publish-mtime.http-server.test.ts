// A replaced file must look modified to a web server that speaks in whole seconds: otherwise a client
// that fetched the old bytes in the same second gets 304 Not Modified for the new ones (apt then keeps
// its old lists). Judged by python3's http.server, which answers If-Modified-Since by the file's mtime.
import { mkdirSync, utimesSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { FolderStorage } from "../../src/publish/storage/folder.js";
import { serve } from "../apt-helpers.js";
import { tmp } from "../helpers.js";

async function get(url: string, since?: string): Promise<{ status: number; body: string; lastModified: string }> {
  const r = await fetch(url, { headers: since ? { "If-Modified-Since": since } : {} });
  return { status: r.status, body: r.status === 200 ? await r.text() : "", lastModified: r.headers.get("last-modified") ?? "" };
}

describe("the folder's replaced files and Last-Modified", () => {
  it("a file replaced within the second it was served is not Not Modified to that client", async () => {
    const root = path.join(tmp("repogen-mtime-"), "out");
    mkdirSync(root);
    const tree = new FolderStorage(root, false);
    await tree.put("dists/s/InRelease", "first\n");
    // The old file's mtime lies a few seconds ahead (a clock step, or many runs in one second).
    const ahead = new Date(Math.ceil(Date.now() / 1000) * 1000 + 5000);
    utimesSync(path.join(root, "dists/s/InRelease"), ahead, ahead);
    const server = await serve(root);
    try {
      const url = `${server.url}/dists/s/InRelease`;
      const first = await get(url);
      expect(first).toMatchObject({ status: 200, body: "first\n" });
      expect(await tree.put("dists/s/InRelease", "second\n")).toBe(true);
      const again = await get(url, first.lastModified);
      expect(again).toMatchObject({ status: 200, body: "second\n" });
      // Unchanged bytes keep their mtime: a client that has them gets 304, as it should.
      expect(await tree.put("dists/s/InRelease", "second\n")).toBe(false);
      expect((await get(url, again.lastModified)).status).toBe(304);
    } finally {
      server.stop();
    }
  });
});
