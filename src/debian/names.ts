/** Debian package names (policy 5.6.1), shared by control files, relation fields and specs. */
import { FormatError } from "../errors.js";

/** Lower case letters, digits, "+", "-", "."; at least two characters, starting alphanumeric. */
export const PACKAGE_NAME = /^[a-z0-9][a-z0-9+.-]+$/;

export function checkPackageName(name: string, subject?: string): string {
  if (!PACKAGE_NAME.test(name)) throw new FormatError(`bad package name ${JSON.stringify(name)} (allowed: [a-z0-9][a-z0-9+.-]+, at least two characters)`, subject);
  return name;
}
