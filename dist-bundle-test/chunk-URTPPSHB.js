// dist/errors.js
var RepogenError = class extends Error {
  /** The path, build folder or key the error is about, when there is one. */
  subject;
  constructor(message, subject) {
    super(message);
    this.name = new.target.name;
    this.subject = subject;
  }
  /** One line for humans: "SUBJECT: message". */
  line() {
    return this.subject ? `${this.subject}: ${this.message}` : this.message;
  }
};
var UsageError = class extends RepogenError {
};
var FormatError = class extends RepogenError {
};
var CorruptArchiveError = class extends RepogenError {
};
var UnsafePathError = class extends RepogenError {
};
var KeyError = class extends RepogenError {
};
var LockedError = class extends RepogenError {
  pid;
  constructor(message, subject, pid) {
    super(message, subject);
    this.pid = pid;
  }
};
var BookkeepingError = class extends RepogenError {
};
function errorLine(err) {
  if (err instanceof RepogenError)
    return err.line();
  if (err instanceof Error)
    return err.message;
  return String(err);
}
var LimitError = class extends RepogenError {
  limit;
  /** The message without the limit's name. */
  detail;
  constructor(limit, detail, subject) {
    super(`${detail} (limit: ${limit})`, subject);
    this.limit = limit;
    this.detail = detail;
  }
};

export {
  RepogenError,
  UsageError,
  FormatError,
  CorruptArchiveError,
  UnsafePathError,
  KeyError,
  LockedError,
  BookkeepingError,
  errorLine,
  LimitError
};
