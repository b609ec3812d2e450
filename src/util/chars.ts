/**
 * Characters no control value, spec value or published file name may hold: C0 controls but TAB and
 * LF, DEL, C1 controls (U+0080–U+009F, among them NEL U+0085) and U+2028/U+2029. Line-splitting readers (python-debian's `splitlines`,
 * editors, some web views) break lines at \v \f \x1c–\x1e \x85 U+2028 U+2029, so such a character
 * in a value would let a package inject fields (a `Filename:` or `SHA256:` of its choosing) into a
 * Packages file as they read it. TAB stays: every deb822 reader takes it for white space, no reader
 * breaks a line at it, and deb822 itself allows it at the start of a continuation line.
 */
export const FORBIDDEN_CHAR = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]/;

/** "U+0085" for the first forbidden character of s, or undefined when there is none. */
export function forbiddenChar(s: string): string | undefined {
  const m = FORBIDDEN_CHAR.exec(s);
  return m ? "U+" + m[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, "0") : undefined;
}

