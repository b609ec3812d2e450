// SIGKILL while a few hundred builds are published into a real radosgw bucket: after every kill the
// bucket is consistent for verify and for a real apt-get update, and the next run completes it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { repogen } from "../helpers.js";
import { AptRoot, problems } from "../apt-helpers.js";
import { addDebs, generate, s3Site, spawnGenerate, startRadosgw, waitLeaseExpiry, type Gateway, type Site } from "../s3-helpers.js";

const NOW = new Date(Math.floor(Date.now() / 1000) * 1000).toISOString();
let g: Gateway;
const PAYLOAD = (i: number) => `payload ${i}\n`.repeat(100);

beforeAll(async () => {
  g = await startRadosgw();
}, 180_000);
afterAll(async () => {
  await g?.stop();
});


async function packageCount(s: Site): Promise<number> {
  const t = await (await fetch(`${s.url}/apt/dists/debian-12/main/binary-amd64/Packages`)).text();
  return (t.match(/^Package: /gm) ?? []).length;
}

describe("SIGKILL at random moments while publishing into a bucket", () => {
  it("after every kill verify and apt-get update accept the bucket; the next run completes it", async () => {
    const s = await s3Site(g, "repo-crash", { leaseSeconds: 3 });
    addDebs(s, 0, 20, "2026-11-20T10:00:00Z", PAYLOAD);
    expect(generate(s, NOW).status).toBe(0);
    const apt = new AptRoot(path.join(s.work, "root"));
    const ring = path.join(s.work, "ring.gpg");
    writeFileSync(ring, Buffer.from(await (await fetch(`${s.url}/apt/archive-keyring.gpg`)).arrayBuffer()));
    apt.addSource(`${s.url}/apt`, "debian-12", ring);
    expect(problems(apt.apt(["update"]))).toEqual([]);
    addDebs(s, 20, 300, "2026-11-21T10:00:00Z", PAYLOAD);

    const check = (what: string) => {
      const v = repogen(["verify", s.url, "--apt-keyring", path.join(s.keys, "apt-signing-key.pub.asc")], { env: s.env });
      expect(v.stderr.replace(/^warning:.*\n/gm, ""), `verify after ${what}`).toBe("");
      expect(v.status).toBe(0);
      const u = apt.apt(["update"]);
      expect(u.status, u.stdout + u.stderr).toBe(0);
      expect(problems(u), `apt-get update after ${what}`).toEqual([]);
    };
    let seed = 20261201;
    const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff), seed / 0x7fffffff);
    // Kills at a seeded write (the run kills itself right after its N-th change to the bucket).
    const points = [1, 2, 3, 5, 8].map((n) => n + Math.floor(rand() * 40 * n));
    for (const n of points) {
      await waitLeaseExpiry(g.client(), s.bucket);
      const r = generate(s, NOW, [], { REPOGEN_FAILPOINT_WRITES: String(n) });
      if (r.status === 0) break; // fewer writes than n: it finished
      expect(r.status, r.stderr).toBe(-1);
      check(`a kill after write ${n}`);
    }
    // Kills at seeded moments, until five have landed while generate was running. A run that
    // finished leaves nothing to publish (the next would stop at its checks within a few hundred
    // milliseconds): more builds arrive after it, so that every run has something to write.
    let scale = 12_000;
    let landed = 0;
    let published = 320;
    for (let attempt = 0; attempt < 20 && landed < 5; attempt++) {
      await waitLeaseExpiry(g.client(), s.bucket);
      const delay = 300 + Math.floor(rand() * scale);
      const run = spawnGenerate(s, NOW);
      await new Promise((r) => setTimeout(r, delay));
      run.child.kill("SIGKILL");
      const res = await run.done;
      if (res.signal === "SIGKILL") landed++;
      else {
        expect(res.code, res.stderr).toBe(0);
        scale *= 0.6;
        addDebs(s, published, 40, "2026-11-22T10:00:00Z", PAYLOAD);
        published += 40;
      }
      check(`a kill at ${delay} ms`);
    }
    expect(landed).toBe(5);
    await waitLeaseExpiry(g.client(), s.bucket);
    const full = generate(s, NOW);
    expect(full.status, full.stderr).toBe(0);
    expect(await packageCount(s)).toBe(published);
    const deep = repogen(["verify", `s3://${s.bucket}/repo`, "--config", s.config, "--deep"], { env: s.env });
    expect(deep.status, deep.stderr).toBe(0);
    check("the completing run");
    const i = apt.install("pkg0319");
    expect(i.status, i.stdout + i.stderr).toBe(0);
  }, 600_000);
});
