/** Where verify reads a tree from: a folder, or an http(s) URL of the output root. */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { readdir, readFile, stat } from "node:fs/promises";
import path from "node:path";

export interface TreeSource {
  describe: string;
  get(rel: string): Promise<Buffer | null>;
  /** Size without reading the body (HEAD over http). */
  size(rel: string): Promise<number | null>;
  sha256(rel: string): Promise<string | null>;
  /** Sub-folders of rel, where the source can list them. */
  list(rel: string): Promise<string[] | null>;
}

export function folderSource(root: string): TreeSource {
  const abs = (rel: string) => path.join(root, rel);
  return {
    describe: root,
    get: (rel) => readFile(abs(rel)).catch(() => null),
    size: async (rel) => (await stat(abs(rel)).catch(() => null))?.size ?? null,
    async sha256(rel) {
      try {
        const h = createHash("sha256");
        for await (const c of createReadStream(abs(rel), { highWaterMark: 1 << 20 })) h.update(c as Buffer);
        return h.digest("hex");
      } catch {
        return null;
      }
    },
    list: async (rel) => {
      try {
        const ents = await readdir(abs(rel), { withFileTypes: true });
        return ents.filter((e) => e.isDirectory() && !e.name.startsWith(".")).map((e) => e.name).sort();
      } catch {
        return null;
      }
    },
  };
}

export function httpSource(base: string): TreeSource {
  const root = base.replace(/\/+$/, "");
  const url = (rel: string) => `${root}/${rel.split("/").map(encodeURIComponent).join("/")}`;
  return {
    describe: root,
    async get(rel) {
      const r = await fetch(url(rel)).catch(() => null);
      if (!r || !r.ok) return null;
      return Buffer.from(await r.arrayBuffer());
    },
    async size(rel) {
      const r = await fetch(url(rel), { method: "HEAD" }).catch(() => null);
      if (!r || !r.ok) return null;
      const n = r.headers.get("content-length");
      return n === null ? null : Number(n);
    },
    async sha256(rel) {
      const r = await fetch(url(rel)).catch(() => null);
      if (!r || !r.ok || !r.body) return null;
      const h = createHash("sha256");
      for await (const c of r.body as unknown as AsyncIterable<Uint8Array>) h.update(c);
      return h.digest("hex");
    },
    async list(rel) {
      // Works where the server lists folders (autoindex, python -m http.server).
      const r = await fetch(url(rel) + "/").catch(() => null);
      if (!r || !r.ok) return null;
      const html = await r.text();
      const names = [...html.matchAll(/href="([^"?#/][^"?#]*)\/"/g)].map((m) => decodeURIComponent(m[1]!)).filter((n) => !n.startsWith(".") && !n.includes("/"));
      return [...new Set(names)].sort();
    },
  };
}
