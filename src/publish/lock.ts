/** One generate per state folder: an exclusive lock file holding the pid; a dead holder's lock is taken over. */
import { readFileSync, rmSync } from "node:fs";
import { open, readFile, rm, mkdir } from "node:fs/promises";
import path from "node:path";
import { LockedError } from "../errors.js";

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
