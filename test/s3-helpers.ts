// Helpers for the tests that publish into a real radosgw (test/support/radosgw.mjs).
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from "@aws-sdk/client-s3";
import { mkdirSync } from "node:fs";
import { CLI, repogen, tmp, type RunResult } from "./helpers.js";
import { craftDeb, readyBuild } from "./builds.js";
// @ts-expect-error plain JavaScript shared with bench/
import { startRadosgw as start } from "./support/radosgw.mjs";

export interface Gateway {
  endpoint: string;
  port: number;
  env: Record<string, string>;
  client(): S3Client;
  createBucket(name: string, o?: { publicRead: boolean }): Promise<void>;
  createUser(uid: string, access: string, secret: string): void;
  stop(): Promise<void>;
}

export const startRadosgw = start as () => Promise<Gateway>;

export interface Site {
  work: string;
  builds: string;
  keys: string;
  state: string;
  config: string;
  bucket: string;
  /** What apt's sources name: the output root's public URL. */
  url: string;
  env: NodeJS.ProcessEnv;
}

/** A bucket with a public-read policy, a keys folder and a repogen.toml that publishes into it. */
export async function s3Site(g: Gateway, bucket: string, o: { leaseSeconds?: number; multipartMib?: number; state?: string; work?: string; keys?: string; toml?: string } = {}): Promise<Site> {
  const work = o.work ?? tmp("repogen-s3-");
  await g.createBucket(bucket).catch((e: Error) => {
    if (!/BucketAlreadyOwnedByYou|BucketAlreadyExists/.test(e.name)) throw e;
  });
  const keys = o.keys ?? path.join(work, "keys");
  if (!o.keys) {
    const k = repogen(["keygen", "--keys", keys]);
    if (k.status !== 0) throw new Error(k.stderr);
  }
  const state = o.state ?? path.join(work, "state");
  const config = path.join(work, `repogen-${path.basename(state)}.toml`);
  writeFileSync(
    config,
    `builds = "builds"\nkeys = ${JSON.stringify(keys)}\nstate = ${JSON.stringify(state)}\noutput = "s3://${bucket}/repo"\n${o.toml ?? ""}` +
      `[s3]\nendpoint = "${g.endpoint}"\nregion = "us-east-1"\npublic_url = "${g.endpoint}/${bucket}"\nforce_path_style = true\n` +
      `lease_seconds = ${o.leaseSeconds ?? 60}\nmultipart_mib = ${o.multipartMib ?? 64}\n`,
  );
  return { work, builds: path.join(work, "builds"), keys, state, config, bucket, url: `${g.endpoint}/${bucket}/repo`, env: { ...process.env, ...g.env } };
}

export function generate(s: Site, now: string, extra: string[] = [], env: NodeJS.ProcessEnv = {}): RunResult {
  return repogen(["generate", "--config", s.config, "--now", now, "--json", ...extra], { env: { ...s.env, ...env } });
}

export interface GenerateJson {
  added: string[];
  updated: string[];
  removed: string[];
  rejected: Array<{ dir: string; reason: string }>;
  requests?: Record<string, number>;
}

export function summary(r: RunResult): GenerateJson {
  try {
    return JSON.parse(r.stdout) as GenerateJson;
  } catch {
    throw new Error(`generate exited ${r.status} without JSON:\n${r.stderr}`);
  }
}

export const total = (req: Record<string, number> | undefined) => Object.values(req ?? {}).reduce((a, b) => a + b, 0);

/** generate in the background (for kills and races). */
export function spawnGenerate(s: Site, now: string, env: NodeJS.ProcessEnv = {}) {
  const child = spawn(process.execPath, [CLI, "generate", "--config", s.config, "--now", now, "--quiet"], { env: { ...s.env, ...env }, stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((r) => child.on("exit", (code, signal) => r({ code, signal, stderr })));
  return { child, done };
}

export async function getObject(c: S3Client, bucket: string, key: string): Promise<Buffer | null> {
  try {
    const r = await c.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return Buffer.from(await r.Body!.transformToByteArray());
  } catch {
    return null;
  }
}

export async function listKeys(c: S3Client, bucket: string, prefix: string): Promise<string[]> {
  const out: string[] = [];
  let token: string | undefined;
  for (let i = 0; i < 10000; i++) {
    const r = await c.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    for (const o of r.Contents ?? []) out.push(o.Key!);
    if (!r.IsTruncated) break;
    token = r.NextContinuationToken;
  }
  return out;
}

/** Waits until the lease object says it has expired (a killed writer's), bounded. */
export async function waitLeaseExpiry(c: S3Client, bucket: string, prefix = "repo"): Promise<void> {
  const b = await getObject(c, bucket, `${prefix}/.repogen/lease.json`);
  if (!b) return;
  const l = JSON.parse(b.toString()) as { expires: string; released: boolean };
  if (l.released) return;
  const wait = Date.parse(l.expires) - Date.now() + 200;
  if (wait > 0) await new Promise((r) => setTimeout(r, Math.min(wait, 120_000)));
}

/** `count` ready .deb builds pkgFROM… (one job each) with a data file of `payload(i)`. */
export function addDebs(s: Site, from: number, count: number, start: string, payload: (i: number) => string | Buffer = (i) => `payload ${i}\n`.repeat(50)): void {
  const debs = path.join(s.work, "debs");
  mkdirSync(debs, { recursive: true });
  for (let i = from; i < from + count; i++) {
    const name = `pkg${String(i).padStart(4, "0")}`;
    const f = path.join(debs, `${name}_1.0-1_amd64.deb`);
    craftDeb(f, `Package: ${name}\nVersion: 1.0-1\nArchitecture: amd64\nMaintainer: A <a@example.org>\nDescription: package ${i}\n`, { "data.bin": payload(i) });
    readyBuild(s.builds, { job: name, uuid: `b-${name}`, start }, f);
  }
}
