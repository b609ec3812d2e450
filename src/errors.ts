/**
 * Typed errors. Each carries the file, folder or build it concerns so that the CLI can print
 * one line per problem and choose the exit code without parsing messages.
 */
export class RepogenError extends Error {
  /** The path, build folder or key the error is about, when there is one. */
  readonly subject: string | undefined;
  constructor(message: string, subject?: string) {
    super(message);
    this.name = new.target.name;
    this.subject = subject;
  }
  /** One line for humans: "SUBJECT: message". */
  line(): string {
    return this.subject ? `${this.subject}: ${this.message}` : this.message;
  }
}

/** Bad command line, bad configuration, bad spec: exit 2, nothing written. */
export class UsageError extends RepogenError {}

/** Input that is well-formed as a file but violates a format rule (control field, version, manifest). */
export class FormatError extends RepogenError {}

/** A package or archive that cannot be read (truncated, corrupt, wrong magic). */
export class CorruptArchiveError extends RepogenError {}

/** A path that would escape where it must stay (`..`, absolute, symlink out of a tree). */
export class UnsafePathError extends RepogenError {}

/** Signing keys missing, unreadable or locked. */
export class KeyError extends RepogenError {}

/** Another generate holds the lock. */
export class LockedError extends RepogenError {
  readonly pid: number;
  constructor(message: string, subject: string, pid: number) {
    super(message, subject);
    this.pid = pid;
  }
}

/**
 * The new indexes are live (or may be), but a later step failed: saving the state, retention, the
 * index page. Exit 5: the tree is consistent and names only files that exist; the next run
 * completes it. No pool file a live index may name is ever taken back.
 */
export class BookkeepingError extends RepogenError {}

export function errorLine(err: unknown): string {
  if (err instanceof RepogenError) return err.line();
  if (err instanceof Error) return err.message;
  return String(err);
}

/**
 * Input past one of the limits that bound what is held in memory (README "Limits"). `limit` names it
 * so that a rejection says which one.
 */
export class LimitError extends RepogenError {
  readonly limit: string;
  /** The message without the limit's name. */
  readonly detail: string;
  constructor(limit: string, detail: string, subject?: string) {
    super(`${detail} (limit: ${limit})`, subject);
    this.limit = limit;
    this.detail = detail;
  }
}
