/** Platforms of build.json and what they map to: an APT suite or a FreeBSD ABI. */
import { UsageError } from "./errors.js";

export type PlatformInfo =
  | { family: "debian"; platform: string; suite: string }
  | { family: "freebsd"; platform: string; major: number };

export function parsePlatform(p: string, subject?: string): PlatformInfo {
  if (/^debian-\d{1,3}$/.test(p) || /^ubuntu-\d{2}\.\d{2}$/.test(p)) return { family: "debian", platform: p, suite: p };
  const m = /^freebsd-(\d{1,3})$/.exec(p);
  if (m) return { family: "freebsd", platform: p, major: Number(m[1]) };
  throw new UsageError(`unknown platform "${p}" (expected debian-N, ubuntu-YY.MM or freebsd-N)`, subject);
}
