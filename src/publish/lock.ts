/**
 * One generate per state folder: an exclusive lock file holding the pid; a dead holder's lock is
 * taken over. One generate per bucket: a lease object (below).
 */
import { readFileSync, rmSync } from "node:fs";
import { open, readFile, rm, mkdir } from "node:fs/promises";
import path from "node:path";
import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import { LockedError } from "../errors.js";
import { LeaseLostError } from "./storage/storage.js";

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  // A recycled pid that now belongs to another program does not hold our lock.
  try {
    const cmd = readFileSync(`/proc/${pid}/cmdline`, "latin1");
    return /node|repogen/.test(cmd);
  } catch {
    return true;
  }
}

export interface Lock {
  release(): Promise<void>;
}

export async function acquireLock(stateDir: string): Promise<Lock> {
  await mkdir(stateDir, { recursive: true });
  const file = path.join(stateDir, "lock");
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      const fh = await open(file, "wx");
      await fh.writeFile(`${process.pid}\n`);
      await fh.close();
      let released = false;
      const releaseSync = () => {
        if (!released) {
          released = true;
          try {
            rmSync(file, { force: true });
          } catch {
            /* best effort at exit */
          }
        }
      };
      process.once("exit", releaseSync);
      return {
        async release() {
          if (released) return;
          released = true;
          process.removeListener("exit", releaseSync);
          await rm(file, { force: true });
        },
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      const text = await readFile(file, "utf8").catch(() => "");
      const pid = Number(text.trim());
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid))
        throw new LockedError(`another repogen generate (pid ${pid}) holds the lock`, file, pid);
      // A lock left by a killed run (or an empty one from a run killed while writing it): take it over.
      await rm(file, { force: true });
    }
  }
  throw new LockedError("could not take the lock", file, 0);
}

/**
 * Where a lease lives: one object read and written only with conditions (S3's If-None-Match: * to
 * create it, If-Match: ETAG to change it), so two machines can never both believe they hold it.
 */
export interface LeaseObject {
  get(): Promise<{ body: string; etag: string } | null>;
  /** Writes body when the condition holds; returns the new ETag, or null when it did not hold. */
  put(body: string, cond: { ifNoneMatch: true } | { ifMatch: string }): Promise<string | null>;
  describe: string;
}

interface LeaseBody {
  owner: string;
  host: string;
  pid: number;
  /** ISO time after which another writer may take the lease over. */
  expires: string;
  /** Changes with every run that takes the lease: a state folder's record of the bucket is trusted
   * only when it was saved under the generation the lease still names. */
  generation: string;
  released: boolean;
}

/**
 * One writer per bucket and prefix, across machines: a lease with an expiry, renewed while the run
 * works. A writer that crashed leaves it held until it expires; then the next run takes it over.
 * A run that finds its lease lost (not renewed in time, or taken over) stops before its next write.
 */
export class Lease {
  private timer: NodeJS.Timeout | null = null;
  private lost: string | null = null;
  private renewing: Promise<void> | null = null;
  private expiresAt = 0;
  private released = false;

  private constructor(
    private readonly obj: LeaseObject,
    private body: LeaseBody,
    private etag: string,
    private readonly seconds: number,
    /** The generation the lease named before this run took it. */
    readonly previousGeneration: string | null,
  ) {
    this.expiresAt = Date.parse(body.expires);
  }

  get generation(): string {
    return this.body.generation;
  }

  /** Reads the lease without taking it (dry runs): its generation, or null. */
  static async peek(obj: LeaseObject): Promise<string | null> {
    const cur = await obj.get();
    return cur ? (parseLease(cur.body)?.generation ?? null) : null;
  }

  static async take(obj: LeaseObject, seconds: number, generation: string, now = Date.now()): Promise<Lease> {
    const cur = await obj.get();
    const old = cur ? parseLease(cur.body) : null;
    if (old && !old.released && Date.parse(old.expires) > now)
      throw new LockedError(`another repogen generate (host ${old.host}, pid ${old.pid}) holds the bucket's lease until ${old.expires}`, obj.describe, old.pid);
    const body: LeaseBody = { owner: randomUUID(), host: hostname(), pid: process.pid, expires: new Date(now + seconds * 1000).toISOString(), generation, released: false };
    const etag = await obj.put(JSON.stringify(body) + "\n", cur ? { ifMatch: cur.etag } : { ifNoneMatch: true });
    if (etag === null) throw new LockedError("another repogen generate took the bucket's lease at the same moment", obj.describe, 0);
    const lease = new Lease(obj, body, etag, seconds, old?.generation ?? null);
    lease.timer = setInterval(() => void lease.renew().catch(() => undefined), Math.max(200, (seconds * 1000) / 3));
    lease.timer.unref();
    return lease;
  }

  /** Extends the expiry; the lease is lost when the object changed under us. */
  renew(): Promise<void> {
    if (this.lost || this.released) return Promise.resolve();
    this.renewing ??= (async () => {
      try {
        const started = Date.now();
        const body = { ...this.body, expires: new Date(started + this.seconds * 1000).toISOString() };
        const etag = await this.obj.put(JSON.stringify(body) + "\n", { ifMatch: this.etag });
        if (etag === null) this.lost = "another writer took the bucket's lease over";
        else {
          this.body = body;
          this.etag = etag;
          this.expiresAt = started + this.seconds * 1000;
        }
      } finally {
        this.renewing = null;
      }
    })();
    return this.renewing;
  }

  /**
   * Throws LeaseLostError when this run may not write any more: the lease was taken over, or its
   * expiry is near (a run that was stopped longer than the lease lasts must not go on). Renews it
   * first when a third of it is used up.
   */
  async check(): Promise<void> {
    const left = () => this.expiresAt - Date.now();
    if (!this.lost && left() < (this.seconds * 1000 * 2) / 3) await this.renew().catch(() => undefined);
    if (!this.lost && left() < Math.min(2000, (this.seconds * 1000) / 10)) this.lost = `the bucket's lease expired (it lasts ${this.seconds} s)`;
    if (this.lost) throw new LeaseLostError(`${this.lost}; stopping before the next write`, this.obj.describe);
  }

  /** Cheap check without a request, before each single write. */
  assertHeld(): void {
    if (this.lost) throw new LeaseLostError(`${this.lost}; stopping before the next write`, this.obj.describe);
    if (this.expiresAt - Date.now() < Math.min(2000, (this.seconds * 1000) / 10)) {
      this.lost = `the bucket's lease expired (it lasts ${this.seconds} s)`;
      throw new LeaseLostError(`${this.lost}; stopping before the next write`, this.obj.describe);
    }
  }

  get isLost(): boolean {
    return this.lost !== null;
  }

  /**
   * Gives the lease up. unchanged: this run changed nothing in the bucket, so the lease goes back to
   * naming the generation it named before (the record saved under it stays the current one).
   */
  async release(opts: { unchanged?: boolean } = {}): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (this.released) return;
    await this.renewing?.catch(() => undefined);
    this.released = true;
    if (this.lost) return;
    const generation = opts.unchanged && this.previousGeneration !== null ? this.previousGeneration : this.body.generation;
    const body = { ...this.body, generation, expires: new Date().toISOString(), released: true };
    await this.obj.put(JSON.stringify(body) + "\n", { ifMatch: this.etag });
  }
}

function parseLease(text: string): LeaseBody | null {
  try {
    const b = JSON.parse(text) as Partial<LeaseBody>;
    if (typeof b.expires !== "string" || Number.isNaN(Date.parse(b.expires))) return null;
    return { owner: String(b.owner ?? ""), host: String(b.host ?? "?"), pid: Number(b.pid ?? 0), expires: b.expires, generation: String(b.generation ?? ""), released: b.released === true };
  } catch {
    // A damaged lease holds nothing; replacing it is still conditional on its ETag.
    return null;
  }
}
